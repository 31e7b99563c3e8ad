// Runs never overlap: ticks during a long run are skipped and logged; a
// manual run during an agent run fails clearly or waits (--wait-lock); a
// SIGKILLed agent leaves no partial file and no lock that blocks the next run.
// The long run is a shell task that waits for a file the test creates, so
// "the agent is mid-run" is a fact the test controls, not a guess about time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI, converge, project } from '../helpers/cli.js';
import { AgentProcess } from './agent-process.js';

const EVERY_2S = '*/2 * * * * *';

function heldPlaybook(dir: string): string {
  return `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: first file
      copy:
        dest: ${dir}/first.txt
        content: "${'complete line\\n'.repeat(2000)}"
    - name: wait until the test releases the run
      shell: "until [ -e ${dir}/release ]; do sleep 0.1; done"
    - name: second file
      copy:
        dest: ${dir}/second.txt
        content: "second\\n"
`;
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function lockOwner(state: string): any {
  try { return JSON.parse(readFileSync(path.join(state, 'lock'), 'utf8')); } catch { return null; }
}

function history(state: string): any[] {
  return JSON.parse(converge(['history', '--json', '--state-dir', state]).stdout);
}

test('a long run is never overlapped; a manual run fails clearly or waits with --wait-lock', async () => {
  const dir = project({}, 'cvg-agent-lock-');
  const pb = path.join(dir, 'site.yaml');
  const state = path.join(dir, 'state');
  writeFileSync(pb, heldPlaybook(dir));
  const agent = new AgentProcess([pb, '--schedule', EVERY_2S, '--state-dir', state]);
  try {
    await until('the agent to take the lock', () => lockOwner(state)?.pid === agent.child.pid);
    const skipLine = await agent.waitFor(/tick at \S+ skipped: the run started at \S+ is still going/);
    assert.ok(skipLine >= 0);

    // Without --wait-lock: a clear failure naming the holder, nothing converged.
    const refused = converge([pb, '--state-dir', state]);
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, new RegExp(`holds the lock .*pid ${agent.child.pid} \\(converge agent .*--wait-lock`));
    assert.equal(existsSync(path.join(dir, 'second.txt')), false);

    // With --wait-lock: it says it waits, and runs once the agent's run is over.
    const waiting = spawn(process.execPath, [CLI, pb, '--state-dir', state, '--wait-lock'], { env: { ...process.env, NO_COLOR: '1' } });
    let waitErr = '';
    waiting.stderr.on('data', (d) => { waitErr += d; });
    const waited = new Promise<number | null>((r) => waiting.on('exit', (c) => r(c)));
    await until('the manual run to wait', () => /waiting for the lock .*converge agent/.test(waitErr));
    writeFileSync(path.join(dir, 'release'), '');
    assert.equal(await waited, 0, waitErr);
    // The held run's record, then the next agent run's, which counts the ticks skipped meanwhile.
    const held = await agent.waitFor(/run finished/);
    await agent.waitFor(/run finished/, held + 1);

    const records = history(state).sort((a, b) => a.time.localeCompare(b.time));
    assert.ok(records.some((r) => r.source === 'manual'), 'the waiting manual run is recorded');
    for (let i = 1; i < records.length; i++) {
      assert.ok(records[i].time >= records[i - 1].finished, `runs overlap: ${JSON.stringify(records.map((r) => [r.source, r.time, r.finished]))}`);
    }
    const agentRuns = records.filter((r) => r.source === 'agent');
    assert.ok(agentRuns.some((r) => r.skipped_ticks >= 1), 'the skipped ticks are recorded with the next agent run');
  } finally {
    try {
      writeFileSync(path.join(dir, 'release'), '');
      assert.equal(await agent.stop('SIGTERM'), 0, agent.log());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('SIGKILL mid-run: no partial file, and the stale lock is taken over by the next run', async () => {
  const dir = project({}, 'cvg-agent-kill-');
  const pb = path.join(dir, 'site.yaml');
  const state = path.join(dir, 'state');
  writeFileSync(pb, heldPlaybook(dir));
  const first = path.join(dir, 'first.txt');
  const expected = 'complete line\n'.repeat(2000);
  const killed = new AgentProcess([pb, '--schedule', EVERY_2S, '--state-dir', state]);
  let next: AgentProcess | undefined;
  try {
    await until('the agent to be mid-run (first file written, lock held)', () => existsSync(first) && lockOwner(state)?.pid === killed.child.pid);
    assert.equal(await killed.stop('SIGKILL'), -1);
    // The orphaned shell task of the killed run ends once the release file exists.
    writeFileSync(path.join(dir, 'release'), '');
    assert.equal(lockOwner(state)?.pid, killed.child.pid, 'the killed agent left its lock file behind');
    assert.equal(readFileSync(first, 'utf8'), expected);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'a temp file was left behind');

    next = new AgentProcess([pb, '--schedule', EVERY_2S, '--state-dir', state]);
    await next.waitFor(new RegExp(`taking over the stale lock .* pid ${killed.child.pid} .*that process is gone`));
    await next.waitFor(/run finished/);
    assert.doesNotMatch(next.log(), /run skipped/);
    assert.equal(readFileSync(first, 'utf8'), expected);
    assert.equal(readFileSync(path.join(dir, 'second.txt'), 'utf8'), 'second\n');
    const [rec] = history(state);
    assert.equal(rec.pid, next.child.pid);
    assert.equal(rec.hosts.localhost.status, 'changed');
  } finally {
    try {
      writeFileSync(path.join(dir, 'release'), '');
      await killed.stop('SIGKILL');
      if (next) assert.equal(await next.stop('SIGTERM'), 0, next.log());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('SIGTERM mid-run stops the agent after the current task, and the run is recorded as interrupted', async () => {
  const dir = project({}, 'cvg-agent-term-');
  const pb = path.join(dir, 'site.yaml');
  const state = path.join(dir, 'state');
  writeFileSync(pb, heldPlaybook(dir));
  const agent = new AgentProcess([pb, '--schedule', EVERY_2S, '--state-dir', state]);
  try {
    await until('the agent to be in its second task', () => existsSync(path.join(dir, 'first.txt')) && lockOwner(state)?.pid === agent.child.pid);
    agent.child.kill('SIGTERM');
    await agent.waitFor(/SIGTERM: stopping after the current task/);
    // The current task (the shell wait) ends; the third task never starts.
    writeFileSync(path.join(dir, 'release'), '');
    assert.equal(await agent.stop('SIGTERM'), 0, agent.log());
    assert.equal(existsSync(path.join(dir, 'second.txt')), false, 'a task after SIGTERM ran');
    assert.equal(existsSync(path.join(state, 'lock')), false);
    const [rec] = history(state);
    assert.equal(rec.interrupted, true);
    assert.equal(rec.hosts.localhost.status, 'interrupted');
  } finally {
    try {
      writeFileSync(path.join(dir, 'release'), '');
      await agent.stop('SIGKILL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
