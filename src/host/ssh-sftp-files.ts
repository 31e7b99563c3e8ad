// File operations over one SFTP session, as the login user. Requests are
// pipelined where a failure of an early one cannot do harm, so that a stat is
// one round trip, a read two and an atomic write three.

import type { SFTPWrapper, Stats } from 'ssh2';
import { HostOperationError, type FileStat } from './host.js';
import * as path from 'node:path/posix';
import { isTempNameOf, tempNameFor } from './local-host.js';
import { chunksOf, type ContentStream } from './content-stream.js';
import { CHECKSUM_SCRIPT, checksumFrom, fileTypeOf, type FileOps, type NumericWrite } from './ssh-file-ops.js';

// SFTP status codes (draft-ietf-secsh-filexfer-02).
const SFTP_EOF = 1;
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;
const SFTP_OP_UNSUPPORTED = 8;

const READ_CHUNK = 256 * 1024;
/** The first read of a file, with its fstat (see readFile). */
const FIRST_CHUNK = 16 * 1024;
const WRITE_CHUNK = 32 * 1024;
const WRITES_IN_FLIGHT = 16;
/** (uid_t)-1: chown leaves the id as it is. */
const KEEP_ID = 0xffffffff;

type Cb<T> = (err: Error | undefined | null, v: T) => void;
// ssh2's callback types differ per method (some pass no value): accept any of them.
type AnyCb = (...args: any[]) => void;

function call<T = void>(fn: (cb: Cb<T> & AnyCb) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    try {
      fn(((err: Error | undefined | null, v: T) => (err ? reject(err) : resolve(v))) as Cb<T> & AnyCb);
    } catch (e) {
      reject(e);
    }
  });
}

function sftpCode(e: unknown): number | undefined {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'number' ? c : undefined;
}

export function sftpError(e: unknown, what: string): HostOperationError {
  const code = sftpCode(e);
  const errno = code === SFTP_NO_SUCH_FILE ? 'ENOENT' : code === SFTP_PERMISSION_DENIED ? 'EACCES'
    : code === SFTP_OP_UNSUPPORTED ? 'ENOTSUP' : code === undefined ? (e as NodeJS.ErrnoException).code : 'EIO';
  const msg = (e as Error).message ?? String(e);
  return new HostOperationError(`${what}: ${errno ? errno + ' ' : ''}${msg}`.trim(), errno);
}

type Runner = (argv: string[]) => Promise<{ rc: number; stdout: string; stderr: string }>;

export class SftpFiles implements FileOps {
  /** run: a command that may change things; look: one that only reads (the host keeps what it observed). */
  constructor(private readonly sftp: SFTPWrapper, private readonly run: Runner, private readonly look: Runner = run) {}

  private has(ext: string): boolean {
    // ssh2 keeps the server's extension list here; there is no public accessor.
    const exts = (this.sftp as unknown as { _extensions?: Record<string, string> })._extensions ?? {};
    return exts[ext] !== undefined;
  }

  private lstatRaw(p: string): Promise<Stats | null> {
    return call<Stats>((cb) => this.sftp.lstat(p, cb)).catch((e) => {
      if (sftpCode(e) === SFTP_NO_SUCH_FILE) return null;
      throw e;
    });
  }

  async stat(p: string): Promise<FileStat> {
    let st: Stats | null;
    try { st = await this.lstatRaw(p); } catch (e) { throw sftpError(e, `stat ${p}`); }
    if (!st) return { exists: false };
    const type = fileTypeOf(st.mode);
    // SFTP v3 carries no inode, link count or sub-second times.
    const out: FileStat = {
      exists: true, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, mtimeMs: st.mtime * 1000,
    };
    if (type === 'link') {
      try { out.linkTarget = await call<string>((cb) => this.sftp.readlink(p, cb)); } catch (e) { throw sftpError(e, `readlink ${p}`); }
    }
    return out;
  }

  /** Computed by sha1sum on the host: SFTP would bring the whole file here. */
  async checksum(p: string): Promise<string | null> {
    const r = await this.look(['sh', '-c', CHECKSUM_SCRIPT, 'sh', p]);
    return checksumFrom(p, r.rc, r.stdout, r.stderr);
  }

  async readFile(p: string): Promise<Buffer | null> {
    let handle: Buffer;
    try {
      handle = await call<Buffer>((cb) => this.sftp.open(p, 'r', cb));
    } catch (e) {
      if (sftpCode(e) === SFTP_NO_SUCH_FILE) return null;
      throw sftpError(e, `read ${p}`);
    }
    try {
      const readAt = async (pos: number, len: number): Promise<Buffer> => {
        const buf = Buffer.allocUnsafe(len);
        try {
          const n = await call<number>((cb) => this.sftp.read(handle, buf, 0, len, pos, (err, got) => cb(err, got)));
          return buf.subarray(0, n);
        } catch (e) {
          if (sftpCode(e) === SFTP_EOF) return buf.subarray(0, 0);
          throw e;
        }
      };
      // Size and the first chunk in one round trip: a small file costs open + this. The first chunk
      // is small: most files read are, and every buffer asked for is allocated whole (with many
      // hosts at once, large ones that come back mostly empty are what a run's memory goes to).
      const [st, first] = await Promise.all([call<Stats>((cb) => this.sftp.fstat(handle, cb)), readAt(0, FIRST_CHUNK)]);
      const parts: Buffer[] = [first];
      let pos = first.length;
      // /proc files say size 0: they are read on while reads come back full.
      const unsized = st.size === 0;
      let full = first.length === FIRST_CHUNK;
      // The rest, several chunks at a time, up to the size fstat gave. A server may answer a read
      // with fewer bytes than asked without being at EOF: then go on from there.
      while (first.length > 0 && (pos < st.size || (unsized && full))) {
        const left = st.size - pos;
        const chunk = left > 0 ? Math.min(READ_CHUNK, left) : READ_CHUNK;
        const count = left > 0 ? Math.min(8, Math.ceil(left / chunk)) : 1;
        const batch = await Promise.all(Array.from({ length: count }, (_, i) => readAt(pos + i * chunk, chunk)));
        let eof = false;
        for (const b of batch) {
          parts.push(b);
          pos += b.length;
          full = b.length === chunk;
          if (b.length === 0) eof = true; // at EOF (the file may have shrunk meanwhile)
          if (!full) break;
        }
        if (eof) break;
      }
      return Buffer.concat(parts);
    } catch (e) {
      throw sftpError(e, `read ${p}`);
    } finally {
      // Not awaited: requests are answered in order, nothing later depends on it.
      this.sftp.close(handle, () => {});
    }
  }

  async writeFile(p: string, content: Buffer | ContentStream, opts: NumericWrite): Promise<void> {
    const tmp = tempNameFor(p);
    const sweep = this.sweepStaleTemps(p, tmp);
    // Created with no permissions for others; old state read in the same round trip.
    const [oldR, openR] = await Promise.allSettled([
      this.lstatRaw(p),
      call<Buffer>((cb) => this.sftp.open(tmp, 'wx', { mode: 0o600 }, cb)),
    ]);
    if (openR.status === 'rejected') throw sftpError(openR.reason, `write ${p}`);
    const handle = openR.value;
    let closed = false;
    try {
      if (oldR.status === 'rejected') throw oldR.reason;
      const old = oldR.value;
      const keep = old !== null && fileTypeOf(old.mode) === 'file';
      const mode = opts.mode ?? (keep ? old!.mode & 0o7777 : 0o644);
      const uid = opts.uid !== -1 ? opts.uid : keep ? old!.uid : -1;
      const gid = opts.gid !== -1 ? opts.gid : keep ? old!.gid : -1;
      const ops: Promise<unknown>[] = [];
      // Every request is awaited through `ops`; an early throw must not leave a rejection unhandled.
      const track = <T>(p: Promise<T>): Promise<T> => { p.catch(() => {}); ops.push(p); return p; };
      // Owner before mode: chown clears setuid/setgid bits.
      if (uid !== -1 || gid !== -1) {
        track(call((cb) => this.sftp.fchown(handle, uid === -1 ? KEEP_ID : uid, gid === -1 ? KEEP_ID : gid, cb)));
      }
      track(call((cb) => this.sftp.fchmod(handle, mode, cb)));
      // Content is only sent after the permission requests (the server answers in order),
      // and the file stays mode 0600 until then.
      // A stream is read as it is sent: at most WRITES_IN_FLIGHT chunks wait for the server at once.
      let inFlight: Promise<unknown>[] = [];
      let pos = 0;
      for await (const chunk of chunksOf(content)) {
        for (let off = 0; off < chunk.length; off += WRITE_CHUNK) {
          const len = Math.min(WRITE_CHUNK, chunk.length - off);
          const at = pos + off;
          inFlight.push(track(call((cb) => this.sftp.write(handle, chunk, off, len, at, cb))));
          if (inFlight.length >= WRITES_IN_FLIGHT) { await Promise.all(inFlight); inFlight = []; }
        }
        pos += chunk.length;
      }
      if (this.has('fsync@openssh.com')) track(call((cb) => this.sftp.ext_openssh_fsync(handle, cb)));
      closed = true;
      track(call((cb) => this.sftp.close(handle, cb)));
      await Promise.all(ops);
      await sweep;
      await this.renameOver(tmp, p);
    } catch (e) {
      if (!closed) this.sftp.close(handle, () => {});
      this.sftp.unlink(tmp, () => {});
      throw e instanceof HostOperationError ? e : sftpError(e, `write ${p}`);
    }
  }

  /**
   * Removes temp files a killed earlier run left next to `target` (as LocalHost
   * does), sparing `keep`. Runs alongside the write's own requests; never fails.
   */
  private async sweepStaleTemps(target: string, keep: string): Promise<void> {
    try {
      const dir = path.dirname(target);
      const list = await call<Array<{ filename: string }>>((cb) => this.sftp.readdir(dir, cb));
      const stale = list.map((e) => e.filename).filter((n) => n !== path.basename(keep) && isTempNameOf(target, n));
      await Promise.all(stale.map((n) => call((cb) => this.sftp.unlink(path.join(dir, n), cb)).catch(() => {})));
    } catch { /* an unreadable directory: the write itself will say what is wrong */ }
  }

  /** rename(2) semantics (replace the target). posix-rename@openssh.com, else mv. */
  private async renameOver(from: string, to: string): Promise<void> {
    if (this.has('posix-rename@openssh.com')) {
      await call((cb) => this.sftp.ext_openssh_rename(from, to, cb));
      return;
    }
    // Plain SFTP rename refuses to replace an existing file.
    const r = await this.run(['mv', '-fT', '--', from, to]);
    if (r.rc !== 0) throw new HostOperationError(`rename ${to}: ${r.stderr.trim()}`);
  }

  async mkdir(p: string, mode: number): Promise<void> {
    try {
      await call((cb) => this.sftp.mkdir(p, { mode }, cb));
    } catch (e) {
      const st = await this.lstatRaw(p).catch(() => null);
      if (st) throw new HostOperationError(`mkdir ${p}: EEXIST file exists`, 'EEXIST');
      throw sftpError(e, `mkdir ${p}`);
    }
    // mkdir's mode passed through the server's umask.
    try { await this.chmodNoFollow(p, mode); } catch (e) { throw sftpError(e, `mkdir ${p}`); }
  }

  /**
   * chmod that never follows a link: SFTP's setstat does, and a user owning the
   * directory may have swapped the name for one. lsetstat@openssh.com changes
   * the name itself (a link then fails: links have no mode of their own).
   */
  private chmodNoFollow(p: string, mode: number): Promise<void> {
    if (this.has('lsetstat@openssh.com')) return call((cb) => this.sftp.ext_openssh_lsetstat(p, { mode }, cb));
    return call((cb) => this.sftp.chmod(p, mode, cb)); // old servers only
  }

  async chmod(p: string, mode: number): Promise<void> {
    try { await this.chmodNoFollow(p, mode); } catch (e) { throw sftpError(e, `chmod ${p}`); }
  }

  async chown(p: string, uid: number, gid: number): Promise<void> {
    const attrs = { uid: uid === -1 ? KEEP_ID : uid, gid: gid === -1 ? KEEP_ID : gid };
    try {
      if (this.has('lsetstat@openssh.com')) await call((cb) => this.sftp.ext_openssh_lsetstat(p, attrs, cb));
      else await call((cb) => this.sftp.setstat(p, attrs, cb)); // follows links: old servers only
    } catch (e) {
      throw sftpError(e, `chown ${p}`);
    }
  }

  async symlink(target: string, p: string): Promise<void> {
    const tmp = tempNameFor(p);
    const sweep = this.sweepStaleTemps(p, tmp);
    try {
      await call((cb) => this.sftp.symlink(target, tmp, cb));
      await sweep;
    } catch (e) {
      throw sftpError(e, `symlink ${p}`);
    }
    try { await this.renameOver(tmp, p); } catch (e) {
      this.sftp.unlink(tmp, () => {});
      throw e instanceof HostOperationError ? e : sftpError(e, `symlink ${p}`);
    }
  }

  async link(target: string, p: string): Promise<void> {
    const tmp = tempNameFor(p);
    const sweep = this.sweepStaleTemps(p, tmp);
    try {
      await sweep;
      if (this.has('hardlink@openssh.com')) await call((cb) => this.sftp.ext_openssh_hardlink(target, tmp, cb));
      else {
        const r = await this.run(['ln', '--', target, tmp]);
        if (r.rc !== 0) throw new HostOperationError(`link ${p}: ${r.stderr.trim()}`);
      }
    } catch (e) {
      throw e instanceof HostOperationError ? e : sftpError(e, `link ${p}`);
    }
    try { await this.renameOver(tmp, p); } catch (e) {
      throw e instanceof HostOperationError ? e : sftpError(e, `link ${p}`);
    } finally {
      // rename(2) of two names of one inode does nothing: the temp name would stay.
      this.sftp.unlink(tmp, () => {});
    }
  }

  async remove(p: string): Promise<void> {
    const st = await this.lstatRaw(p).catch((e) => { throw sftpError(e, `remove ${p}`); });
    if (!st) return;
    if (fileTypeOf(st.mode) !== 'directory') {
      try { await call((cb) => this.sftp.unlink(p, cb)); } catch (e) {
        if (sftpCode(e) !== SFTP_NO_SUCH_FILE) throw sftpError(e, `remove ${p}`);
      }
      return;
    }
    // A tree: one command instead of a round trip per entry.
    const r = await this.run(['rm', '-rf', '--', p]);
    if (r.rc !== 0) throw new HostOperationError(`remove ${p}: ${r.stderr.trim()}`);
  }

  async readdir(p: string): Promise<string[]> {
    try {
      const list = await call<Array<{ filename: string }>>((cb) => this.sftp.readdir(p, cb));
      return list.map((e) => e.filename).sort();
    } catch (e) {
      throw sftpError(e, `readdir ${p}`);
    }
  }
}
