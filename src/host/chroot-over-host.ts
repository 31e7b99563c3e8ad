// A directory tree on another Host (a compute image on a head node reached
// over SSH) managed as a Host of its own: `ansible_connection: chroot` with
// `ansible_chroot_via: HEADNODE`. Files are the parent's file operations
// under the tree; commands run through the parent as chroot(8) into the tree;
// accounts come from the tree's own /etc/passwd and /etc/group.

import * as path from 'node:path';
import { AccountCache } from './accounts.js';
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
    this.accounts = new AccountCache({ readFile: (p) => this.readFile(p), run: (a) => this.run(a) }, false);
  }

  /** Where a path of the image lives on the parent. */
  private at(p: string): string {
    if (!path.isAbsolute(p)) throw new HostOperationError(`path must be absolute: ${p}`);
    return path.join(this.tree, path.normalize(p));
  }

  /** Names resolve in the image's own account files, so the parent gets numeric ids. */
  private async numeric(own: Ownership): Promise<Ownership> {
    const { uid, gid } = await this.accounts.ids(own);
    return { owner: uid >= 0 ? String(uid) : undefined, group: gid >= 0 ? String(gid) : undefined };
  }

  run(argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
    if (argv.length === 0) return Promise.resolve({ rc: 127, stdout: '', stderr: 'empty command' });
    return this.parent.run(chrootArgv(this.tree, argv, opts), { stdin: opts.stdin, timeoutMs: opts.timeoutMs });
  }

  readFile(p: string): Promise<Buffer | null> { return this.parent.readFile(this.at(p)); }
  stat(p: string): Promise<FileStat> { return this.parent.stat(this.at(p)); }

  async writeFile(p: string, content: Buffer | string, opts: WriteOptions = {}): Promise<void> {
    const ids = await this.numeric(opts);
    return this.parent.writeFile(this.at(p), content, { mode: opts.mode, ...ids });
  }

  mkdir(p: string, mode?: number): Promise<void> { return this.parent.mkdir(this.at(p), mode); }
  chmod(p: string, mode: number): Promise<void> { return this.parent.chmod(this.at(p), mode); }
  async chown(p: string, own: Ownership): Promise<void> { return this.parent.chown(this.at(p), await this.numeric(own)); }
  /** The link's text is kept as given: it is read inside the image. */
  symlink(target: string, p: string): Promise<void> { return this.parent.symlink(target, this.at(p)); }
  link(target: string, p: string): Promise<void> { return this.parent.link(this.at(target), this.at(p)); }
  remove(p: string): Promise<void> { return this.parent.remove(this.at(p)); }
  readdir(p: string): Promise<string[]> { return this.parent.readdir(this.at(p)); }

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
