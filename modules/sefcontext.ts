// sefcontext (community.general.sefcontext): a local file-context rule of the
// SELinux policy (what restorecon labels a path as), through semanage
// fcontext. The rule is observed in semanage's list of local customisations.
// A host where SELinux does not run is refused before anything.

import type { ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { requireSelinux } from './seboolean.js';

interface SefcontextParams {
  target?: string; path?: string; ftype: string; setype?: string; substitute?: string; equal?: string;
  seuser?: string; selevel?: string; serange?: string; state: 'present' | 'absent'; reload: boolean; ignore_selinux_state: boolean;
}

const FTYPES: Record<string, string> = {
  a: 'all files', b: 'block device', c: 'character device', d: 'directory', f: 'regular file', l: 'symbolic link', p: 'named pipe', s: 'socket',
};

/** The local rule for target and file type: its user, type and level, or undefined. */
async function localRule(ctx: ModuleContext, target: string, ftype: string): Promise<{ seuser: string; setype: string; selevel: string } | undefined> {
  const r = await ctx.host.run(['semanage', 'fcontext', '-l', '-C', '-n'], { env: { LC_ALL: 'C' }, observeOnly: true });
  if (r.rc !== 0) throw new TaskFailedError(`semanage fcontext -l failed (rc ${r.rc}): ${r.stderr.trim()} (policycoreutils-python-utils)`);
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith(`${target} `)) continue;
    const rest = line.slice(target.length).trim();
    if (!rest.startsWith(FTYPES[ftype])) continue;
    const ctxText = rest.slice(FTYPES[ftype].length).trim();
    const [seuser = '', , setype = '', ...level] = ctxText.split(':');
    return { seuser, setype, selevel: level.join(':') };
  }
  return undefined;
}

async function plan(p: SefcontextParams, ctx: ModuleContext): Promise<PlanResult<string[]>> {
  if ((p.substitute ?? p.equal) !== undefined) throw new TaskFailedError('substitute (equivalence rules) is not supported by converge');
  const target = (p.target ?? p.path)!;
  const selevel = p.selevel ?? p.serange;
  if (p.state === 'present' && !p.setype) throw new TaskFailedError('state is present but all of the following are missing: setype');
  await requireSelinux(ctx, p.ignore_selinux_state);
  const have = await localRule(ctx, target, p.ftype);
  const result = { target, ftype: p.ftype, setype: p.setype, seuser: p.seuser, serange: selevel, state: p.state };
  const noReload = p.reload ? [] : ['-N'];
  let argv: string[] | undefined;
  if (p.state === 'present') {
    const differs = !have || have.setype !== p.setype || (p.seuser !== undefined && have.seuser !== p.seuser) || (selevel !== undefined && have.selevel !== selevel);
    if (differs) {
      argv = ['semanage', 'fcontext', ...noReload, have ? '-m' : '-a', '-t', p.setype!, '-f', p.ftype, ...(p.seuser ? ['-s', p.seuser] : []), ...(selevel ? ['-r', selevel] : []), target];
    }
  } else if (have) argv = ['semanage', 'fcontext', ...noReload, '-d', '-f', p.ftype, target];
  if (!argv) return { changes: [], result };
  return { changes: [{ property: `fcontext:${target}`, before: have ? `${have.seuser}:object_r:${have.setype}` : 'absent', after: p.state === 'present' ? p.setype : 'absent', summary: `${ctx.check ? 'would run' : 'run'} ${argv.join(' ')}` }], result, state: argv };
}

export const sefcontextModule: ModuleDefinition<SefcontextParams, string[]> = {
  name: 'sefcontext',
  aliases: ['community.general.sefcontext'],
  description:
    'Keeps a local SELinux file-context rule (semanage fcontext -a/-m/-d) for a path pattern and file type; restorecon then labels files by it. ' +
    'Refused on a host where SELinux does not run ("SELinux is disabled on this host.") and on directory trees; substitute is not supported.',
  schema: {
    properties: {
      target: { type: 'string', description: 'The path pattern, e.g. /srv/tftp(/.*)? (alias: path).' },
      path: { type: 'string', description: 'Alias of target.' },
      ftype: { type: 'string', enum: Object.keys(FTYPES), default: 'a', description: 'File type: a (all), f (regular file), d (directory), l, c, b, s, p.' },
      setype: { type: 'string', description: 'The SELinux type (tftpdir_t); required with state present.' },
      substitute: { type: 'string', description: 'Not supported: refused.' },
      equal: { type: 'string', description: 'Alias of substitute (refused).' },
      seuser: { type: 'string', description: 'The SELinux user (system_u).' },
      selevel: { type: 'string', description: 'The MLS/MCS level (s0) (alias: serange).' },
      serange: { type: 'string', description: 'Alias of selevel.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the rule should exist.' },
      reload: { type: 'boolean', default: true, description: 'Reload the policy after the change (false: semanage -N).' },
      ignore_selinux_state: { type: 'boolean', default: false, description: 'Not supported: true is refused.' },
    },
    anyOf: [{ required: ['target'] }, { required: ['path'] }],
  },
  plan,
  async apply(_p, planned, ctx) {
    const r = await ctx.host.run(planned.state!, { env: { LC_ALL: 'C' } });
    if (r.rc !== 0) throw new TaskFailedError(`${planned.state!.join(' ')} failed (rc ${r.rc}): ${(r.stdout + r.stderr).trim()}`);
    return { result: planned.result };
  },
};
