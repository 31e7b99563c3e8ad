// What SshHost needs from a file backend. Two implement it: SFTP as the login
// user (ssh-sftp-files.ts) and fixed helper scripts through sudo
// (ssh-sudo-files.ts) when the login user is not the user we become.

import type { FileStat } from './host.js';

/** Numeric ownership; -1 means "leave as is". */
export interface NumericWrite {
  mode?: number;
  uid: number;
  gid: number;
}

export interface FileOps {
  readFile(path: string): Promise<Buffer | null>;
  stat(path: string): Promise<FileStat>;
  /** Atomic; an existing regular file keeps mode/uid/gid that are not given. */
  writeFile(path: string, content: Buffer, opts: NumericWrite): Promise<void>;
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
