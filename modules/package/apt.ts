// apt (Debian family). Installed versions come from dpkg-query (one call),
// upgrades from apt-cache policy (one call). With `root`, a tree without a
// dpkg database is first bootstrapped with debootstrap (suite = releasever);
// later commands run chrooted into it inside a private mount namespace that
// has /proc and /dev, so nothing stays mounted on the host afterwards.

import { TaskFailedError } from '../../src/engine/module.js';
import { C_LOCALE, runOk, type BackendContext, type PackageBackend } from './backend.js';

const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', APT_LISTCHANGES_FRONTEND: 'none', ...C_LOCALE };

// Fixed script (no user data in it): mounts /proc and /dev for the chroot in
// a private mount namespace, then runs the command inside the tree. $1 = tree.
const CHROOT_SCRIPT = 'mount --make-rprivate / && mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" && root="$1" && shift && exec chroot "$root" "$@"';

export class AptBackend implements PackageBackend {
  readonly manager = 'apt' as const;

  constructor(private readonly ctx: BackendContext, private readonly suite?: string) {}

  /** argv that runs `argv` on the host, or inside the root tree. */
  private inTree(argv: string[]): string[] {
    if (!this.ctx.root) return argv;
    return ['unshare', '-m', '--', 'sh', '-c', CHROOT_SCRIPT, 'sh', this.ctx.root, ...argv];
  }

  private path(p: string): string {
    return this.ctx.root ? this.ctx.root + p : p;
  }

  async installed(names: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (names.length === 0) return out;
    const argv = ['dpkg-query', `--admindir=${this.path('/var/lib/dpkg')}`, '-W', '-f', '${Package}\t${db:Status-Abbrev}\t${Version}\t${Architecture}\n', '--', ...names];
    // rc 1 with "no packages found matching X" on stderr for unknown names.
    const r = await this.ctx.host.run(argv, { env: C_LOCALE, observeOnly: true });
    if (r.rc === 127) throw new TaskFailedError(`dpkg-query is not installed on ${this.ctx.host.name}`);
    for (const line of r.stdout.split('\n')) {
      const [name, status, version, arch] = line.split('\t');
      // "ii " installed; "rc " (config files only) and others count as absent.
      if (!version || !status?.startsWith('ii')) continue;
      for (const want of names) if (want === name || want === `${name}:${arch}`) out.set(want, version);
    }
    return out;
  }

  async upgrades(names: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (names.length === 0) return out;
    const r = await runOk(this.ctx, 'apt-cache policy', this.inTree(['apt-cache', 'policy', '--', ...names]));
    let current: string | undefined;
    let installed: string | undefined;
    for (const line of r.stdout.split('\n')) {
      const head = /^(\S+):$/.exec(line);
      if (head) { current = head[1]; installed = undefined; continue; }
      const inst = /^\s+Installed:\s+(\S+)/.exec(line);
      if (inst) { installed = inst[1]; continue; }
      const cand = /^\s+Candidate:\s+(\S+)/.exec(line);
      if (cand && current && installed && installed !== '(none)' && cand[1] !== '(none)' && cand[1] !== installed) {
        const want = names.find((n) => n === current || n.split(':')[0] === current);
        if (want) out.set(want, cand[1]);
      }
    }
    return out;
  }

  private installArgs(): string[] {
    const p = this.ctx.params;
    // Keep the admin's config files on upgrades, never ask.
    const a = ['apt-get', 'install', '-y', '-q', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
    if (p.install_recommends === true) a.push('--install-recommends');
    if (p.install_recommends === false) a.push('--no-install-recommends');
    if (p.disable_gpg_check) a.push('--allow-unauthenticated');
    return a;
  }

  async simulateInstall(names: string[]): Promise<void> {
    if (names.length === 0) return;
    const argv = this.inTree([...this.installArgs(), '-s', '--', ...names]);
    const r = await this.ctx.host.run(argv, { env: APT_ENV });
    if (r.rc === 127) throw new TaskFailedError(`apt-get is not installed on ${this.ctx.host.name}`);
    if (r.rc !== 0) {
      const errors = r.stderr.split('\n').filter((l) => /^E:/.test(l));
      throw new TaskFailedError(`apt-get cannot install ${names.join(' ')}:\n${(errors.length ? errors : [r.stderr.trim()]).join('\n')}`, { rc: r.rc, stderr: r.stderr });
    }
  }

  async install(missing: string[], upgrade: string[]): Promise<void> {
    const names = [...missing, ...upgrade];
    // apt-get install of an installed package upgrades it: one transaction.
    if (names.length) await runOk(this.ctx, 'apt-get install', this.inTree([...this.installArgs(), '--', ...names]), [0], APT_ENV);
  }

  async remove(names: string[]): Promise<void> {
    if (names.length === 0) return;
    const argv = ['apt-get', 'remove', '-y', '-q'];
    if (this.ctx.params.purge) argv.push('--purge');
    await runOk(this.ctx, 'apt-get remove', this.inTree([...argv, '--', ...names]), [0], APT_ENV);
  }

  /**
   * The cache's age: the stamp apt-get update leaves (Debian's periodic
   * update, and ours after each refresh), else the lists directory.
   */
  async cacheStale(): Promise<boolean> {
    const p = this.ctx.params;
    if (!p.update_cache) return false;
    const valid = p.cache_valid_time ?? 0;
    if (valid === 0) return true;
    let st = await this.ctx.host.stat(this.path('/var/lib/apt/periodic/update-success-stamp'));
    if (!st.exists) st = await this.ctx.host.stat(this.path('/var/lib/apt/lists'));
    if (!st.exists || st.mtimeMs === undefined) return true;
    // Time is the controller's: a host with a skewed clock refreshes more or less often.
    return Date.now() - st.mtimeMs > valid * 1000;
  }

  async refreshCache(): Promise<void> {
    this.ctx.progress('apt-get update');
    await runOk(this.ctx, 'apt-get update', this.inTree(['apt-get', 'update', '-q']), [0], APT_ENV);
    // apt-get update leaves unchanged lists untouched, so their age does not
    // say when the cache was last refreshed: keep the stamp Debian's periodic
    // update uses (its age is what cache_valid_time compares).
    await runOk(this.ctx, 'stamping the apt cache', ['sh', '-c', 'mkdir -p "$1" && touch "$1/update-success-stamp"', 'sh', this.path('/var/lib/apt/periodic')]);
  }

  async needsBootstrap(): Promise<boolean> {
    if (!this.ctx.root) return false;
    return !(await this.ctx.host.stat(this.path('/var/lib/dpkg/status'))).exists;
  }

  async bootstrap(names: string[]): Promise<void> {
    if (!this.suite) {
      throw new TaskFailedError(`apt with root ${this.ctx.root}: the tree has no dpkg database; releasever (the Debian suite, e.g. bookworm) is needed to bootstrap it`);
    }
    const mirror = this.ctx.params.mirror ?? 'http://deb.debian.org/debian';
    const argv = ['debootstrap', '--variant=minbase'];
    if (names.length) argv.push(`--include=${names.join(',')}`);
    argv.push(this.suite, this.ctx.root!, mirror);
    this.ctx.progress(`debootstrap ${this.suite} into ${this.ctx.root}`);
    await runOk(this.ctx, 'debootstrap', argv, [0], APT_ENV);
  }
}
