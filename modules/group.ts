// group: a local group present (with a gid, system or not) or absent, with
// groupadd / groupmod / groupdel on the host.

import type { Change, ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';

export interface GroupParams { name: string; state: 'present' | 'absent'; gid?: number; system: boolean; non_unique: boolean; local: boolean }

interface Observed { exists: boolean; gid?: number }

export const groupModule: ModuleDefinition<GroupParams, Observed> = {
  name: 'group',
  description: 'Makes a local group present (groupadd; gid changed with groupmod) or absent (groupdel). Returns name, gid, state and system for register.',
  schema: {
    properties: {
      name: { type: 'string', pattern: '^[^:,\\s]+$', description: 'Group name.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the group should exist.' },
      gid: { type: 'integer', minimum: 0, description: 'Numeric id (on creation, and changed when it differs).' },
      system: { type: 'boolean', default: false, description: 'Create a system group (groupadd -r: a gid from the system range).' },
      non_unique: { type: 'boolean', default: false, description: 'Allow a gid another group already has (-o); needs gid.' },
      local: { type: 'boolean', default: false, description: 'Accepted only as false: converge manages /etc/group with groupadd.', enum: [false] },
    },
    required: ['name'],
    if: { properties: { non_unique: { const: true } }, required: ['non_unique'] },
    then: { required: ['gid'] },
  },
  async plan(p, ctx) {
    const r = await ctx.host.run(['getent', 'group', p.name]);
    const f = r.rc === 0 ? r.stdout.trim().split(':') : [];
    const seen: Observed = f.length >= 3 ? { exists: true, gid: Number(f[2]) } : { exists: false };
    const changes: Change[] = [];
    if (p.state === 'absent') {
      if (seen.exists) changes.push({ property: 'state', before: 'present', after: 'absent', summary: `remove group ${p.name}` });
    } else if (!seen.exists) {
      changes.push({ property: 'state', before: 'absent', after: 'present', summary: `add group ${p.name}${p.gid !== undefined ? ` (gid ${p.gid})` : ''}` });
    } else if (p.gid !== undefined && p.gid !== seen.gid) {
      changes.push({ property: 'gid', before: seen.gid, after: p.gid, summary: `change gid of ${p.name} from ${seen.gid} to ${p.gid}` });
    }
    const result: Record<string, unknown> = { name: p.name, state: p.state };
    if (p.state === 'present') Object.assign(result, { gid: seen.gid ?? p.gid, system: p.system });
    return { changes, state: seen, result, provides: changes.length && p.state === 'present' ? [{ kind: 'group', name: p.name }] : undefined };
  },
  async apply(p, planned, ctx) {
    const seen = planned.state!;
    const gid = p.gid !== undefined ? ['-g', String(p.gid), ...(p.non_unique ? ['-o'] : [])] : [];
    const argv = p.state === 'absent' ? ['groupdel', p.name]
      : !seen.exists ? ['groupadd', ...gid, ...(p.system ? ['-r'] : []), p.name]
        : ['groupmod', ...gid, p.name];
    const r = await ctx.host.run(argv);
    if (r.rc !== 0) throw new TaskFailedError(`${argv[0]} failed (rc ${r.rc}): ${r.stderr.trim()}`);
    if (p.state === 'present') {
      const g = await ctx.host.run(['getent', 'group', p.name]);
      return { result: { gid: Number(g.stdout.split(':')[2]) } };
    }
    return {};
  },
};
