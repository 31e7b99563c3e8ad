// zypper (SUSE). Installs into a directory with --root; extra repositories
// for the task with --plus-repo (temporary, never written to repos.d).
// zypper's informational exit codes (100-103: updates/reboot/restart needed)
// are successes; 104 means a name was not found.

import { TaskFailedError } from '../../src/engine/module.js';
import { runOk, type BackendContext, type PackageBackend } from './backend.js';
import { rpmInstalled } from './rpm-query.js';

const OK = [0, 100, 101, 102, 103];

export class ZypperBackend implements PackageBackend {
  readonly manager = 'zypper' as const;
  constructor(private readonly ctx: BackendContext, private readonly releasever?: string) {}

  private base(): string[] {
    const p = this.ctx.params;
    const a = ['zypper', '--non-interactive'];
    if (this.ctx.root) a.push('--root', this.ctx.root);
    if (this.releasever) a.push('--releasever', this.releasever);
    if (p.disable_gpg_check) a.push('--no-gpg-checks');
    for (const r of p.repos ?? []) a.push('--plus-repo', r.url);
    return a;
  }

  installed(names: string[]) {
    return rpmInstalled(this.ctx, names);
  }

  async upgrades(names: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (names.length === 0) return out;
    // list-updates takes no names: one query for all, filtered here.
    const r = await runOk(this.ctx, 'zypper list-updates', [...this.base(), '--xmlout', 'list-updates'], OK);
    for (const m of r.stdout.matchAll(/<update\s[^>]*>/g)) {
      const attr = (k: string) => new RegExp(`\\s${k}="([^"]*)"`).exec(m[0])?.[1];
      if (attr('kind') !== 'package') continue;
      const name = attr('name');
      const arch = attr('arch');
      const edition = attr('edition');
      if (!name || !edition) continue;
      for (const want of names) if (want === name || want === `${name}.${arch}`) out.set(want, `${edition}.${arch}`);
    }
    return out;
  }

  private installArgs(): string[] {
    const a = ['install', '--auto-agree-with-licenses'];
    if (this.ctx.params.disable_recommends) a.push('--no-recommends');
    return a;
  }

  async simulateInstall(names: string[]): Promise<void> {
    if (names.length === 0) return;
    const argv = [...this.base(), ...this.installArgs(), '--dry-run', '--', ...names];
    const r = await this.ctx.host.run(argv, { env: { LC_ALL: 'C' } });
    if (r.rc === 127) throw new TaskFailedError(`zypper is not installed on ${this.ctx.host.name}`);
    if (!OK.includes(r.rc)) {
      const text = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-10).join('\n');
      throw new TaskFailedError(`zypper cannot install ${names.join(' ')} (rc ${r.rc}):\n${text}`, { rc: r.rc, stderr: r.stderr });
    }
  }

  async install(missing: string[], upgrade: string[]): Promise<void> {
    const names = [...missing, ...upgrade];
    if (names.length === 0) return;
    // `zypper install` of an installed package upgrades it: one transaction.
    await runOk(this.ctx, 'zypper install', [...this.base(), ...this.installArgs(), '--', ...names], OK);
  }

  async remove(names: string[]): Promise<void> {
    if (names.length) await runOk(this.ctx, 'zypper remove', [...this.base(), 'remove', '--', ...names], OK);
  }

  async cacheStale(): Promise<boolean> {
    return this.ctx.params.update_cache;
  }

  async refreshCache(): Promise<void> {
    // --plus-repo repositories are read fresh every time; with no other
    // repository configured zypper refresh exits 6 (no repositories).
    const ok = this.ctx.params.repos?.length ? [...OK, 6] : OK;
    await runOk(this.ctx, 'zypper refresh', [...this.base(), 'refresh'], ok);
  }
}
