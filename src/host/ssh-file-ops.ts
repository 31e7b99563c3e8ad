// What SshHost needs from a file backend. Two implement it: SFTP as the login
// user (ssh-sftp-files.ts) and fixed helper scripts through sudo
// (ssh-sudo-files.ts) when the login user is not the user we become.

import type { ContentStream } from './content-stream.js';
import { HostOperationError, type FileStat } from './host.js';

/** Numeric ownership; -1 means "leave as is". */
export interface NumericWrite {
  mode?: number;
  uid: number;
  gid: number;
}

export interface FileOps {
  readFile(path: string): Promise<Buffer | null>;
  stat(path: string): Promise<FileStat>;
  /** SHA-1 (hex) computed on the host; null when missing. See Host.checksum. */
  checksum(path: string): Promise<string | null>;
  /** Atomic; an existing regular file keeps mode/uid/gid that are not given. */
  writeFile(path: string, content: Buffer | ContentStream, opts: NumericWrite): Promise<void>;
  mkdir(path: string, mode: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** lchown semantics: a link itself, not what it points to. */
  chown(path: string, uid: number, gid: number): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  link(target: string, path: string): Promise<void>;
  remove(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
}

export function fileTypeOf(mode: number): FileStat['type'] {
  switch (mode & 0o170000) {
    case 0o100000: return 'file';
    case 0o040000: return 'directory';
    case 0o120000: return 'link';
    default: return 'other';
  }
}

/**
 * The checksum of $1 as the host computes it: rc 3 when missing, the
 * sha1sum of its content otherwise (a link is followed; only a regular file
 * is read: a device would be read forever).
 */
export const CHECKSUM_SCRIPT = '[ -e "$1" ] || exit 3; [ -f "$1" ] || { echo "$1: not a regular file" >&2; exit 1; }; exec sha1sum < "$1"';

/** The hex digest from CHECKSUM_SCRIPT's result; null for rc 3. */
export function checksumFrom(path: string, rc: number, stdout: string, stderr: string): string | null {
  if (rc === 3) return null;
  const m = /^([0-9a-f]{40})\b/.exec(stdout);
  if (rc === 0 && m) return m[1];
  const why = stderr.trim().split('\n').pop() || `exit ${rc}`;
  throw new HostOperationError(`checksum ${path}: ${rc === 127 ? 'sha1sum is not installed on the host' : why}`, 'EIO');
}
