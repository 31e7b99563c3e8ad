// Secrets given with -e never show in ps (issue 16, item 6), as far as
// converge can make that true. From the moment converge is spawned until it
// has exited, this test reads converge's /proc/PID/cmdline in a tight loop
// and, every few reads, the command line of every process on the machine
// (converge's children among them: the playbook runs a command).
//
// -e @FILE and -e @/dev/stdin: the secret is in no command line, ever.
// Inline -e db_password=...: the shell hands that argv to the kernel, and ps
// shows it from the execve on, before any code of converge's can run; converge
// masks it as its first act once node has started, and warns. The test
// measures that window and holds converge to the rest: masked before it does
// any work (its first child), never visible again, never in a child.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { CLI, tempDir } from './cli-process.js';
import { report } from './race-fixture.js';

const SECRET = `Ps-Secret-${process.pid}-${Date.now().toString(36)}`;
let work: { dir: string; remove: () => void };
const figures: string[] = [];

before(() => {
  work = tempDir('ps-secrets');
  // A child of converge's own (the command) that lives long enough to be seen, and the secret put to use.
  fs.writeFileSync(path.join(work.dir, 'pb.yaml'), `- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - command: sleep 1
    - copy: { content: "{{ db_password }}", dest: "${work.dir}/out/{{ tag }}", mode: "0600" }
`);
  fs.mkdirSync(path.join(work.dir, 'out'));
});

after(() => {
  work?.remove();
  report('ps-secrets', figures);
});

interface Watched {
  rc: number | null;
  stdout: string;
  stderr: string;
  /** Reads of converge's own command line while it ran. */
  reads: number;
  /** Times (ms after spawn) the secret was in converge's own command line. */
  ownSightings: number[];
  /** The first read (ms after spawn) that showed converge's masked command line. */
  maskedAt?: number;
  /** Passes over every process, and the processes other than converge seen with the secret. */
  scans: number;
  others: string[];
  /** First time (ms after spawn) a child of converge's was seen. */
  firstChildAt?: number;
  /** converge's command line at the last read (diagnostics). */
  last?: string | null;
}

function readCmdline(pid: string | number): string | null {
  try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1'); } catch { return null; }
}

function parentOf(pid: string): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch { return undefined; }
}

/**
 * Runs converge and watches ps until it is gone. Reads of converge's command
 * line are back to back; every 2 ms the loop lets the event loop turn once
 * (converge's stdin must reach its end, its output be drained), and between two
 * reads it looks at 8 other processes, going round every process on the machine.
 */
async function watched(args: string[], stdin?: string): Promise<Watched> {
  const t0 = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: work.dir, env: { ...process.env, NO_COLOR: '1', CONVERGE_STATE_DIR: path.join(work.dir, 'state') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const w: Watched = { rc: null, stdout: '', stderr: '', reads: 0, ownSightings: [], scans: 0, others: [] };
  child.stdout!.on('data', (d: Buffer) => { w.stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { w.stderr += d.toString(); });
  const closed = new Promise<void>((resolve) => child.on('close', (rc) => { w.rc = rc; resolve(); }));
  let exited = false;
  child.on('exit', () => { exited = true; });
  child.stdin!.end(stdin ?? '');
  const pid = child.pid!;
  let exec = false;
  let yielded = 0;
  let pending: string[] = [];
  while (!exited && ms() < 120_000) {
    const own = readCmdline(pid);
    w.last = own;
    if (own === null || (exec && own === '')) break;
    // Before the execve, the forked child still shows this test's own command line.
    if (own.includes(CLI)) exec = true;
    if (exec) {
      w.reads++;
      if (own.includes(SECRET)) w.ownSightings.push(ms());
      else if (w.maskedAt === undefined) w.maskedAt = ms();
    }
    // The other processes, a few per read of converge's own: a full pass over /proc takes long on a loaded machine.
    if (pending.length === 0) {
      // Newest first: converge's children (pids just handed out) are looked at early in each pass.
      pending = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== pid).sort((a, b) => Number(b) - Number(a));
      w.scans++;
    }
    for (const p of pending.splice(0, 8)) {
      const parent = parentOf(p);
      if (parent === pid && w.firstChildAt === undefined) w.firstChildAt = ms();
      const c = readCmdline(p);
      if (c?.includes(SECRET)) w.others.push(`${p} (parent ${parent}): ${c.split('\0').join(' ')}`);
    }
    if (ms() - yielded >= 2) {
      await new Promise((r) => setImmediate(r));
      yielded = ms();
    }
  }
  await closed;
  return w;
}

function assertUsed(w: Watched, tag: string): void {
  assert.equal(w.rc, 0, w.stdout + w.stderr);
  assert.equal(fs.readFileSync(path.join(work.dir, 'out', tag), 'utf8'), SECRET, 'the secret did not reach the playbook');
  assert.ok(!(w.stdout + w.stderr).includes(SECRET), 'the secret was printed');
  // The watch must have been able to see it: many reads of the live process, and its child.
  assert.ok(w.reads > 50 && w.scans > 3, `too few samples (${w.reads} reads, ${w.scans} scans)`);
  assert.ok(w.firstChildAt !== undefined, `converge's command child was never seen: the scan is blind (${w.reads} reads, ${w.scans} scans, last ${JSON.stringify(w.last)})`);
}

it('-e @FILE and -e @/dev/stdin: the secret is in no process\'s command line from spawn to exit', async () => {
  const file = path.join(work.dir, 'secret.yaml');
  fs.writeFileSync(file, `db_password: ${SECRET}\n`, { mode: 0o600 });
  const viaFile = await watched(['pb.yaml', '-e', `@${file}`, '-e', 'tag=file', '-v']);
  assertUsed(viaFile, 'file');
  const viaStdin = await watched(['pb.yaml', '-e', '@/dev/stdin', '-e', 'tag=stdin', '-v'], `db_password: ${SECRET}\n`);
  assertUsed(viaStdin, 'stdin');
  for (const [how, w] of [['@FILE', viaFile], ['@/dev/stdin', viaStdin]] as const) {
    assert.deepEqual(w.ownSightings, [], `${how}: in converge's command line`);
    assert.deepEqual(w.others, [], `${how}: in another process's command line`);
    assert.doesNotMatch(w.stderr, /warning: -e/);
    figures.push(`-e ${how}: 0 of ${w.reads} reads of converge's command line and 0 of ${w.scans} scans of every process showed the secret`);
  }
});

it('inline -e db_password=...: visible only until node has started converge, masked before any work, never in a child; converge warns', async () => {
  const w = await watched(['pb.yaml', '-e', `db_password=${SECRET}`, '-e', 'tag=inline']);
  assertUsed(w, 'inline');
  assert.match(w.stderr, /warning: -e db_password=\.\.\.: a value on the command line can be read by every local user/);
  assert.ok(w.maskedAt !== undefined, 'never masked');
  const last = w.ownSightings.length ? w.ownSightings[w.ownSightings.length - 1] : 0;
  // Once masked, never back; masked before converge started its first child.
  assert.ok(last < w.maskedAt!, `seen again after masking: ${w.ownSightings.filter((t) => t > w.maskedAt!).join(', ')} ms`);
  assert.ok(w.maskedAt! < w.firstChildAt!, `masked at ${w.maskedAt} ms, first child at ${w.firstChildAt} ms`);
  assert.deepEqual(w.others, [], 'in another process\'s command line');
  figures.push(`inline -e: visible in ${w.ownSightings.length} of ${w.reads} reads, until ${last.toFixed(0)} ms after spawn `
    + `(masked at ${w.maskedAt!.toFixed(0)} ms, first child at ${w.firstChildAt!.toFixed(0)} ms), in no other process (${w.scans} scans)`);
});
