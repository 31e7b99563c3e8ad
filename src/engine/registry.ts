// Module names as playbooks write them: short names, aliases and the
// collection-qualified forms. ansible.builtin.X / ansible.legacy.X reach every
// module Ansible has (ansible-core itself redirects the old names that moved
// to ansible.posix and community.general, so ansible.builtin.sysctl works);
// ansible.posix.X and community.general.X only reach the modules that list
// that name as an alias, since those collections have only some modules;
// converge.X reaches any module. Any other prefix is refused.

import { modules } from '../../modules/index.js';
import type { ModuleDefinition } from './module.js';
import { closest } from '../config/did-you-mean.js';

const ANSIBLE_CORE = ['ansible.builtin.', 'ansible.legacy.'];
const OWN = 'converge.';

let byName: Map<string, ModuleDefinition> | undefined;

function index(): Map<string, ModuleDefinition> {
  if (byName) return byName;
  byName = new Map();
  for (const m of modules) {
    for (const n of [m.name, ...(m.aliases ?? [])]) byName.set(n, m);
  }
  return byName;
}

/** The name without its collection prefix (ansible.posix.mount -> mount). */
export function shortName(name: string): string {
  for (const p of [...ANSIBLE_CORE, OWN]) if (name.startsWith(p)) return name.slice(p.length);
  const m = /^[a-z0-9_]+\.[a-z0-9_]+\.(.+)$/.exec(name);
  return m ? m[1] : name;
}

export function findModule(name: string): ModuleDefinition | undefined {
  const exact = index().get(name);
  if (exact) return exact;
  const bare = (n: string) => (n.includes('.') ? undefined : index().get(n));
  if (name.startsWith(OWN)) return bare(name.slice(OWN.length));
  for (const p of ANSIBLE_CORE) {
    if (!name.startsWith(p)) continue;
    const m = bare(name.slice(p.length));
    return m && !m.convergeOnly ? m : undefined;
  }
  return undefined;
}

/** A close module name; for a known module under the wrong collection, the names that do exist. */
export function suggestModule(name: string): string | undefined {
  const m = index().get(shortName(name));
  if (m && name !== shortName(name)) {
    const qualified = [m.name, ...(m.aliases ?? [])].filter((n) => n.includes('.'));
    return [...(m.convergeOnly ? [] : [`ansible.builtin.${m.name}`]), ...qualified, `converge.${m.name}`].join('` or `');
  }
  return closest(shortName(name), index().keys());
}

export function allModules(): ModuleDefinition[] {
  return modules;
}
