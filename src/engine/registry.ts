// Module names as playbooks write them: short names, aliases and the
// collection-qualified forms (ansible.builtin.copy, ansible.posix.firewalld).

import { modules } from '../../modules/index.js';
import type { ModuleDefinition } from './module.js';
import { closest } from '../config/did-you-mean.js';

const PREFIXES = ['ansible.builtin.', 'ansible.legacy.', 'ansible.posix.', 'community.general.', 'converge.'];

let byName: Map<string, ModuleDefinition> | undefined;

function index(): Map<string, ModuleDefinition> {
  if (byName) return byName;
  byName = new Map();
  for (const m of modules) {
    for (const n of [m.name, ...(m.aliases ?? [])]) byName.set(n, m);
  }
  return byName;
}

export function shortName(name: string): string {
  for (const p of PREFIXES) if (name.startsWith(p)) return name.slice(p.length);
  return name;
}

export function findModule(name: string): ModuleDefinition | undefined {
  return index().get(name) ?? index().get(shortName(name));
}

export function moduleNames(): string[] {
  return [...index().keys()];
}

export function suggestModule(name: string): string | undefined {
  return closest(shortName(name), index().keys());
}

export function allModules(): ModuleDefinition[] {
  return modules;
}
