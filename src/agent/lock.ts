// One lock per state directory, taken by the agent for each run and by a
// manual `converge` run, so that two converge processes never change the same
// hosts at once. The lock file holds the owner's pid and its kernel start
// time: a lock whose process is gone (or whose pid now belongs to another
// process) is stale and is taken over, with a message.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensurePrivateDir, tempNameFor, tempOwnerPid } from '../state/atomic-file.js';
import { UsageError } from '../config/errors.js';

export interface LockOwner {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/PID/stat field 22): tells pid reuse apart. */
  startTicks: number | null;
  /** When the lock was taken (ISO time). */
  since: string;
  /** "agent", "run" ...: what holds it, for the message a waiting person reads. */
  command: string;
  playbook?: string;
}

/**
 * The lock is held by a live process. A UsageError, so that the CLI prints the
 * message (not a stack) and exits with the bad-usage code: the person chose
 * to run now rather than wait (--wait-lock).
 */
export class LockBusyError extends UsageError {
  constructor(public readonly lockFile: string, public readonly owner: LockOwner | null, hint?: string) {
    super(`another converge run holds the lock ${lockFile}: ${describeOwner(owner)}${hint ? `; ${hint}` : ''}`);
    this.name = 'LockBusyError';
  }
}

export function describeOwner(o: LockOwner | null): string {
  if (!o) return 'another converge process';
  return `pid ${o.pid} (converge ${o.command}${o.playbook ? ` ${o.playbook}` : ''}, since ${o.since})`;
}

export function processStartTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

/** The process state letter (/proc/PID/stat field 3): Z is a zombie, X dead. */
function processState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

/** Running: a killed process its parent has not reaped yet (a zombie) holds nothing. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = processState(pid);
  return state !== 'Z' && state !== 'X';
}

/** Clock ticks per second of /proc/PID/stat's start time (USER_HZ: 100 on every Linux ABI). */
const USER_HZ = 100;

/** When a process started (ms since the epoch), from its start ticks and the boot time. */
function processStartMs(pid: number): number | null {
  const ticks = processStartTicks(pid);
  if (ticks === null) return null;
  try {
    const btime = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    return btime ? Number(btime[1]) * 1000 + (ticks / USER_HZ) * 1000 : null;
  } catch {
    return null;
  }
}

/** Whether the owner recorded in a lock file is still the same running process. */
export function ownerAlive(o: LockOwner): boolean {
  if (!Number.isInteger(o.pid) || o.pid <= 0 || !processAlive(o.pid)) return false;
  if (o.startTicks === null || typeof o.startTicks !== 'number') {
    // No start time recorded: the pid is the owner only if that process was already running when
    // the lock was taken. One that started later reuses the pid; an unreadable time holds nothing.
    const since = Date.parse(o.since);
    const started = processStartMs(o.pid);
    if (!Number.isFinite(since) || started === null) return false;
    return started <= since + 2000;
  }
  const now = processStartTicks(o.pid);
  return now === null || now === o.startTicks;
}

export function readLockOwner(lockFile: string): LockOwner | null | 'absent' {
  let text: string;
  try {
    text = fs.readFileSync(lockFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw e;
  }
  try {
    const o = JSON.parse(text) as LockOwner;
    return typeof o.pid === 'number' ? o : null;
  } catch {
    return null;
  }
}

export interface LockOptions {
  command: string;
  playbook?: string;
  /** Wait for a live holder to finish instead of failing. */
  wait?: boolean;
  /** Told about stale takeovers and waiting (default: stderr). */
  say?: (message: string) => void;
  /** Poll interval while waiting. */
  pollMs?: number;
  /** Stops waiting (SIGINT while waiting). */
  cancelled?: () => boolean;
}

export class StateLock {
  private released = false;
  constructor(readonly file: string, readonly owner: LockOwner) {}

  /** Removes the lock if it is still ours (never another process's). */
  release(): void {
    if (this.released) return;
    this.released = true;
    const cur = readLockOwner(this.file);
    if (cur !== 'absent' && cur !== null && cur.pid === this.owner.pid && cur.since === this.owner.since) {
      fs.rmSync(this.file, { force: true });
    }
  }
}

/**
 * Creates `file` with `content` only if it does not exist. The content is
 * written to a private temp file first and hard-linked into place: link(2)
 * fails with EEXIST exactly like open(O_CREAT|O_EXCL), and the lock is never
 * seen empty by another process.
 */
function createExclusive(file: string, content: string): boolean {
  const tmp = tempNameFor(file);
  try {
    // Inside the try: a full disk fails the write after the file was created.
    fs.writeFileSync(tmp, content, { flag: 'wx', mode: 0o644 });
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Removes a stale lock. Two processes may find the same stale lock; the
 * removal is done under a short second lock so that one of them cannot delete
 * the fresh lock the other has just taken.
 */
function removeStale(file: string, stale: LockOwner | null, say: (m: string) => void): void {
  const guard = `${file}.takeover`;
  const me = JSON.stringify({ pid: process.pid, startTicks: processStartTicks(process.pid), since: new Date().toISOString(), command: 'takeover' });
  if (!createExclusive(guard, me)) {
    const g = readLockOwner(guard);
    // A takeover guard whose process died (killed within those microseconds) is removed; then retry later.
    if (g === null || (g !== 'absent' && !ownerAlive(g))) fs.rmSync(guard, { force: true });
    return;
  }
  try {
    const cur = readLockOwner(file);
    const same = cur === null ? stale === null : cur !== 'absent' && stale !== null && cur.pid === stale.pid && cur.since === stale.since;
    if (cur !== 'absent' && same) {
      fs.rmSync(file, { force: true });
      say(`converge: taking over the stale lock ${file} of ${describeOwner(stale)}: that process is gone`);
    }
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

/**
 * Temp files of state writes whose process is gone (killed mid-write): the
 * lock holder removes them, so that none outlives the run after the one that
 * died. Those of a live process are left alone.
 */
function sweepOrphanTemps(stateDir: string): void {
  for (const sub of ['', 'writes-in-progress', 'pending-handlers']) {
    const dir = path.join(stateDir, sub);
    let names: string[];
    try { names = fs.readdirSync(dir); } catch { continue; }
    for (const n of names) {
      const pid = tempOwnerPid(n);
      if (pid === null || pid === process.pid || processAlive(pid)) continue;
      try { fs.rmSync(path.join(dir, n), { force: true }); } catch { /* next time */ }
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the state directory's lock; throws LockBusyError if a live process holds it and `wait` is off. */
export async function acquireLock(stateDir: string, o: LockOptions): Promise<StateLock> {
  // Private: the history holds before/after values and diffs of managed files.
  ensurePrivateDir(stateDir);
  const file = path.join(stateDir, 'lock');
  const say = o.say ?? ((m: string) => process.stderr.write(m + '\n'));
  const owner: LockOwner = { pid: process.pid, startTicks: processStartTicks(process.pid), since: new Date().toISOString(), command: o.command, playbook: o.playbook };
  let told = false;
  let unreadable = 0;
  for (;;) {
    if (createExclusive(file, JSON.stringify(owner) + '\n')) {
      sweepOrphanTemps(stateDir);
      return new StateLock(file, owner);
    }
    const cur = readLockOwner(file);
    if (cur === 'absent') continue;
    // An unparsable lock was not written by converge's createExclusive; give it a few polls before calling it stale.
    if (cur === null ? ++unreadable > 3 : !ownerAlive(cur)) {
      removeStale(file, cur, say);
      continue;
    }
    if (cur !== null && cur.pid === process.pid) throw new LockBusyError(file, cur);
    if (!o.wait && cur !== null) throw new LockBusyError(file, cur);
    if (o.cancelled?.()) throw new LockBusyError(file, cur);
    if (!told && cur !== null) {
      say(`converge: waiting for the lock ${file}, held by ${describeOwner(cur)}`);
      told = true;
    }
    await sleep(o.pollMs ?? 200);
  }
}
