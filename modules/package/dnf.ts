// dnf (RedHat family; also the `yum` alias). Installs into a directory with
// --installroot and --releasever; extra repositories for the task come from
// --repofrompath.

import { TaskFailedError } from '../../src/engine/module.js';
import { runOk, type BackendContext, type PackageBackend } from './backend.js';
import { listOf } from './params.js';
import { rpmInstalled } from './rpm-query.js';

export class DnfBackend implements PackageBackend {
  readonly manager = 'dnf' as const;
  constructor(private readonly ctx: BackendContext, private readonly releasever?: string) {}

  /** Options every dnf command of this task shares. */
  private base(): string[] {
    const p = this.ctx.params;
    const a = ['dnf', '-y', '-q'];
    if (this.ctx.root) a.push(`--installroot=${this.ctx.root}`);
    if (this.releasever) a.push(`--releasever=${this.releasever}`);
    if (p.disable_gpg_check) a.push('--nogpgcheck');
    // Order matters: disable first, then add and enable, so that
    // "disablerepo: '*'" with repos or enablerepo uses only those.
    for (const r of listOf(p.disablerepo)) a.push(`--disablerepo=${r}`);
    for (const r of p.repos ?? []) a.push(`--repofrompath=${r.name},${r.url}`, `--enablerepo=${r.name}`);
    for (const r of listOf(p.enablerepo)) a.push(`--enablerepo=${r}`);
    if (p.install_weak_deps !== undefined) a.push(`--setopt=install_weak_deps=${p.install_weak_deps ? 'True' : 'False'}`);
    return a;
  }

  installed(names: string[]) {
    return rpmInstalled(this.ctx, names);
  }

  async upgrades(names: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (names.length === 0) return out;
    const argv = [...this.base(), 'repoquery', '--upgrades', '--qf', '%{name}\t%{evr}.%{arch}\t%{arch}', '--', ...names];
    const r = await runOk(this.ctx, 'looking for upgrades', argv);
    for (const line of r.stdout.split('\n')) {
      const [name, version, arch] = line.split('\t');
      if (!version) continue;
      for (const want of names) if (want === name || want === `${name}.${arch}`) out.set(want, version);
    }
    return out;
  }

  async simulateInstall(names: string[]): Promise<void> {
    if (names.length === 0) return;
    // --assumeno resolves the transaction and answers "no": rc 1 either way,
    // an unknown name shows as an "Error:" line.
    const argv = [...this.base().filter((a) => a !== '-y'), '--assumeno', 'install', '--', ...names];
    const r = await this.ctx.host.run(argv, { env: { LC_ALL: 'C' } });
    if (r.rc === 127) throw new TaskFailedError(`dnf is not installed on ${this.ctx.host.name}`);
    const errors = r.stderr.split('\n').filter((l) => /^(Error|No match for argument)/.test(l.trim()));
    if (errors.length) throw new TaskFailedError(`dnf cannot install ${names.join(' ')}:\n${errors.join('\n')}`, { rc: r.rc, stderr: r.stderr });
  }

  async install(missing: string[], upgrade: string[]): Promise<void> {
    // dnf install leaves an installed package at its version: upgrades need their own command.
    if (missing.length) await runOk(this.ctx, 'dnf install', [...this.base(), 'install', '--', ...missing]);
    if (upgrade.length) await runOk(this.ctx, 'dnf upgrade', [...this.base(), 'upgrade', '--', ...upgrade]);
  }

  async remove(names: string[]): Promise<void> {
    if (names.length) await runOk(this.ctx, 'dnf remove', [...this.base(), 'remove', '--', ...names]);
  }

  async cacheStale(): Promise<boolean> {
    return this.ctx.params.update_cache;
  }

  async refreshCache(): Promise<void> {
    await runOk(this.ctx, 'dnf makecache', [...this.base(), '--refresh', 'makecache']);
  }
}
