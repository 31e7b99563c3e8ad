// The local machine, reached with node's fs and child_process (no shell).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { constants as C } from 'node:fs';
import * as path from 'node:path';
import { AccountCache } from './accounts.js';
import { gatherFacts } from './facts.js';
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
 * Removes the temp files that an earlier, killed run left next to `target`
 * (SIGKILL or a power cut skips every cleanup). Called before each write of
 * the target: a kill mid-write leaves the target old, so the next run rewrites
 * it and sweeps up. Two runs writing the same file at once are prevented by
 * the state directory's lock, so a temp file seen here is never a live one.
 */
export async function removeStaleTemps(target: string): Promise<void> {
  let names: string[];
  try { names = await fs.readdir(path.dirname(target)); } catch { return; }
  for (const n of names) {
    if (isTempNameOf(target, n)) await fs.rm(path.join(path.dirname(target), n), { force: true }).catch(() => {});
  }
}

/**
 * Filesystem operations on a directory prefix: the local host uses '/', the
 * chroot host uses its tree. Paths given by modules are absolute paths on the
 * managed system; `real()` maps them into the tree.
 */
export class PrefixedFs {
  constructor(protected readonly root: string, protected readonly accounts: AccountCache) {}

  real(p: string): string {
    if (!path.isAbsolute(p)) throw new HostOperationError(`path must be absolute: ${p}`);
    return this.root === '/' ? path.normalize(p) : path.join(this.root, path.normalize(p));
  }

  async readFile(p: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.real(p));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw opError(e, `read ${p}`);
    }
  }

  async stat(p: string): Promise<FileStat> {
    let st;
    try {
      st = await fs.lstat(this.real(p));
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
    if (type === 'link') out.linkTarget = await fs.readlink(this.real(p));
    return out;
  }

  private ids(own: Ownership): Promise<{ uid: number; gid: number }> {
    return this.accounts.ids(own);
  }

  async writeFile(p: string, content: Buffer | string, opts: WriteOptions = {}): Promise<void> {
    const target = this.real(p);
    const old = await this.stat(p);
    // An existing file keeps its mode and owner unless the task says otherwise.
    const mode = opts.mode ?? (old.exists && old.type === 'file' ? old.mode! : 0o644);
    const { uid, gid } = await this.ids(opts);
    const keepUid = uid === -1 && old.exists && old.type === 'file' ? old.uid! : uid;
    const keepGid = gid === -1 && old.exists && old.type === 'file' ? old.gid! : gid;
    await removeStaleTemps(target);
    const tmp = tempNameFor(target);
    let fh: fs.FileHandle | undefined;
    try {
      // Created with no permissions for anyone, then given its final mode and
      // owner before any byte is written: a secret is never readable by others.
      fh = await fs.open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600);
      if (keepUid !== -1 || keepGid !== -1) await fh.chown(keepUid, keepGid);
      await fh.chmod(mode);
      await fh.writeFile(content);
      await fh.sync();
      await fh.close();
      fh = undefined;
      await fs.rename(tmp, target);
    } catch (e) {
      if (fh) await fh.close().catch(() => {});
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw opError(e, `write ${p}`);
    }
    // Make the rename itself durable.
    try {
      const dir = await fs.open(path.dirname(target), C.O_RDONLY);
      await dir.sync().catch(() => {});
      await dir.close();
    } catch { /* directories that cannot be opened for sync: the rename still happened */ }
  }

  async mkdir(p: string, mode = 0o755): Promise<void> {
    try {
      await fs.mkdir(this.real(p), { mode });
      await fs.chmod(this.real(p), mode); // mkdir's mode is filtered by umask
    } catch (e) {
      throw opError(e, `mkdir ${p}`);
    }
  }

  async chmod(p: string, mode: number): Promise<void> {
    try { await fs.chmod(this.real(p), mode); } catch (e) { throw opError(e, `chmod ${p}`); }
  }

  async chown(p: string, own: Ownership): Promise<void> {
    const { uid, gid } = await this.ids(own);
    try { await fs.lchown(this.real(p), uid, gid); } catch (e) { throw opError(e, `chown ${p}`); }
  }

  async symlink(target: string, p: string): Promise<void> {
    // Replace atomically: make the link under a temp name, rename over.
    await removeStaleTemps(this.real(p));
    const tmp = tempNameFor(this.real(p));
    try {
      await fs.symlink(target, tmp);
      await fs.rename(tmp, this.real(p));
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw opError(e, `symlink ${p}`);
    }
  }

  async link(target: string, p: string): Promise<void> {
    await removeStaleTemps(this.real(p));
    const tmp = tempNameFor(this.real(p));
    try {
      await fs.link(this.real(target), tmp);
      await fs.rename(tmp, this.real(p));
    } catch (e) {
      throw opError(e, `link ${p}`);
    } finally {
      // rename(2) between two names of one inode does nothing: the temp name would stay.
      await fs.rm(tmp, { force: true }).catch(() => {});
    }
  }

  async remove(p: string): Promise<void> {
    try { await fs.rm(this.real(p), { recursive: true, force: true }); } catch (e) { throw opError(e, `remove ${p}`); }
  }

  async readdir(p: string): Promise<string[]> {
    try { return (await fs.readdir(this.real(p))).sort(); } catch (e) { throw opError(e, `readdir ${p}`); }
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
