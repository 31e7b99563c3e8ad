// Replays what happened to converge's temp files (.NAME.converge-*.tmp) from
// an `strace -f -y` log: created with which effective mode, chowned and
// chmodded when, first written when, renamed onto which target. This is how
// the tests see the file's permissions at its first byte, whatever process
// (node, sftp-server, a helper shell, chmod, cat) did the work.

import * as path from 'node:path';
import { straceLines } from './exec-trace.js';

export const FILE_SYSCALLS = 'openat,open,creat,fchmod,fchmodat,chmod,fchown,fchownat,chown,lchown,write,pwrite64,writev,rename,renameat,renameat2,umask,clone,clone3,vfork,fork';

export interface TempEvent { kind: 'create' | 'chmod' | 'chown' | 'write' | 'rename'; mode?: number; uid?: number; gid?: number; to?: string }
export interface TempHistory { path: string; events: TempEvent[]; target?: string }

const TEMP = /\.converge-[0-9a-f]{12}\.tmp$/;

/** "AT_FDCWD</cwd>", "\"name\"" -> absolute path */
function resolveAtCwd(dirArg: string, nameArg: string): string {
  const name = nameArg.replace(/^"|"$/g, '');
  if (name.startsWith('/')) return path.normalize(name);
  const cwd = /<(.*)>$/.exec(dirArg)?.[1] ?? '/';
  return path.join(cwd, name);
}

function fdPath(arg: string): string | undefined {
  return /^\d+<(.*)>$/.exec(arg.trim())?.[1];
}

/** Top-level comma split of a syscall's argument list (strings and braces kept whole). */
function args(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      cur += c;
      if (c === '\\') { cur += s[++i]; continue; }
      if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') { inStr = true; cur += c; continue; }
    if ('[{('.includes(c)) depth++;
    if (']})'.includes(c)) depth--;
    if (c === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const num = (s: string) => (s.startsWith('0') && s.length > 1 ? parseInt(s, 8) : Number(s));

/**
 * Each process's umask at a point of the log: its own last umask() before it,
 * else its parent's at the fork. Two passes, because strace -f may print a
 * child's first calls before the line where the parent's fork returns.
 */
class Umasks {
  private own = new Map<number, Array<[number, number]>>();
  private forkedFrom = new Map<number, [number, number]>();
  set(pid: number, at: number, mask: number): void {
    const l = this.own.get(pid) ?? [];
    l.push([at, mask]);
    this.own.set(pid, l);
  }
  fork(parent: number, child: number, at: number): void { this.forkedFrom.set(child, [parent, at]); }
  /** Unknown (a process whose ancestry the trace does not show): 0, the strictest reading. */
  at(pid: number, at: number, depth = 0): number {
    const mine = (this.own.get(pid) ?? []).filter(([i]) => i < at).pop();
    if (mine) return mine[1];
    const from = this.forkedFrom.get(pid);
    return from && depth < 64 ? this.at(from[0], from[1], depth + 1) : 0;
  }
}

const CALL_RE = /^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)(?:<(.*)>)?(?: .*)?$/;
const FORKS = new Set(['clone', 'clone3', 'vfork', 'fork']);

export function tempHistories(logFile: string): TempHistory[] {
  const lines = straceLines(logFile);
  const umask = new Umasks();
  lines.forEach((line, i) => {
    const m = CALL_RE.exec(line);
    if (!m || Number(m[4]) < 0) return;
    if (m[2] === 'umask') umask.set(Number(m[1]), i, num(m[3].trim()));
    else if (FORKS.has(m[2]) && Number(m[4]) > 0) umask.fork(Number(m[1]), Number(m[4]), i);
  });
  const hist = new Map<string, TempHistory>();
  const get = (p: string) => {
    let h = hist.get(p);
    if (!h) { h = { path: p, events: [] }; hist.set(p, h); }
    return h;
  };
  // converge names files through directory descriptors (/proc/self/fd/N/NAME, pinned-path.ts): N's path is
  // known from the open that returned it (strace -y prints it after the result).
  const dirOf = new Map<number, string>();
  const resolveAt = (dirArg: string, nameArg: string): string => {
    const p = resolveAtCwd(dirArg, nameArg);
    const viaFd = /^\/proc\/self\/fd\/(\d+)(\/.*)?$/.exec(p);
    return viaFd && dirOf.has(Number(viaFd[1])) ? path.join(dirOf.get(Number(viaFd[1]))!, viaFd[2] ?? '') : p;
  };
  for (const [i, line] of lines.entries()) {
    const m = CALL_RE.exec(line);
    if (!m) continue;
    const [, pidS, call, argText, retS, retPath] = m;
    const pid = Number(pidS);
    const ret = Number(retS);
    if (ret < 0 || call === 'umask' || FORKS.has(call)) continue;
    if ((call === 'openat' || call === 'open') && retPath) dirOf.set(ret, retPath);
    const a = args(argText);
    let p: string | undefined;
    let ev: TempEvent | undefined;
    switch (call) {
      case 'openat': case 'open': case 'creat': {
        const flags = call === 'openat' ? a[2] : call === 'open' ? a[1] : 'O_CREAT';
        const modeArg = call === 'openat' ? a[3] : call === 'open' ? a[2] : a[1];
        p = retPath ?? (call === 'openat' ? resolveAt(a[0], a[1]) : resolveAt('', a[0]));
        if (!TEMP.test(p) || !/O_CREAT/.test(flags ?? '')) continue;
        if (hist.has(p) && hist.get(p)!.events.some((e) => e.kind === 'create')) continue; // reopened (cat >>)
        ev = { kind: 'create', mode: num(modeArg ?? '0') & ~umask.at(pid, i) & 0o7777 };
        break;
      }
      case 'fchmod': p = fdPath(a[0]); ev = { kind: 'chmod', mode: num(a[1]) }; break;
      case 'fchmodat': p = resolveAt(a[0], a[1]); ev = { kind: 'chmod', mode: num(a[2]) }; break;
      case 'chmod': p = resolveAt('', a[0]); ev = { kind: 'chmod', mode: num(a[1]) }; break;
      case 'fchown': p = fdPath(a[0]); ev = { kind: 'chown', uid: Number(a[1]), gid: Number(a[2]) }; break;
      case 'fchownat': p = resolveAt(a[0], a[1]); ev = { kind: 'chown', uid: Number(a[2]), gid: Number(a[3]) }; break;
      case 'chown': case 'lchown': p = resolveAt('', a[0]); ev = { kind: 'chown', uid: Number(a[1]), gid: Number(a[2]) }; break;
      case 'write': case 'pwrite64': case 'writev': p = fdPath(a[0]); ev = ret > 0 ? { kind: 'write' } : undefined; break;
      case 'rename': p = resolveAt('', a[0]); ev = { kind: 'rename', to: resolveAt('', a[1]) }; break;
      case 'renameat': case 'renameat2': p = resolveAt(a[0], a[1]); ev = { kind: 'rename', to: resolveAt(a[2], a[3]) }; break;
      default: continue;
    }
    if (!p || !ev || !TEMP.test(p)) continue;
    const h = get(p);
    h.events.push(ev);
    if (ev.kind === 'rename') h.target = ev.to;
  }
  return [...hist.values()];
}

export interface Verdict { ok: boolean; why: string }

/**
 * The temp file had the target's final mode (and owner, when not the creator's)
 * before its first byte, was never group/other accessible before that, and
 * its permissions did not change after it.
 */
export function judgeTemp(h: TempHistory, want: { mode: number; uid: number; gid: number }, creator = { uid: 0, gid: 0 }): Verdict {
  const create = h.events.find((e) => e.kind === 'create');
  if (!create) return { ok: false, why: 'creation not seen' };
  if (create.mode! & 0o077) return { ok: false, why: `created with mode ${create.mode!.toString(8)} (group/other bits)` };
  let mode = create.mode!;
  let { uid, gid } = creator;
  let written = false;
  for (const e of h.events) {
    if (e.kind === 'chmod') {
      if (written) return { ok: false, why: `chmod ${e.mode!.toString(8)} after the first write` };
      mode = e.mode!;
    } else if (e.kind === 'chown') {
      if (written) return { ok: false, why: 'chown after the first write' };
      if (e.uid !== -1) uid = e.uid!;
      if (e.gid !== -1) gid = e.gid!;
      // chown by root clears setuid/setgid on a regular file.
      mode &= ~0o6000;
    } else if (e.kind === 'write' && !written) {
      written = true;
      if (mode !== want.mode) return { ok: false, why: `first byte written while mode ${mode.toString(8)}, wanted ${want.mode.toString(8)}` };
      if (uid !== want.uid || gid !== want.gid) return { ok: false, why: `first byte written while owned ${uid}:${gid}, wanted ${want.uid}:${want.gid}` };
    }
  }
  return { ok: true, why: written ? 'mode and owner set before the first byte' : 'empty file' };
}
