// A full disk under the state directory: the state directory is a small
// tmpfs holding a history of 2000 runs (its limit) and a filler file sized to
// leave 0 bytes, 8 KiB, 200 KiB and then all of the space free. Each run
// changes a 48 KiB file outside the tmpfs (so its record, with the diff, is
// large). The history must never lose a record it had and never gain a torn
// line; a run that cannot record says so in one line (no stack trace) and
// exits non-zero; no temp file is left in the state directory.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listTree, runCli, tempDir } from './cli-process.js';

const LIMIT = 2000;
let t: ReturnType<typeof tempDir>;
let state: string;
let mounted = false;
const filler = () => path.join(state, 'filler');

before(() => {
  t = tempDir('state-full');
  state = path.join(t.dir, 'state');
  fs.mkdirSync(state, { mode: 0o700 });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'cvg-state-full', state], { encoding: 'utf8' });
  assert.equal(m.status, 0, `mount tmpfs: ${m.stderr}`);
  mounted = true;
  // A history at its limit, of records as converge writes them.
  const lines: string[] = [];
  for (let i = 0; i < LIMIT; i++) {
    lines.push(JSON.stringify({
      v: 1, time: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), finished: new Date(Date.UTC(2026, 0, 1) + i * 60_000 + 900).toISOString(),
      duration_ms: 900, source: 'agent', mode: 'apply', pid: 4242, playbook: '/srv/site.yaml', inventory: [], fingerprint: `fp${i}`.padEnd(64, '0'),
      interrupted: false, exit_code: 0, hosts: { localhost: { status: 'in_sync', summary: { ok: 3, changed: 0, failed: 0, skipped: 0, unreachable: 0, ignored: 0 }, changes: [] } },
    }));
  }
  fs.writeFileSync(path.join(state, 'history.jsonl'), lines.join('\n') + '\n', { mode: 0o600 });
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), `- hosts: localhost
  gather_facts: false
  tasks:
    - name: a large file that changes on every run
      copy:
        dest: "{{ out }}/big.txt"
        content: "{% for i in range(600) %}run {{ n }} line {{ i }} {{ 'x' * 64 }}\\n{% endfor %}"
`);
  fs.mkdirSync(path.join(t.dir, 'out'));
});

after(() => {
  if (mounted) spawnSync('umount', [state]);
  t?.remove();
});

/** Fills the tmpfs, then gives back `free` bytes (0: full). */
function leaveFree(free: number): void {
  fs.rmSync(filler(), { force: true });
  const fd = fs.openSync(filler(), 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let size = 0;
  try {
    for (;;) size += fs.writeSync(fd, chunk);
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  // Single pages until the last byte is taken.
  try {
    for (;;) size += fs.writeSync(fd, chunk, 0, 4096);
  } catch { /* full */ }
  fs.ftruncateSync(fd, Math.max(0, size - free));
  fs.closeSync(fd);
}

function history(): string[] {
  return fs.readFileSync(path.join(state, 'history.jsonl'), 'utf8').split('\n').filter(Boolean);
}

/** Every name under the state directory that is not one of converge's own files, and any temp file next to the file the run writes. */
function leftOver(): string[] {
  return [
    ...listTree(state).filter((p) => !['filler', 'history.jsonl', 'state.json', 'writes-in-progress'].includes(p)),
    ...fs.readdirSync(path.join(t.dir, 'out')).filter((n) => n !== 'big.txt').map((n) => `out/${n}`),
  ];
}

let n = 0;
async function run(): Promise<{ rc: number | null; stdout: string; stderr: string; big: string }> {
  n++;
  const r = await runCli([path.join(t.dir, 'site.yaml'), '-e', `out=${path.join(t.dir, 'out')}`, '-e', `n=${n}`, '--state-dir', state], { cwd: t.dir });
  let big = '';
  try { big = fs.readFileSync(path.join(t.dir, 'out', 'big.txt'), 'utf8'); } catch { /* not yet written */ }
  return { ...r, big };
}

function noStack(text: string): void {
  assert.doesNotMatch(text, /unexpected error|^\s+at .+:\d+:\d+\)?$/m, `a stack trace:\n${text}`);
}

describe('a full disk under the state directory', () => {
  it('full: the run is refused before anything is changed; the history is untouched', async () => {
    const before = fs.readFileSync(path.join(state, 'history.jsonl'));
    leaveFree(0);
    const r = await run();
    noStack(r.stderr);
    assert.equal(r.rc, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^error: cannot take the converge lock in .*: no space left on device \(ENOSPC\); nothing was run/m);
    assert.equal(r.big, '', 'the playbook ran');
    assert.deepEqual(fs.readFileSync(path.join(state, 'history.jsonl')), before);
    assert.deepEqual(leftOver(), []);
  });

  it('nearly full (8 KiB): the run applies but cannot record; it says so, exits 1, and the history keeps every byte', async () => {
    const before = fs.readFileSync(path.join(state, 'history.jsonl'));
    leaveFree(8 * 1024);
    const r = await run();
    noStack(r.stderr);
    assert.equal(r.rc, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^error: the run finished \(exit code 0\), but it could not be recorded in .*history\.jsonl: no space left on device \(ENOSPC\)\. The history keeps every earlier record unchanged/m);
    assert.match(r.big, new RegExp(`^run ${n} line 0 `), 'the run did change the file');
    assert.deepEqual(fs.readFileSync(path.join(state, 'history.jsonl')), before, 'the history changed (torn line or lost records)');
    assert.deepEqual(leftOver(), []);
  });

  it('nearly full (200 KiB): the record is appended; the history cannot be trimmed, keeps every record and says so', async () => {
    const before = history();
    leaveFree(200 * 1024);
    const r = await run();
    noStack(r.stderr);
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`warning: .*history\\.jsonl holds ${LIMIT + 1} records, over its limit, and could not be trimmed: no space left on device \\(ENOSPC\\); no record was lost`));
    const after = history();
    assert.equal(after.length, LIMIT + 1);
    assert.deepEqual(after.slice(0, LIMIT), before);
    assert.equal(JSON.parse(after[LIMIT]).hosts.localhost.changes[0].name, 'a large file that changes on every run', 'the new record');
    assert.deepEqual(leftOver(), []);
  });

  it('space again: the next run trims to the limit, dropping only the oldest records; a dead run\'s temp file is swept', async () => {
    const before = history();
    fs.rmSync(filler());
    // What a run killed mid-write leaves: a temp file named with its (dead) pid.
    fs.writeFileSync(path.join(state, '.history.jsonl.99999999.0123456789ab.tmp'), 'partial');
    const r = await run();
    noStack(r.stderr);
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, /warning/);
    const after = history();
    assert.equal(after.length, LIMIT);
    assert.deepEqual(after.slice(0, LIMIT - 1), before.slice(before.length - (LIMIT - 1)));
    assert.equal(JSON.parse(after[LIMIT - 1]).time > JSON.parse(before[before.length - 1]).time, true);
    assert.deepEqual(leftOver(), []);
  });
});
