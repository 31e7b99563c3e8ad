// The state directory's lock (live holder, dead holder, reused pid, waiting)
// and the history store's bounds and torn-line tolerance, in process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { acquireLock, LockBusyError, processStartTicks } from '../../src/agent/lock.js';
import { appendHistory, readHistory, readState, trimLines, updateState, type HistoryRecord } from '../../src/agent/history-store.js';
import { fingerprint } from '../../src/agent/fingerprint.js';
import { parseSince } from '../../src/agent/history-view.js';
import { systemdWord } from '../../src/agent/systemd-install.js';
import { stateDirInUse, writeAgentInfo } from '../../src/agent/run-guard.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'cvg-agent-unit-'));
}

/** A live process that is not us, for a lock holder. */
async function sleeper(): Promise<{ pid: number; kill: () => void }> {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  await new Promise((r) => c.once('spawn', r));
  return { pid: c.pid!, kill: () => c.kill('SIGKILL') };
}

function writeLock(dir: string, owner: object): void {
  writeFileSync(path.join(dir, 'lock'), JSON.stringify({ since: '2026-01-01T00:00:00.000Z', command: 'agent', ...owner }));
}

test('a live holder makes acquireLock fail, or wait until it is released', async () => {
  const dir = tempDir();
  const s = await sleeper();
  try {
    writeLock(dir, { pid: s.pid, startTicks: processStartTicks(s.pid) });
    await assert.rejects(acquireLock(dir, { command: 'run', say: () => {} }), (e: unknown) => e instanceof LockBusyError && /pid \d+ \(converge agent/.test((e as Error).message));
    const said: string[] = [];
    const waiting = acquireLock(dir, { command: 'run', wait: true, pollMs: 20, say: (m) => said.push(m) });
    // The holder finishes: its lock file goes away.
    setTimeout(() => rmSync(path.join(dir, 'lock')), 100);
    const lock = await waiting;
    assert.match(said.join('\n'), /waiting for the lock/);
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'lock'), 'utf8')).pid, process.pid);
    lock.release();
    assert.equal(existsSync(path.join(dir, 'lock')), false);
  } finally {
    s.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a dead holder, or a reused pid with another start time, is stale and taken over with a message', async () => {
  const dir = tempDir();
  const s = await sleeper();
  try {
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    for (const owner of [{ pid: dead.pid, startTicks: 1 }, { pid: s.pid, startTicks: (processStartTicks(s.pid) ?? 0) + 1 }]) {
      writeLock(dir, owner);
      const said: string[] = [];
      const lock = await acquireLock(dir, { command: 'run', say: (m) => said.push(m) });
      assert.match(said.join('\n'), new RegExp(`taking over the stale lock .*pid ${owner.pid} .*gone`));
      lock.release();
    }
    // A second acquire by the same process while held is refused (never re-entered silently).
    const held = await acquireLock(dir, { command: 'agent' });
    await assert.rejects(acquireLock(dir, { command: 'run' }), LockBusyError);
    held.release();
  } finally {
    s.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

function record(i: number, extra: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    v: 1, time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), finished: new Date(Date.UTC(2026, 0, 1, 0, 0, i, 500)).toISOString(),
    duration_ms: 500, source: 'agent', mode: 'apply', pid: 1, playbook: '/p.yaml', inventory: [], fingerprint: `fp${i}`,
    interrupted: false, hosts: { h1: { status: 'in_sync', summary: { ok: 1, changed: 0, failed: 0, skipped: 0, unreachable: 0, ignored: 0 }, changes: [] } },
    ...extra,
  };
}

test('the history keeps the newest runs within its count and size bounds', () => {
  assert.deepEqual(trimLines(['a', 'b', 'c', 'd'], { maxRuns: 2, maxBytes: 1000 }), ['c', 'd']);
  assert.deepEqual(trimLines(['aaaa', 'bbbb', 'cccc'], { maxRuns: 10, maxBytes: 11 }), ['bbbb', 'cccc']);
  // A single record larger than the byte bound is still kept: the newest run is never lost.
  assert.deepEqual(trimLines(['x'.repeat(50)], { maxRuns: 10, maxBytes: 10 }), ['x'.repeat(50)]);

  const dir = tempDir();
  try {
    for (let i = 0; i < 7; i++) appendHistory(dir, record(i), { maxRuns: 5, maxBytes: 1 << 20 });
    assert.deepEqual(readHistory(dir).map((r) => r.fingerprint), ['fp2', 'fp3', 'fp4', 'fp5', 'fp6']);
    const size = Buffer.byteLength(JSON.stringify(record(9))) + 1;
    appendHistory(dir, record(9), { maxRuns: 100, maxBytes: size * 2 });
    assert.deepEqual(readHistory(dir).map((r) => r.fingerprint), ['fp6', 'fp9']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn last line (a killed writer) is skipped and kept apart from the next record', () => {
  const dir = tempDir();
  try {
    appendHistory(dir, record(1));
    appendFileSync(path.join(dir, 'history.jsonl'), '{"v":1,"time":"2026-01-01T0');
    appendHistory(dir, record(2));
    assert.deepEqual(readHistory(dir).map((r) => r.fingerprint), ['fp1', 'fp2']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('state.json keeps the fingerprint of the last run that left each host converged', () => {
  const dir = tempDir();
  try {
    updateState(dir, record(1));
    // A failed run and a check-only run with changes do not move the baseline.
    const failed = record(2);
    failed.hosts.h1.status = 'failed';
    updateState(dir, failed);
    updateState(dir, { ...record(3), mode: 'check', hosts: { h1: { ...record(3).hosts.h1, status: 'out_of_sync' } } });
    let s = readState(dir);
    assert.equal(s.hosts.h1.fingerprint, 'fp1');
    assert.equal(s.hosts.h1.last_status, 'out_of_sync');
    // A check-only run that found the host in sync does: the host matched that playbook.
    updateState(dir, { ...record(4), mode: 'check' });
    s = readState(dir);
    assert.equal(s.hosts.h1.fingerprint, 'fp4');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the fingerprint follows file contents, extra vars and the task selection', () => {
  const dir = tempDir();
  try {
    const pb = path.join(dir, 'pb.yaml');
    writeFileSync(pb, 'a');
    const base = { playbookFiles: [pb], inventoryFiles: [], extraVars: { x: 1, y: [1, 2] }, selection: {} };
    const fp = fingerprint(base);
    assert.equal(fingerprint({ ...base, extraVars: { y: [1, 2], x: 1 } }), fp, 'key order does not matter');
    assert.equal(fingerprint({ ...base, playbookFiles: [pb, pb] }), fp, 'a file listed twice counts once');
    assert.notEqual(fingerprint({ ...base, extraVars: { x: 2, y: [1, 2] } }), fp);
    assert.notEqual(fingerprint({ ...base, selection: { tags: 'web' } }), fp);
    writeFileSync(pb, 'b');
    assert.notEqual(fingerprint(base), fp);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--since takes durations and dates; systemd words are quoted and escaped', () => {
  const now = Date.UTC(2026, 0, 2);
  assert.equal(parseSince('1d', now).toISOString(), '2026-01-01T00:00:00.000Z');
  assert.equal(parseSince('90m', now).toISOString(), '2026-01-01T22:30:00.000Z');
  assert.equal(parseSince('2026-01-01T12:00:00Z').toISOString(), '2026-01-01T12:00:00.000Z');
  assert.throws(() => parseSince('yesterday-ish'), /neither a duration/);
  assert.equal(systemdWord('/usr/bin/node'), '/usr/bin/node');
  assert.equal(systemdWord('*/30 * * * *'), '"*/30 * * * *"');
  assert.equal(systemdWord('a%b$c'), 'a%%b$$c');
  assert.equal(systemdWord('say "hi"'), '"say \\"hi\\""');
  assert.throws(() => systemdWord('a\nb'), /line break/);
});

test('manual runs lock the default state directory only once an agent used it', () => {
  const dir = tempDir();
  try {
    // Other parts of converge keep files there (pending handlers): not a sign of an agent.
    mkdirSync(path.join(dir, 'pending-handlers'));
    assert.equal(stateDirInUse(dir), false);
    writeAgentInfo(dir, { pid: process.pid, startTicks: null, started: '2026-01-01T00:00:00Z', playbook: '/p.yaml', schedule: '*/30 * * * *', splay: 0, check_only: false });
    assert.equal(stateDirInUse(dir), true);
    rmSync(path.join(dir, 'agent.json'));
    // State a locked manual run recorded does not make later runs lock by themselves.
    updateState(dir, record(1));
    assert.equal(stateDirInUse(dir), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
