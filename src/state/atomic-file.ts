// converge's own state files on the controller (history, agent info, pending
// handlers, the journal of writes): written whole or not at all, like every
// file converge manages, and never through a symbolic link planted in the
// state directory. A failed write (a full disk) leaves neither a temp file nor
// a shortened file behind.

import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW, O_RDONLY, O_DIRECTORY } = fs.constants;

/** `.NAME.PID.HEX.tmp`: the pid tells a sweep whether the writer is still alive. */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** The pid in a temp name made by tempNameFor, or null for any other name. */
export function tempOwnerPid(name: string): number | null {
  const m = /^\..+\.(\d+)\.[0-9a-f]{8,12}\.tmp$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** write(2) may write less than asked (a disk filling up): loop until all is written or it throws. */
function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

/** `durable`: fsync before the rename (off where only a killed process, not a power cut, matters). */
export function writeFileAtomicSync(file: string, content: string, mode = 0o600, durable = true): void {
  const tmp = tempNameFor(file);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    try {
      writeAll(fd, Buffer.from(content));
      if (durable) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads a state file, refusing a symbolic link (ELOOP) instead of following it. */
export function readFileNoFollowSync(file: string): string {
  const fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW);
  try {
    if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EINVAL' });
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Appends `text` as one write with O_APPEND, never through a symbolic link.
 * If the write fails part-way (ENOSPC), the file is cut back to its old
 * length: it keeps every byte it had and gains no torn line.
 */
export function appendFileSafeSync(file: string, text: string, mode = 0o600): void {
  const fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, mode);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EINVAL' });
    try {
      writeAll(fd, Buffer.from(text));
      fs.fsyncSync(fd);
    } catch (e) {
      try { fs.ftruncateSync(fd, st.size); } catch { /* the error below says what happened */ }
      throw e;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The state directory, private to its owner: created 0700, or an existing one
 * tightened to 0700 (through a descriptor, never by a path that could be
 * swapped). A directory owned by another user is refused: that user could
 * plant links in it.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY);
  try {
    const st = fs.fstatSync(fd);
    const uid = process.geteuid?.() ?? st.uid;
    if (st.uid !== uid) {
      throw Object.assign(new Error(`the state directory ${dir} belongs to uid ${st.uid}, not to this user (uid ${uid}): refusing to keep state where another user can change it`), { code: 'EPERM_OWNER' });
    }
    if ((st.mode & 0o777) !== 0o700) fs.fchmodSync(fd, 0o700);
  } finally {
    fs.closeSync(fd);
  }
}
