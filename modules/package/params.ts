// Parameters of the package module and its per-manager aliases (dnf, yum,
// zypper, apt). One schema for all: the common parameters of Ansible's dnf,
// zypper and apt modules that a head node or image build uses; anything else
// is rejected by the schema rather than silently ignored.

import { TaskFailedError } from '../../src/engine/module.js';

export type PackageState = 'present' | 'installed' | 'absent' | 'removed' | 'latest';
export type ManagerName = 'dnf' | 'zypper' | 'apt';

export interface ExtraRepo {
  name: string;
  url: string;
}

export interface PackageParams {
  name?: string | string[];
  pkg?: string | string[];
  state: PackageState;
  root?: string;
  installroot?: string;
  releasever?: string;
  update_cache: boolean;
  cache_valid_time?: number;
  disable_gpg_check: boolean;
  enablerepo?: string | string[];
  disablerepo?: string | string[];
  repos?: ExtraRepo[];
  install_weak_deps?: boolean;
  install_recommends?: boolean;
  disable_recommends?: boolean;
  purge: boolean;
  mirror?: string;
  use?: 'auto' | ManagerName | 'yum';
}

const stringOrList = (description: string) => ({
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  description,
});

export const packageSchema = {
  properties: {
    name: stringOrList('Package name, a list of names, or a comma-separated string of names. Plain names (optionally name.arch for dnf/zypper); version constraints are not supported.'),
    pkg: stringOrList('Same as name (the apt module\'s spelling).'),
    state: {
      type: 'string', enum: ['present', 'installed', 'absent', 'removed', 'latest'], default: 'present',
      description: 'present/installed: installed in any version; latest: installed and upgraded to the newest available version; absent/removed: not installed.',
    },
    root: { type: 'string', description: 'Install into this directory instead of the running system (dnf --installroot, zypper --root; apt: a tree bootstrapped with debootstrap, then apt-get inside it). For building compute-node images.' },
    installroot: { type: 'string', description: 'Same as root (the dnf module\'s spelling).' },
    releasever: { type: 'string', description: 'Release version for root installs (dnf/zypper --releasever); for apt, the Debian suite debootstrap uses (e.g. bookworm).' },
    update_cache: { type: 'boolean', default: false, description: 'Refresh the package metadata before looking for packages (dnf --refresh, zypper refresh, apt-get update). Refreshes only when the task has something to install or upgrade, or state is latest.' },
    cache_valid_time: { type: 'integer', minimum: 0, description: 'apt: with update_cache, skip apt-get update when the cache is younger than this many seconds.' },
    disable_gpg_check: { type: 'boolean', default: false, description: 'Do not check package signatures (dnf gpgcheck=0, zypper --no-gpg-checks, apt allow-unauthenticated).' },
    enablerepo: stringOrList('dnf: repository ids to enable for this transaction (--enablerepo).'),
    disablerepo: stringOrList("dnf: repository ids to disable for this transaction (--disablerepo); '*' with repos or enablerepo uses only those."),
    repos: {
      type: 'array',
      description: 'Extra repositories for this task only, stated explicitly (useful for root installs): dnf --repofrompath=NAME,URL, zypper --plus-repo URL.',
      items: {
        type: 'object', additionalProperties: false, required: ['name', 'url'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9_.:-]+$', description: 'Repository id.' },
          url: { type: 'string', description: 'Base URL of the repository (file:///dir, http://...).' },
        },
      },
    },
    install_weak_deps: { type: 'boolean', description: 'dnf: also install weak dependencies (Recommends). Default: the manager\'s configuration.' },
    install_recommends: { type: 'boolean', description: 'apt: install recommended packages too. Default: apt\'s configuration.' },
    disable_recommends: { type: 'boolean', description: 'zypper: do not install recommended packages (--no-recommends).' },
    purge: { type: 'boolean', default: false, description: 'apt: with state absent, also remove configuration files.' },
    mirror: { type: 'string', description: 'apt with root: the Debian mirror debootstrap uses for a new tree (default http://deb.debian.org/debian).' },
    use: { type: 'string', enum: ['auto', 'dnf', 'yum', 'zypper', 'apt'], default: 'auto', description: 'Package manager to use; auto picks it from the host\'s facts.' },
  },
  anyOf: [{ required: ['name'] }, { required: ['pkg'] }, { required: ['update_cache'] }],
};

/** The task's package names: from name or pkg, lists or comma-separated strings. */
export function packageNames(p: PackageParams): string[] {
  const raw = p.name ?? p.pkg ?? [];
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean);
  for (const n of list) {
    // A leading dash would be read as an option by the package manager.
    if (n.startsWith('-')) throw new TaskFailedError(`package name '${n}' must not start with '-'`);
    if (/[\s<>=]/.test(n)) throw new TaskFailedError(`package '${n}': version constraints are not supported; give the plain package name`);
    if (n.startsWith('@')) throw new TaskFailedError(`package '${n}': package groups are not supported; list the packages`);
  }
  return [...new Set(list)];
}

export function listOf(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

export function rootOf(p: PackageParams): string | undefined {
  const r = p.root ?? p.installroot;
  if (r === undefined || r === '/' || r === '') return undefined;
  if (!r.startsWith('/')) throw new TaskFailedError(`root must be an absolute path, got '${r}'`);
  return r.replace(/(.)\/+$/, '$1');
}
