// A directory tree on another Host (a compute image on a head node reached
// over SSH) managed as a Host of its own: `ansible_connection: chroot` with
// `ansible_chroot_via: HEADNODE`. Files are the parent's file operations
// under the tree; commands run through the parent as chroot(8) into the tree;
// accounts come from the tree's own /etc/passwd and /etc/group.
//
// Paths are resolved inside the tree as chroot(2) would before the parent
// sees them: the image's absolute links (/var/run -> /run) and `..` stay in
// the tree instead of reaching the parent's own /run. The parent's file
// operations are by path (SFTP, sudo helpers), so this is resolution against
// the image's own links, not against users racing root inside a live image:
// an image tree is not where users log in.

import * as path from 'node:path';
import { AccountCache } from './accounts.js';
import type { FileContent } from './content-stream.js';
import { chrootArgv, treeFacts } from './chroot-host.js';
import {
  HostOperationError,
  type CommandResult, type Facts, type FileStat, type Host, type Ownership, type RunOptions, type WriteOptions,
} from './host.js';

export class ChrootOverHost implements Host {
  readonly kind = 'chroot' as const;
  readonly tree: string;
  private readonly accounts: AccountCache;
  private factsPromise?: Promise<Facts>;

  constructor(public readonly name: string, private readonly parent: Host, tree: string) {
    if (!path.isAbsolute(tree)) throw new HostOperationError(`chroot tree must be an absolute path: ${tree}`);
    this.tree = path.normalize(tree);
    this.accounts = new AccountCache({ readFile: (p) => this.readFile(p), run: (a, o) => this.run(a, o) }, false);
  }

  /** Image directories already resolved (image path with resolved parents -> resolved image path); any change forgets them. */
  private readonly dirs = new Map<string, string>();

  /**
   * Where a path of the image lives on the parent: its directories resolved
   * inside the tree, and with `followLast` its last component too (reads).
   */
  private async at(p: string, followLast = false): Promise<string> {
    if (!path.isAbsolute(p)) throw new HostOperationError(`path must be absolute: ${p}`);
    return path.posix.join(this.tree, await this.resolve(p, followLast));
  }

  /** The image path `p` with every link resolved as inside the image (absolute targets and `..` never leave it). */
  private async resolve(p: string, followLast: boolean): Promise<string> {
    const queue = p.split('/').filter((c) => c !== '' && c !== '.');
    let cur: string[] = [];
    let links = 0;
    while (queue.length) {
      const c = queue.shift()!;
      if (c === '..') { cur.pop(); continue; }
      const last = queue.length === 0;
      const candidate = '/' + [...cur, c].join('/');
      if (last && !followLast) { cur.push(c); break; }
      const known = last ? undefined : this.dirs.get(candidate);
      if (known !== undefined) { cur = known.split('/').filter(Boolean); continue; }
      const st = await this.parent.stat(path.posix.join(this.tree, candidate));
      if (st.type === 'link') {
        if (++links > 40) throw new HostOperationError(`too many levels of symbolic links in ${p} inside ${this.tree}`, 'ELOOP');
        if (st.linkTarget!.startsWith('/')) cur = [];
        queue.unshift(...st.linkTarget!.split('/').filter((x) => x !== '' && x !== '.'));
        continue;
      }
      cur.push(c);
      if (!last && st.exists) this.dirs.set(candidate, '/' + cur.join('/'));
    }
    return '/' + cur.join('/');
  }

  /** A change may add, remove or replace a link: resolutions made before it are forgotten. */
  private changed<T>(op: Promise<T>): Promise<T> {
    this.dirs.clear();
    return op.finally(() => this.dirs.clear());
  }

  /**
   * Observations of the image are the parent's (under the tree's name): every change to the image
   * is a change on the parent, which forgets them.
   */
  remember<T>(key: string, observe: () => Promise<T>): Promise<T> {
    return this.parent.remember ? this.parent.remember(`chroot:${this.tree}\0${key}`, observe) : observe();
  }

  /** Names resolve in the image's own account files, so the parent gets numeric ids. */
  private async numeric(own: Ownership): Promise<Ownership> {
    const { uid, gid } = await this.accounts.ids(own);
    return { owner: uid >= 0 ? String(uid) : undefined, group: gid >= 0 ? String(gid) : undefined };
  }

  run(argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
    if (argv.length === 0) return Promise.resolve({ rc: 127, stdout: '', stderr: 'empty command' });
    return this.parent.run(chrootArgv(this.tree, argv, opts), { stdin: opts.stdin, timeoutMs: opts.timeoutMs, observeOnly: opts.observeOnly });
  }

  /** Where a regular file of the image is on the parent (a device, os-release -> /dev/zero, would be read forever, a FIFO never). */
  private async regular(p: string, what: string): Promise<string> {
    const at = await this.at(p, true);
    const st = await this.parent.stat(at);
    if (st.exists && st.type !== 'file') throw new HostOperationError(`${what} ${p} inside ${this.tree}: not a regular file`, 'EINVAL');
    return at;
  }

  /**
   * The parent looks at the tree's paths, every directory on the way to them and the image's account
   * files at once. Only data for the parent's remembered observations: resolving a path inside the
   * image still goes component by component (the answers are then already there).
   */
  async prefetch(paths: string[]): Promise<void> {
    if (!this.parent.prefetch) return;
    const all = new Set<string>();
    // The account files (owner names) and os-release (facts) are read by most tasks.
    for (const p of [...paths, '/etc/passwd', '/etc/group', '/etc/os-release', '/usr/lib/os-release']) {
      if (!p.startsWith('/')) continue;
      for (let q = path.posix.normalize(p); q !== '/'; q = path.posix.dirname(q)) all.add(path.posix.join(this.tree, q));
    }
    await this.parent.prefetch([...all]);
  }

  async readFile(p: string): Promise<Buffer | null> { return this.parent.readFile(await this.regular(p, 'read')); }
  async checksum(p: string): Promise<string | null> { return this.parent.checksum(await this.regular(p, 'checksum')); }
  async stat(p: string): Promise<FileStat> { return this.parent.stat(await this.at(p)); }

  async writeFile(p: string, content: FileContent, opts: WriteOptions = {}): Promise<void> {
    const ids = await this.numeric(opts);
    return this.changed(this.at(p).then((at) => this.parent.writeFile(at, content, { mode: opts.mode, ...ids })));
  }

  mkdir(p: string, mode?: number): Promise<void> { return this.changed(this.at(p).then((at) => this.parent.mkdir(at, mode))); }
  async chmod(p: string, mode: number): Promise<void> { return this.parent.chmod(await this.at(p), mode); }
  async chown(p: string, own: Ownership): Promise<void> { return this.parent.chown(await this.at(p), await this.numeric(own)); }
  /** The link's text is kept as given: it is read inside the image. */
  symlink(target: string, p: string): Promise<void> { return this.changed(this.at(p).then((at) => this.parent.symlink(target, at))); }
  link(target: string, p: string): Promise<void> {
    return this.changed(Promise.all([this.at(target), this.at(p)]).then(([from, to]) => this.parent.link(from, to)));
  }
  remove(p: string): Promise<void> { return this.changed(this.at(p).then((at) => this.parent.remove(at))); }
  async readdir(p: string): Promise<string[]> { return this.parent.readdir(await this.at(p, true)); }

  uidOf(user: string) { return this.accounts.uidOf(user); }
  gidOf(group: string) { return this.accounts.gidOf(group); }
  userName(uid: number) { return this.accounts.nameOf('passwd', uid); }
  groupName(gid: number) { return this.accounts.nameOf('group', gid); }

  facts(): Promise<Facts> {
    this.factsPromise ??= treeFacts(this, this.tree);
    return this.factsPromise;
  }

  /** The parent's connection belongs to the parent's own run. */
  async close(): Promise<void> {}
}
