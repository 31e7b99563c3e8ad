// package_facts: the installed packages as ansible_facts.packages, a list
// per name (several versions of an RPM can be installed at once), from one
// rpm -qa or dpkg-query on the host.

import type { ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';

interface PackageFactsParams { manager: string[] | string; strategy: 'first' | 'all' }

const RPM_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n';
const DPKG_FORMAT = '${db:Status-Abbrev}\\t${Package}\\t${Version}\\t${Architecture}\\n';

type Pkg = Record<string, unknown>;

export function parseRpm(text: string): Record<string, Pkg[]> {
  const out: Record<string, Pkg[]> = {};
  for (const line of text.split('\n').filter(Boolean)) {
    const [name, epoch, version, release, arch] = line.split('\t');
    (out[name] ??= []).push({ name, version, release, epoch: epoch === '(none)' ? null : Number(epoch), arch, source: 'rpm' });
  }
  return out;
}

export function parseDpkg(text: string): Record<string, Pkg[]> {
  const out: Record<string, Pkg[]> = {};
  for (const line of text.split('\n').filter(Boolean)) {
    const [status, name, version, arch] = line.split('\t');
    if (!status.startsWith('ii')) continue; // installed, not only known or half-removed
    (out[name] ??= []).push({ name, version, arch, source: 'apt' });
  }
  return out;
}

export const packageFactsModule: ModuleDefinition<PackageFactsParams> = {
  name: 'package_facts',
  factNames: ['packages'],
  description:
    'Returns ansible_facts.packages: each installed package by name, a list of {name, version, release, epoch, arch, source} for RPM ' +
    '(rpm -qa) or {name, version, arch, source} for Debian packages (dpkg-query, installed ones only). manager auto picks rpm or apt from ' +
    'what the host has; strategy all merges both when both exist.',
  schema: {
    properties: {
      manager: { type: ['array', 'string'], items: { type: 'string', enum: ['auto', 'rpm', 'apt'] }, default: ['auto'], description: 'auto, rpm or apt (other Ansible managers such as pacman or portage are refused).' },
      strategy: { type: 'string', enum: ['first', 'all'], default: 'first', description: 'first: the first manager found; all: every one listed.' },
    },
  },
  async plan(p, ctx) {
    let managers = (Array.isArray(p.manager) ? p.manager : [p.manager]).map((m) => m.trim());
    // auto: the host's own package manager first (Debian's rpm binary keeps no system database).
    if (managers.includes('auto')) managers = (await ctx.host.facts()).pkg_mgr === 'apt' ? ['apt', 'rpm'] : ['rpm', 'apt'];
    const probe = await ctx.host.run(['sh', '-c', 'for c in rpm dpkg-query; do command -v $c >/dev/null 2>&1 && echo $c; done'], { observeOnly: true });
    const has = new Set(probe.stdout.split('\n'));
    const found = managers.filter((m) => has.has(m === 'apt' ? 'dpkg-query' : 'rpm'));
    if (!found.length) throw new TaskFailedError(`Could not detect a supported package manager from the following list: ${JSON.stringify(managers)}, or the required Python library is not installed. Check warnings for details.`);
    const packages: Record<string, Pkg[]> = {};
    for (const m of p.strategy === 'first' ? found.slice(0, 1) : found) {
      const r = m === 'rpm'
        ? await ctx.host.run(['rpm', '-qa', '--qf', RPM_FORMAT], { env: { LC_ALL: 'C' }, observeOnly: true })
        : await ctx.host.run(['dpkg-query', '-W', '-f', DPKG_FORMAT], { env: { LC_ALL: 'C' }, observeOnly: true });
      if (r.rc !== 0) throw new TaskFailedError(`${m === 'rpm' ? 'rpm -qa' : 'dpkg-query -W'} failed (rc ${r.rc}): ${r.stderr.trim()}`);
      for (const [name, list] of Object.entries(m === 'rpm' ? parseRpm(r.stdout) : parseDpkg(r.stdout))) (packages[name] ??= []).push(...list);
    }
    return { changes: [], result: { ansible_facts: { packages } } };
  },
  async apply() { return {}; },
};
