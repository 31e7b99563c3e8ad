// setup: the facts converge gathers (os family and distribution, package and
// service manager, host name, architecture, interfaces and IPv4 addresses),
// as ansible_* names, for plays with gather_facts: false or to re-read them.
// filter narrows them as Ansible does (shell patterns on the names);
// gather_subset only chooses between all of them and the minimal set.

import type { ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { factVariables } from '../src/engine/facts-vars.js';

interface SetupParams { gather_subset: string[] | string; filter: string[] | string; gather_timeout?: number; fact_path?: string }

/** Ansible's minimal subset among converge's facts (distribution, os family, package and service manager, names, architecture). */
const MIN = new Set(['os_family', 'distribution', 'distribution_version', 'distribution_major_version', 'distribution_id', 'pkg_mgr', 'service_mgr', 'hostname', 'nodename', 'fqdn', 'architecture', 'machine', 'systemd_running',
  'system', 'kernel', 'kernel_version', 'env']);
/** Ansible's hardware subset among them (memory, processors, mounts). */
const HARDWARE = /^(memtotal_mb|memfree_mb|swaptotal_mb|swapfree_mb|processor.*|mounts)$/;
const SUBSETS = new Set(['all', 'min', '!all', '!min', 'network', '!network', 'hardware', '!hardware', 'virtual', '!virtual', 'facter', '!facter', 'ohai', '!ohai']);

const list = (v: string[] | string) => (Array.isArray(v) ? v : v.split(',')).map((x) => x.trim()).filter(Boolean);

/** fnmatch as Python's: * ? [..] over the whole name. */
function fnmatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.').replace(/\[!/g, '[^');
  return new RegExp(`^${re}$`).test(name);
}

export const setupModule: ModuleDefinition<SetupParams> = {
  name: 'setup',
  aliases: ['gather_facts'],
  description:
    'Gathers the facts converge knows (os_family, distribution and versions, pkg_mgr, service_mgr, hostname/nodename/fqdn, architecture, ' +
    'interfaces with their IPv4 addresses) and returns them as ansible_facts. filter keeps the names matching shell patterns (ansible_os_family, ' +
    'ansible_distribution*). gather_subset: all, min (names, distribution, managers, architecture, kernel, env), network, hardware (memory, processors, mounts); ' +
    'virtual, facter and ohai add nothing (converge gathers none of those) and are refused when asked for alone.',
  schema: {
    properties: {
      gather_subset: { type: ['array', 'string'], items: { type: 'string' }, default: ['all'], description: 'all, min, network, or ! before one to leave it out.' },
      filter: { type: ['array', 'string'], items: { type: 'string' }, default: [], description: 'Shell patterns on the fact names (with their ansible_ prefix); only matching facts are returned.' },
      gather_timeout: { type: 'integer', description: 'Not supported: converge gathers its facts with one command; refused.' },
      fact_path: { type: 'string', description: 'Not supported (local facts from /etc/ansible/facts.d); refused.' },
    },
  },
  async plan(p, ctx) {
    if (p.gather_timeout !== undefined) throw new TaskFailedError('gather_timeout is not supported: converge gathers its facts with one command');
    if (p.fact_path !== undefined) throw new TaskFailedError('fact_path is not supported: converge does not read local facts (facts.d)');
    const subset = list(p.gather_subset);
    for (const s of subset) if (!SUBSETS.has(s)) throw new TaskFailedError(`gather_subset: unknown subset '${s}' (converge knows all, min, network, hardware; virtual, facter and ohai gather nothing here)`);
    const positive = subset.filter((s) => !s.startsWith('!'));
    if (positive.length && positive.every((s) => ['virtual', 'facter', 'ohai'].includes(s))) {
      throw new TaskFailedError(`gather_subset: converge gathers no ${positive.join('/')} facts`);
    }
    const all = positive.includes('all') || (positive.length === 0 && !subset.includes('!all'));
    const network = all ? !subset.includes('!network') : positive.includes('network');
    const hardware = all ? !subset.includes('!hardware') : positive.includes('hardware');
    const facts = (factVariables(await ctx.host.facts()).ansible_facts ?? {}) as Record<string, unknown>;
    const filters = list(p.filter);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(facts)) {
      if (HARDWARE.test(k) ? !hardware : !MIN.has(k) && !network) continue;
      const name = `ansible_${k}`;
      if (filters.length && !filters.some((f) => fnmatch(f, name))) continue;
      out[name] = v;
    }
    return { changes: [], result: { ansible_facts: out } };
  },
  async apply() { return {}; },
};
