// A directory tree (a compute node image) managed as a Host. Files are plain
// local operations under the tree (PrefixedFs); accounts come from the tree's
// own /etc/passwd and /etc/group (never the build machine's getent); commands
// run through chroot(8). Nothing runs as a service: facts say
// systemd_running=false, so modules enable units offline (`systemctl --root`).
//
// /proc and /dev are bind-mounted for each command, inside a private mount
// namespace (`unshare -m`) that dies with the command: package scripts that
// need /dev/null or /proc work, and nothing is ever left mounted on the tree.

import * as path from 'node:path';
import { AccountCache } from './accounts.js';
import { gatherFacts } from './facts.js';
import { HostOperationError, type CommandResult, type Facts, type Host, type RunOptions } from './host.js';
import { PrefixedFs, runLocal } from './local-host.js';

// $1 is the tree, the rest is the command. Fixed text; the tree and the argv are arguments.
const ENTER_SCRIPT = [
  'root=$1; shift',
  '[ -d "$root/proc" ] && mount -t proc proc "$root/proc"',
  '[ -d "$root/dev" ] && mount --rbind /dev "$root/dev"',
  'exec chroot "$root" "$@"',
].join('\n');

const CD_SCRIPT = 'cd -- "$1" || exit 1; shift; exec "$@"';

/** A clean environment: the build machine's PATH and locale must not leak into the image. */
const CHROOT_ENV: Record<string, string> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  SYSTEMD_OFFLINE: '1',
};

/** Facts of an image tree: its own os-release and hostname; no network, no running systemd. */
export async function treeFacts(host: Pick<Host, 'readFile' | 'run'>, tree: string): Promise<Facts> {
  const f = await gatherFacts(host, { offline: true });
  // The tree has no network of its own and the kernel's name is the managing machine's.
  const hostname = (await host.readFile('/etc/hostname'))?.toString('utf8').trim();
  return { ...f, systemd_running: false, hostname: hostname || path.basename(tree), interfaces: [], ipv4: {} };
}

/**
 * The argv that runs `argv` inside `tree` on the machine that holds the tree:
 * a clean environment, a private mount namespace with /proc and /dev, chroot.
 */
export function chrootArgv(tree: string, argv: string[], opts: RunOptions = {}): string[] {
  let inner = argv;
  if (opts.cwd !== undefined) inner = ['/bin/sh', '-c', CD_SCRIPT, 'sh', opts.cwd, ...inner];
  for (const k of Object.keys(opts.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new HostOperationError(`invalid environment variable name: ${k}`);
  }
  // Passed through `env -i`: the managing machine's PATH and locale must not leak into the image.
  const envArgs = Object.entries({ ...CHROOT_ENV, ...(opts.env ?? {}) }).map(([k, v]) => `${k}=${v}`);
  return ['env', '-i', ...envArgs, 'unshare', '-m', '--propagation', 'private', '--',
    'sh', '-c', ENTER_SCRIPT, 'sh', tree, ...inner];
}

export class ChrootHost extends PrefixedFs implements Host {
  readonly kind = 'chroot' as const;
  readonly tree: string;
  private factsPromise?: Promise<Facts>;

  constructor(public readonly name: string, tree: string) {
    const root = path.resolve(tree);
    const accounts = new AccountCache({ readFile: (p) => this.readFile(p), run: (a) => this.run(a) }, false);
    super(root, accounts);
    this.tree = root;
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
    if (argv.length === 0) return { rc: 127, stdout: '', stderr: 'empty command' };
    return runLocal(chrootArgv(this.tree, argv, opts), { stdin: opts.stdin, timeoutMs: opts.timeoutMs });
  }

  uidOf(user: string) { return this.accounts.uidOf(user); }
  gidOf(group: string) { return this.accounts.gidOf(group); }
  userName(uid: number) { return this.accounts.nameOf('passwd', uid); }
  groupName(gid: number) { return this.accounts.nameOf('group', gid); }

  facts(): Promise<Facts> {
    this.factsPromise ??= treeFacts(this, this.tree);
    return this.factsPromise;
  }

  async close(): Promise<void> { /* nothing held open */ }
}
