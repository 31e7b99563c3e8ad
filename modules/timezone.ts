// timezone (community.general.timezone): the zone and whether the hardware
// clock keeps local time. With systemd running, through timedatectl as
// Ansible does; on a tree without running systemd (a chroot, an image), the
// zone is the /etc/localtime link systemd itself writes (and /etc/timezone
// where the tree has one, as Debian does).

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';
import { resolveLinks } from './common/paths.js';

interface TimezoneParams { name?: string; hwclock?: 'local' | 'UTC'; rtc?: 'local' | 'UTC' }

interface TimezoneState {
  online: boolean;
  commands: string[][];
  link?: string;
  file?: { spec: FileWriteSpec; write: FileWriteState | undefined };
}

const ENV = { LC_ALL: 'C' };
const ZONE_RE = /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/;

async function observeOnline(ctx: ModuleContext): Promise<{ name: string; hwclock: 'local' | 'UTC' }> {
  const r = await ctx.host.run(['timedatectl', 'show', '-p', 'Timezone', '-p', 'LocalRTC'], { env: ENV, observeOnly: true });
  if (r.rc !== 0) throw new TaskFailedError(`timedatectl show failed (rc ${r.rc}): ${(r.stdout + r.stderr).trim()}`);
  const v = Object.fromEntries(r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { name: v.Timezone ?? '', hwclock: v.LocalRTC === 'yes' ? 'local' : 'UTC' };
}

async function plan(p: TimezoneParams, ctx: ModuleContext): Promise<PlanResult<TimezoneState>> {
  const hwclock = p.hwclock ?? p.rtc;
  if (p.name === undefined && hwclock === undefined) throw new TaskFailedError('one of the following is required: hwclock, name');
  if (p.name !== undefined) {
    if (!ZONE_RE.test(p.name)) throw new TaskFailedError(`given timezone "${p.name}" is not available`);
    const z = await resolveLinks(ctx.host, `/usr/share/zoneinfo/${p.name}`);
    if (z.stat.type !== 'file') throw new TaskFailedError(`given timezone "${p.name}" is not available`);
  }
  const facts = await ctx.host.facts();
  const online = ctx.host.kind !== 'chroot' && facts.systemd_running;
  const say = (s: string) => (ctx.check ? `would ${s}` : s);
  const changes: Change[] = [];
  const st: TimezoneState = { online, commands: [] };
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  if (online) {
    const now = await observeOnline(ctx);
    if (hwclock !== undefined) {
      before.hwclock = now.hwclock; after.hwclock = hwclock;
      if (now.hwclock !== hwclock) {
        st.commands.push(['timedatectl', 'set-local-rtc', hwclock === 'local' ? 'yes' : 'no']);
        changes.push({ property: 'hwclock', before: now.hwclock, after: hwclock, summary: say(`keep the hardware clock in ${hwclock} time`) });
      }
    }
    if (p.name !== undefined) {
      before.name = now.name; after.name = p.name;
      if (now.name !== p.name) {
        st.commands.push(['timedatectl', 'set-timezone', p.name]);
        changes.push({ property: 'timezone', before: now.name, after: p.name, summary: say(`set the time zone to ${p.name}`) });
      }
    }
  } else {
    if (hwclock !== undefined) throw new TaskFailedError(`hwclock needs systemd running on ${ctx.host.name} (timedatectl); it is not set in a tree`);
    const link = await ctx.host.stat('/etc/localtime');
    const current = link.type === 'link' ? link.linkTarget!.replace(/^.*zoneinfo\//, '') : '';
    const target = `../usr/share/zoneinfo/${p.name}`;
    before.name = current; after.name = p.name!;
    if (link.type !== 'link' || link.linkTarget !== target) {
      st.link = target;
      changes.push({ property: 'timezone', before: current || (link.exists ? '(a file)' : '(none)'), after: p.name, summary: say(`link /etc/localtime to ${target}`) });
    }
    const tzfile = await ctx.host.stat('/etc/timezone');
    if (tzfile.exists || facts.os_family === 'Debian') {
      const spec: FileWriteSpec = { path: '/etc/timezone', content: Buffer.from(`${p.name}\n`), follow: true };
      const planned = await planFileWrite(spec, ctx);
      changes.push(...planned.changes);
      if (planned.changes.length) st.file = { spec, write: planned.state };
    }
  }
  return { changes, state: st, result: { diff: { before, after } } };
}

async function apply(p: TimezoneParams, planned: PlanResult<TimezoneState>, ctx: ModuleContext) {
  const st = planned.state!;
  const msg: string[] = [];
  for (const argv of st.commands) {
    const r = await ctx.host.run(argv, { env: ENV });
    if (r.rc !== 0) throw new TaskFailedError(`${argv.join(' ')} failed (rc ${r.rc}): ${(r.stdout + r.stderr).trim()}`);
    msg.push(`executed \`${argv.join(' ')}\``);
  }
  if (st.link) {
    await ctx.host.remove('/etc/localtime');
    await ctx.host.symlink(st.link, '/etc/localtime');
  }
  if (st.file) await applyFileWrite(st.file.spec, { ...planned, state: st.file.write }, ctx);
  return { result: msg.length ? { msg: msg.join('\n') } : {} };
}

export const timezoneModule: ModuleDefinition<TimezoneParams, TimezoneState> = {
  name: 'timezone',
  aliases: ['community.general.timezone'],
  description:
    'Sets the time zone and whether the hardware clock keeps local time or UTC. With systemd running: timedatectl set-timezone / ' +
    'set-local-rtc, as Ansible does. Without it (a chroot tree, an image): the /etc/localtime link (and /etc/timezone on Debian); hwclock ' +
    'is refused there. A zone not under /usr/share/zoneinfo on the host is refused.',
  schema: {
    properties: {
      name: { type: 'string', description: 'The zone, e.g. Europe/Berlin or UTC.' },
      hwclock: { type: 'string', enum: ['local', 'UTC'], description: 'Whether the hardware clock keeps local time or UTC (alias: rtc).' },
      rtc: { type: 'string', enum: ['local', 'UTC'], description: 'Alias of hwclock.' },
    },
    anyOf: [{ required: ['name'] }, { required: ['hwclock'] }, { required: ['rtc'] }],
  },
  plan,
  apply,
};
