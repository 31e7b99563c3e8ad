// seboolean (ansible.posix.seboolean): an SELinux boolean, now (setsebool)
// and with persistent across reboots (setsebool -P). A host where SELinux
// does not run is refused before anything, as Ansible refuses it.

import type { ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { runtimeSelinux } from './selinux.js';

interface SebooleanParams { name: string; state: boolean; persistent: boolean; ignore_selinux_state: boolean }

/** A host must run SELinux for its booleans to mean anything. */
export async function requireSelinux(ctx: ModuleContext, ignore: boolean): Promise<void> {
  if (ignore) throw new TaskFailedError('ignore_selinux_state is not supported by converge: it needs the policy store of a host where SELinux runs');
  if (ctx.host.kind === 'chroot' || !(await runtimeSelinux(ctx)).enabled) throw new TaskFailedError('SELinux is disabled on this host.');
}

/** semanage boolean -l's line for NAME: (current , persistent). */
async function values(ctx: ModuleContext, name: string): Promise<{ current: boolean; persistent: boolean }> {
  const g = await ctx.host.run(['getsebool', name], { env: { LC_ALL: 'C' }, observeOnly: true });
  if (g.rc !== 0) throw new TaskFailedError(`SELinux boolean ${name} does not exist.`);
  const current = /-->\s*on\s*$/.test(g.stdout.trim());
  const s = await ctx.host.run(['semanage', 'boolean', '-l', '-n'], { env: { LC_ALL: 'C' }, observeOnly: true });
  if (s.rc !== 0) throw new TaskFailedError(`semanage boolean -l failed (rc ${s.rc}): ${s.stderr.trim()} (policycoreutils-python-utils)`);
  const line = s.stdout.split('\n').find((l) => l.split(/\s+/)[0] === name);
  const m = line && /\(\s*(on|off)\s*,\s*(on|off)\s*\)/.exec(line);
  return { current, persistent: m ? m[2] === 'on' : current };
}

async function plan(p: SebooleanParams, ctx: ModuleContext): Promise<PlanResult<string[]>> {
  await requireSelinux(ctx, p.ignore_selinux_state);
  const v = await values(ctx, p.name);
  const word = p.state ? 'on' : 'off';
  const result = { name: p.name, persistent: p.persistent, state: p.state };
  const differs = v.current !== p.state || (p.persistent && v.persistent !== p.state);
  if (!differs) return { changes: [], result };
  const argv = ['setsebool', ...(p.persistent ? ['-P'] : []), p.name, word];
  // With persistent, the kept value is part of what changes (on now but kept off still needs -P).
  const before = (v.current ? 'on' : 'off') + (p.persistent ? `, persistent ${v.persistent ? 'on' : 'off'}` : '');
  const after = word + (p.persistent ? `, persistent ${word}` : '');
  return { changes: [{ property: `boolean:${p.name}`, before, after, summary: `${ctx.check ? 'would run' : 'run'} ${argv.join(' ')}` }], result, state: argv };
}

export const sebooleanModule: ModuleDefinition<SebooleanParams, string[]> = {
  name: 'seboolean',
  aliases: ['ansible.posix.seboolean'],
  description:
    'Sets an SELinux boolean (getsebool to observe, setsebool to set; with persistent, setsebool -P and the value semanage keeps). ' +
    'Refused on a host where SELinux does not run ("SELinux is disabled on this host."), and on directory trees.',
  schema: {
    properties: {
      name: { type: 'string', description: 'The boolean, e.g. tftp_home_dir.' },
      state: { type: 'boolean', description: 'On or off.' },
      persistent: { type: 'boolean', default: false, description: 'Keep the value across reboots (setsebool -P).' },
      ignore_selinux_state: { type: 'boolean', default: false, description: 'Not supported: true is refused.' },
    },
    required: ['name', 'state'],
  },
  plan,
  async apply(_p, planned, ctx) {
    const r = await ctx.host.run(planned.state!, { env: { LC_ALL: 'C' } });
    if (r.rc !== 0) throw new TaskFailedError(`${planned.state!.join(' ')} failed (rc ${r.rc}): ${(r.stdout + r.stderr).trim()}`);
    return { result: planned.result };
  },
};
