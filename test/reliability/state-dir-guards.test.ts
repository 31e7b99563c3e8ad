// The state directory against stale locks and planted files: a lock whose
// holder was killed but never reaped (a zombie), a lock without a start time
// whose pid now belongs to a later process, a history.jsonl planted as a
// symbolic link, and an existing state directory open to everyone. Each case
// runs the real converge CLI; the honest cases (a live holder) must still
// block, or the takeovers prove nothing.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { processStartTicks } from '../../src/agent/lock.js';
import { runCli, sleep, tempDir } from './cli-process.js';

let t: ReturnType<typeof tempDir>;
const children: ChildProcess[] = [];

before(() => {
  t = tempDir('state-guards');
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), `- hosts: localhost
  gather_facts: false
  tasks:
    - copy:
        dest: "{{ out }}"
        content: "converged\\n"
`);
});

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  t.remove();
});

function stateDir(name: string): string {
  const d = path.join(t.dir, name);
  fs.mkdirSync(d, { mode: 0o700 });
  return d;
}

function writeLock(dir: string, owner: Record<string, unknown>): void {
  fs.writeFileSync(path.join(dir, 'lock'), JSON.stringify({ since: new Date().toISOString(), command: 'agent', playbook: '/srv/site.yaml', ...owner }) + '\n');
}

function runIn(dir: string, out: string) {
  return runCli([path.join(t.dir, 'site.yaml'), '-e', `out=${out}`, '--state-dir', dir], { cwd: t.dir });
}

function procState(pid: number): string {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

/** A process that stays alive for the test, as a lock holder. */
function liveProcess(): ChildProcess {
  const c = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

describe('state directory guards', () => {
  it('a killed but unreaped (zombie) lock holder holds nothing', async () => {
    // sh starts a short sleep in the background, then becomes a long sleep that never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.2 & exec sleep 60'], { stdio: 'ignore' });
    children.push(parent);
    let zombie = 0;
    for (let i = 0; i < 200 && !zombie; i++) {
      await sleep(20);
      const kids = spawnSync('pgrep', ['-P', String(parent.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
      zombie = kids.find((k) => { try { return procState(k) === 'Z'; } catch { return false; } }) ?? 0;
    }
    assert.ok(zombie, 'no zombie appeared');
    const dir = stateDir('zombie');
    writeLock(dir, { pid: zombie, startTicks: processStartTicks(zombie) });
    const out = path.join(t.dir, 'zombie.out');
    const r = await runIn(dir, out);
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`taking over the stale lock .* of pid ${zombie} .*: that process is gone`));
    assert.equal(fs.readFileSync(out, 'utf8'), 'converged\n');
    assert.equal(fs.existsSync(path.join(dir, 'lock')), false, 'the lock was released');
  });

  it('a lock without a start time: a pid reused by a later process holds nothing; the process that took it still blocks', async () => {
    const holder = liveProcess();
    await sleep(100);
    // Written an hour before this process started: its pid was reused.
    const stale = stateDir('unknown-start-stale');
    writeLock(stale, { pid: holder.pid, startTicks: null, since: new Date(Date.now() - 3600_000).toISOString() });
    const r = await runIn(stale, path.join(t.dir, 'stale.out'));
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /taking over the stale lock/);

    // Written after the process started: that process may hold it, and the run must wait or fail.
    const live = stateDir('unknown-start-live');
    writeLock(live, { pid: holder.pid, startTicks: null, since: new Date().toISOString() });
    const busy = await runIn(live, path.join(t.dir, 'live.out'));
    assert.equal(busy.rc, 5, busy.stdout + busy.stderr);
    assert.match(busy.stderr, new RegExp(`another converge run holds the lock .*pid ${holder.pid}`));
    assert.equal(fs.existsSync(path.join(t.dir, 'live.out')), false, 'the blocked run changed something');
  });

  it('a history.jsonl planted as a symbolic link is never written through', async () => {
    const dir = stateDir('symlink');
    const victim = path.join(t.dir, 'victim');
    fs.writeFileSync(victim, 'root-owned content\n', { mode: 0o600 });
    fs.symlinkSync(victim, path.join(dir, 'history.jsonl'));
    const out = path.join(t.dir, 'symlink.out');
    const r = await runIn(dir, out);
    assert.equal(r.rc, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^error: .*history\.jsonl is a symbolic link: converge does not write its state through it; nothing was run/m);
    assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'root-owned content\n');
    assert.equal(fs.existsSync(out), false, 'the run went ahead');
    // `converge history` does not read through it either.
    const h = await runCli(['history', '--state-dir', dir]);
    assert.doesNotMatch(h.stdout + h.stderr, /root-owned content/);
  });

  it('an existing state directory open to everyone is made private; one owned by another user is refused', async () => {
    const dir = path.join(t.dir, 'open');
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o777);
    const r = await runIn(dir, path.join(t.dir, 'open.out'));
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);

    const foreign = path.join(t.dir, 'foreign');
    fs.mkdirSync(foreign, { mode: 0o700 });
    fs.chownSync(foreign, 65534, 65534);
    const f = await runIn(foreign, path.join(t.dir, 'foreign.out'));
    assert.equal(f.rc, 5, f.stdout + f.stderr);
    assert.match(f.stderr, /state directory .*foreign belongs to uid 65534, not to this user/);
    assert.equal(fs.existsSync(path.join(t.dir, 'foreign.out')), false);
    assert.deepEqual(fs.readdirSync(foreign), []);
  });
});
