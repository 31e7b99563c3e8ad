// Paths resolved one component at a time on open directory descriptors, the
// way the kernel would resolve them inside a root (the build machine's `/` or
// a chroot tree), for the root process acting where other users may race it.
//
// Node has no openat(2). /proc/self/fd/N/NAME is the same thing: the kernel
// jumps to the directory descriptor N holds and looks NAME up in it, so a
// component swapped for a symbolic link after N was opened cannot redirect
// the lookup. Each step opens the next directory with O_NOFOLLOW; a link is
// followed by hand only when root (or converge's own user) owns it, since
// another user's link can be made to point anywhere at any moment. Absolute
// link targets and `..` stay inside the root, as chroot(2) keeps them: `..`
// returns to the descriptor the walk came from (never a physical `..`, which
// a directory renamed out of the tree would escape through).

import * as fs from 'node:fs';
import { HostOperationError } from './host.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;
/** O_PATH (Linux): a handle on the inode itself, opened without reading it (no FIFO or device side effects). */
export const O_PATH = 0o10000000;
export const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
/** Directories walked through need search permission only, as in the kernel's own path walk. */
const WALK_FLAGS = O_PATH | O_DIRECTORY | O_NOFOLLOW;
const MAX_LINKS = 40;

/** The name `name` inside the directory open as `fd`, as a path the kernel resolves through the descriptor. */
export function at(fd: number, name?: string): string {
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** Links root or converge's own user made; nobody else may steer a root write. */
export function trustedLinkOwner(uid: number): boolean {
  return uid === 0 || uid === process.geteuid?.();
}

export class UnsafeLinkError extends HostOperationError {
  constructor(shown: string, uid: number) {
    super(`refusing to follow the symbolic link ${shown}: it belongs to uid ${uid}, and a root operation through a link another user controls could land anywhere`, 'EUNSAFELINK');
  }
}

/** A directory descriptor and a single name in it; close() releases the descriptor. */
export interface Pinned {
  dir: number;
  /** One path component ('.' for the root itself). */
  name: string;
  close(): void;
}

function closeAll(fds: number[]): void {
  for (const fd of fds) { try { fs.closeSync(fd); } catch { /* already closed */ } }
}

let procChecked = false;

/** Without /proc every name below would be "missing": say what is wrong instead (a removal would silently do nothing). */
function requireProc(): void {
  if (procChecked) return;
  try { fs.statSync('/proc/self/fd'); } catch {
    throw new HostOperationError('/proc is not mounted: converge changes files through /proc/self/fd/N (directory descriptors) and cannot work safely without it', 'ENOPROC');
  }
  procChecked = true;
}

/**
 * Resolves `path` (absolute, inside `root`) to its parent directory's
 * descriptor and last name. With `followLast`, a link in the last place is
 * followed too (under the same rules), so the name returned is never a link.
 * `shown` maps a path inside the root to the one an operator knows (errors).
 */
export function pin(root: string, path: string, followLast: boolean, shown: (p: string) => string = (p) => p): Pinned {
  requireProc();
  const queue = path.split('/').filter((c) => c !== '' && c !== '.');
  const stack: number[] = [fs.openSync(root, O_PATH | O_DIRECTORY)];
  // Names walked so far, for messages: stays parallel to `stack` (minus the root).
  const names: string[] = [];
  let links = 0;
  try {
    for (;;) {
      if (queue.length === 0) return finish(stack, '.');
      const comp = queue.shift()!;
      if (comp === '..') {
        if (stack.length > 1) { fs.closeSync(stack.pop()!); names.pop(); }
        continue;
      }
      const top = stack[stack.length - 1];
      const last = queue.length === 0;
      if (last && !followLast) return finish(stack, comp);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(at(top, comp));
      } catch (e) {
        // A missing last name is the caller's business (create it, or report it absent).
        if (last && errno(e) === 'ENOENT') return finish(stack, comp);
        throw e;
      }
      if (st.isSymbolicLink()) {
        const here = shown('/' + [...names, comp].join('/'));
        if (!trustedLinkOwner(st.uid)) throw new UnsafeLinkError(here, st.uid);
        if (++links > MAX_LINKS) throw Object.assign(new Error(`too many levels of symbolic links at ${here}`), { code: 'ELOOP' });
        const target = fs.readlinkSync(at(top, comp));
        if (target.startsWith('/')) {
          closeAll(stack.splice(1));
          names.length = 0;
        }
        queue.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
        continue;
      }
      if (last) return finish(stack, comp);
      // Opened without following: a link swapped in since the lstat fails here (ELOOP) instead of being followed.
      stack.push(fs.openSync(at(top, comp), WALK_FLAGS));
      names.push(comp);
    }
  } catch (e) {
    closeAll(stack);
    throw e;
  }
}

function finish(stack: number[], name: string): Pinned {
  const dir = stack.pop()!;
  closeAll(stack);
  let closed = false;
  return { dir, name, close: () => { if (!closed) { closed = true; closeAll([dir]); } } };
}

/** Runs `f` on the pinned parent of `path` and releases the descriptor afterwards. */
export async function withPinned<T>(root: string, path: string, followLast: boolean, f: (p: Pinned) => T | Promise<T>, shown?: (p: string) => string): Promise<T> {
  const p = pin(root, path, followLast, shown);
  try { return await f(p); } finally { p.close(); }
}
