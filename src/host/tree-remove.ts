// Recursive removal that never leaves the tree it was asked to remove.
//
// Node's fs.rm walks by path: it lstats a name, sees a directory, and later
// opens "dir/name/..." by path again. A user who owns a directory inside the
// tree swaps it for a link to /etc between the two steps, and root deletes
// /etc's files. Here, as in coreutils rm (fts with O_NOFOLLOW and openat),
// each directory is opened without following links and its entries are
// removed through that descriptor (/proc/self/fd/N/NAME, see pinned-path.ts):
// a directory swapped for a link is seen as a link, and the link itself is
// removed, never what it points to.

import * as fs from 'node:fs';
import { at, DIR_FLAGS } from './pinned-path.js';

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** Yields to the event loop now and then, so a huge tree does not freeze progress output. */
class Pacer {
  private n = 0;
  async step(): Promise<void> {
    if (++this.n % 512 === 0) await new Promise((r) => setImmediate(r));
  }
}

function unlinkQuiet(path: string): void {
  try { fs.unlinkSync(path); } catch (e) { if (code(e) !== 'ENOENT') throw e; }
}

/** Empties the directory open as `fd`, entry by entry through the descriptor. */
async function emptyDir(fd: number, pacer: Pacer): Promise<void> {
  for (const entry of fs.readdirSync(at(fd))) {
    await removeAt(fd, entry, pacer);
    await pacer.step();
  }
}

/** Removes `name` from the directory open as `dirFd`: a file, a link (not its target) or a whole tree. */
export async function removeAt(dirFd: number, name: string, pacer = new Pacer()): Promise<void> {
  // A directory that is replaced while it is emptied (by another directory) is tried again, a bounded number of times.
  for (let attempt = 0; attempt < 3; attempt++) {
    let st: fs.Stats;
    try { st = fs.lstatSync(at(dirFd, name)); } catch (e) { if (code(e) === 'ENOENT') return; throw e; }
    if (!st.isDirectory()) return unlinkQuiet(at(dirFd, name));
    let fd: number;
    try {
      fd = fs.openSync(at(dirFd, name), DIR_FLAGS);
    } catch (e) {
      // Swapped for a link or a file since the lstat: remove what is there now, not what it points to.
      if (code(e) === 'ELOOP' || code(e) === 'ENOTDIR') { unlinkQuiet(at(dirFd, name)); return; }
      if (code(e) === 'ENOENT') return;
      throw e;
    }
    try { await emptyDir(fd, pacer); } finally { fs.closeSync(fd); }
    try {
      fs.rmdirSync(at(dirFd, name));
      return;
    } catch (e) {
      if (code(e) === 'ENOENT') return;
      if (code(e) === 'ENOTDIR') { unlinkQuiet(at(dirFd, name)); return; }
      if (code(e) !== 'ENOTEMPTY' && code(e) !== 'EEXIST') throw e;
    }
  }
  throw Object.assign(new Error(`${name} kept changing while it was being removed`), { code: 'ENOTEMPTY' });
}
