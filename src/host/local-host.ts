// The local machine, reached with node's fs and child_process (no shell).

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import {
  chmodSync, closeSync, constants as C, fstatSync, fsyncSync, lchownSync, linkSync, lstatSync, mkdirSync,
  openSync, readdirSync, readlinkSync, renameSync, symlinkSync, unlinkSync, type Stats,
} from 'node:fs';
import * as path from 'node:path';
import { AccountCache } from './accounts.js';
import { isContentStream, type FileContent } from './content-stream.js';
import { gatherFacts } from './facts.js';
import { at, O_PATH, withPinned, type Pinned } from './pinned-path.js';
import { removeAt } from './tree-remove.js';
import {
  HostOperationError,
  type CommandResult, type Facts, type FileStat, type Host, type Ownership, type RunOptions, type WriteOptions,
} from './host.js';

export function runLocal(argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    if (argv.length === 0) return resolve({ rc: 127, stdout: '', stderr: 'empty command' });
    const child = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    if (opts.timeoutMs) timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.on('error', () => { /* command exited before reading stdin */ });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      resolve({ rc: e.code === 'ENOENT' ? 127 : 126, stdout: '', stderr: `${argv[0]}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        rc: timedOut ? 124 : code ?? (signal ? 128 + 9 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

function opError(e: unknown, what: string): HostOperationError {
  const err = e as NodeJS.ErrnoException;
  return new HostOperationError(`${what}: ${err.code ?? ''} ${err.message}`.trim(), err.code);
}

/** Name of a temp file next to `target`, hidden, recognisable and unique. */
export function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.converge-${randomBytes(6).toString('hex')}.tmp`);
}

/** True when `entry` (a name in target's directory) is one of tempNameFor(target)'s names. */
export function isTempNameOf(target: string, entry: string): boolean {
  const prefix = `.${path.basename(target)}.converge-`;
  return entry.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(entry.slice(prefix.length));
}

/**
 * Filesystem operations on a directory prefix: the local host uses '/', the
 * chroot host uses its tree. Paths given by modules are absolute paths on the
 * managed system. Every change (and, inside a chroot tree, every read too) is
 * made through a descriptor of the parent directory reached by pin(), so that
 * no link another user controls, and no link out of a tree, is followed.
 */
export class PrefixedFs {
  /** Reads resolve inside the tree too; on '/', a path-based read cannot be redirected anywhere root could not read anyway. */
  private readonly pinnedReads: boolean;

  constructor(protected readonly root: string, protected readonly accounts: AccountCache) {
    this.pinnedReads = root !== '/';
  }

  real(p: string): string {
    if (!path.isAbsolute(p)) throw new HostOperationError(`path must be absolute: ${p}`);
    return this.root === '/' ? path.normalize(p) : path.join(this.root, path.normalize(p));
  }

  /** The path an operator knows, for messages. */
  private shown = (p: string): string => (this.root === '/' ? p : path.join(this.root, p));

  private pinned<T>(p: string, followLast: boolean, f: (pin: Pinned) => T | Promise<T>): Promise<T> {
    if (!path.isAbsolute(p)) throw new HostOperationError(`path must be absolute: ${p}`);
    return withPinned(this.root, path.normalize(p), followLast, f, this.shown);
  }

  /** The regular file at `p` opened for reading, or null when it does not exist. */
  private async openRegular(p: string, what: string): Promise<fs.FileHandle | null> {
    let fh: fs.FileHandle | undefined;
    try {
      // O_NONBLOCK: a FIFO planted where a file was expected must not hang the run.
      const flags = C.O_RDONLY | C.O_NONBLOCK;
      fh = this.pinnedReads
        ? await this.pinned(p, true, (pin) => fs.open(at(pin.dir, pin.name), flags | C.O_NOFOLLOW))
        : await fs.open(this.real(p), flags);
      // A device (an os-release linked to /dev/zero) would be read forever.
      if (!(await fh.stat()).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
      return fh;
    } catch (e) {
      await fh?.close().catch(() => {});
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw opError(e, `${what} ${p}`);
    }
  }

  async readFile(p: string): Promise<Buffer | null> {
    const fh = await this.openRegular(p, 'read');
    if (!fh) return null;
    try {
      return await fh.readFile();
    } catch (e) {
      throw opError(e, `read ${p}`);
    } finally {
      await fh.close().catch(() => {});
    }
  }

  async checksum(p: string): Promise<string | null> {
    const fh = await this.openRegular(p, 'checksum');
    if (!fh) return null;
    try {
      const hash = createHash('sha1');
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) return hash.digest('hex');
        hash.update(buf.subarray(0, bytesRead));
      }
    } catch (e) {
      throw opError(e, `checksum ${p}`);
    } finally {
      await fh.close().catch(() => {});
    }
  }

  async stat(p: string): Promise<FileStat> {
    let st: Stats;
    let linkTarget: string | undefined;
    try {
      if (this.pinnedReads) {
        [st, linkTarget] = await this.pinned(p, false, (pin) => {
          const s = lstatSync(at(pin.dir, pin.name));
          return [s, s.isSymbolicLink() ? readlinkSync(at(pin.dir, pin.name)) : undefined] as const;
        });
      } else {
        st = await fs.lstat(this.real(p));
        if (st.isSymbolicLink()) linkTarget = await fs.readlink(this.real(p));
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { exists: false };
      throw opError(e, `stat ${p}`);
    }
    const type = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'link' : 'other';
    const out: FileStat = {
      exists: true, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, mtimeMs: st.mtimeMs,
      ino: st.ino, nlink: st.nlink,
    };
    if (type === 'link') out.linkTarget = linkTarget;
    return out;
  }

  private ids(own: Ownership): Promise<{ uid: number; gid: number }> {
    return this.accounts.ids(own);
  }

  async writeFile(p: string, content: FileContent, opts: WriteOptions = {}): Promise<void> {
    const { uid, gid } = await this.ids(opts);
    try {
      await this.pinned(p, false, async ({ dir, name }) => {
        const old = statOrNull(at(dir, name));
        const oldFile = old?.isFile() ? old : null;
        // An existing file keeps its mode and owner unless the task says otherwise.
        const mode = opts.mode ?? (oldFile ? oldFile.mode & 0o7777 : 0o644);
        const keepUid = uid === -1 && oldFile ? oldFile.uid : uid;
        const keepGid = gid === -1 && oldFile ? oldFile.gid : gid;
        removeStaleTempsAt(dir, name);
        const tmp = tempBaseName(name);
        let fh: fs.FileHandle | undefined;
        let ino: number;
        try {
          // Created with no permissions for anyone, exclusively (a link planted under the name fails it), then given
          // its final mode and owner on the descriptor before any byte is written: a secret is never readable by others.
          fh = await fs.open(at(dir, tmp), C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o600);
          if (keepUid !== -1 || keepGid !== -1) await fh.chown(keepUid, keepGid);
          await fh.chmod(mode);
          if (isContentStream(content)) {
            for await (const chunk of content.chunks()) await writeAll(fh, chunk);
          } else await fh.writeFile(content);
          await fh.sync();
          ino = (await fh.stat()).ino;
          await fh.close();
          fh = undefined;
          renameSync(at(dir, tmp), at(dir, name));
        } catch (e) {
          if (fh) await fh.close().catch(() => {});
          try { unlinkSync(at(dir, tmp)); } catch { /* never made, or already renamed */ }
          throw e;
        }
        // The directory's owner may have renamed the temp file away and put something else under its name.
        if (lstatSync(at(dir, name)).ino !== ino) throw Object.assign(new Error('the file was replaced while it was being written'), { code: 'ERACED' });
        // Make the rename itself durable.
        try {
          const d = openSync(at(dir), C.O_RDONLY | C.O_DIRECTORY);
          try { fsyncSync(d); } finally { closeSync(d); }
        } catch { /* directories that cannot be opened for sync: the rename still happened */ }
      });
    } catch (e) {
      throw opError(e, `write ${p}`);
    }
  }

  async mkdir(p: string, mode = 0o755): Promise<void> {
    try {
      await this.pinned(p, false, ({ dir, name }) => {
        mkdirSync(at(dir, name), { mode });
        // mkdir's mode is filtered by umask: set it on the new directory's descriptor, never by path, which the
        // parent's owner could have swapped for a link to any file by now (then ELOOP, nothing changed).
        const fd = openSync(at(dir, name), O_PATH | C.O_DIRECTORY | C.O_NOFOLLOW);
        try { chmodSync(at(fd), mode); } finally { closeSync(fd); }
      });
    } catch (e) {
      throw opError(e, `mkdir ${p}`);
    }
  }

  async chmod(p: string, mode: number): Promise<void> {
    try {
      await this.pinned(p, false, ({ dir, name }) => {
        // O_PATH|O_NOFOLLOW holds the inode that is there, a link included, without opening it for reading.
        const fd = openSync(at(dir, name), O_PATH | C.O_NOFOLLOW);
        try {
          if (fstatSync(fd).isSymbolicLink()) throw Object.assign(new Error('is a symbolic link (links have no mode of their own)'), { code: 'ELOOP' });
          chmodSync(at(fd), mode);
        } finally { closeSync(fd); }
      });
    } catch (e) {
      throw opError(e, `chmod ${p}`);
    }
  }

  async chown(p: string, own: Ownership): Promise<void> {
    const { uid, gid } = await this.ids(own);
    try {
      await this.pinned(p, false, ({ dir, name }) => lchownSync(at(dir, name), uid, gid));
    } catch (e) { throw opError(e, `chown ${p}`); }
  }

  async symlink(target: string, p: string): Promise<void> {
    // Replace atomically: make the link under a temp name, rename over.
    try {
      await this.pinned(p, false, ({ dir, name }) => {
        removeStaleTempsAt(dir, name);
        const tmp = tempBaseName(name);
        try {
          symlinkSync(target, at(dir, tmp));
          renameSync(at(dir, tmp), at(dir, name));
        } catch (e) {
          try { unlinkSync(at(dir, tmp)); } catch { /* not made */ }
          throw e;
        }
      });
    } catch (e) {
      throw opError(e, `symlink ${p}`);
    }
  }

  async link(target: string, p: string): Promise<void> {
    try {
      await this.pinned(target, false, (src) => this.pinned(p, false, ({ dir, name }) => {
        removeStaleTempsAt(dir, name);
        const tmp = tempBaseName(name);
        try {
          linkSync(at(src.dir, src.name), at(dir, tmp));
          renameSync(at(dir, tmp), at(dir, name));
        } finally {
          // rename(2) between two names of one inode does nothing: the temp name would stay.
          try { unlinkSync(at(dir, tmp)); } catch { /* renamed away */ }
        }
      }));
    } catch (e) {
      throw opError(e, `link ${p}`);
    }
  }

  async remove(p: string): Promise<void> {
    try {
      await this.pinned(p, false, ({ dir, name }) => {
        if (name === '.') throw Object.assign(new Error('refusing to remove the root directory'), { code: 'EPERM' });
        return removeAt(dir, name);
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw opError(e, `remove ${p}`);
    }
  }

  async readdir(p: string): Promise<string[]> {
    try {
      if (this.pinnedReads) return await this.pinned(p, true, ({ dir, name }) => readdirSync(at(dir, name)).sort());
      return (await fs.readdir(this.real(p))).sort();
    } catch (e) { throw opError(e, `readdir ${p}`); }
  }
}

/** Chunk size of streamed reads (checksums). */
const READ_CHUNK = 1 << 20;

async function writeAll(fh: fs.FileHandle, chunk: Buffer): Promise<void> {
  for (let off = 0; off < chunk.length;) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
}

function statOrNull(p: string): Stats | null {
  try { return lstatSync(p); } catch (e) { if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null; throw e; }
}

function tempBaseName(name: string): string {
  return path.basename(tempNameFor(`/${name}`));
}

/**
 * Removes the temp files that an earlier, killed run left next to `name` in
 * the directory open as `dir` (SIGKILL or a power cut skips every cleanup).
 * Called before each write of the target: a kill mid-write leaves the target
 * old, so the next run rewrites it and sweeps up. Two runs writing the same
 * file at once are prevented by the state directory's lock, so a temp file
 * seen here is never a live one.
 */
function removeStaleTempsAt(dir: number, name: string): void {
  let names: string[];
  try { names = readdirSync(at(dir)); } catch { return; /* an unreadable directory: nothing to sweep that we could see */ }
  for (const n of names) {
    if (isTempNameOf(`/${name}`, n)) { try { unlinkSync(at(dir, n)); } catch { /* gone */ } }
  }
}

export class LocalHost extends PrefixedFs implements Host {
  readonly kind = 'local' as const;
  private factsPromise?: Promise<Facts>;

  constructor(public readonly name: string) {
    const accounts = new AccountCache({ readFile: (p) => this.readFile(p), run: (a) => this.run(a) }, true);
    super('/', accounts);
  }

  run(argv: string[], opts?: RunOptions): Promise<CommandResult> {
    return runLocal(argv, opts);
  }

  uidOf(user: string) { return this.accounts.uidOf(user); }
  gidOf(group: string) { return this.accounts.gidOf(group); }
  userName(uid: number) { return this.accounts.nameOf('passwd', uid); }
  groupName(gid: number) { return this.accounts.nameOf('group', gid); }

  facts(): Promise<Facts> {
    this.factsPromise ??= gatherFacts(this);
    return this.factsPromise;
  }

  async close(): Promise<void> { /* nothing held open */ }
}
