// hostname: the host's name, now and at boot. With systemd running it works
// as Ansible's systemd strategy does (hostnamectl: the static and pretty names
// first, then the transient one); a host without running systemd (a chroot
// tree, a compute image) gets /etc/hostname only, which is what its boot reads.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';

interface HostnameParams { name: string; use?: string }

interface HostnameState {
  online: boolean;
  setStatic: boolean;
  setTransient: boolean;
  file?: { spec: FileWriteSpec; write: FileWriteState | undefined };
}

// Ansible 2.14 maps use: debian to its systemd strategy too.
const SYSTEMD_USES = ['systemd', 'debian'];
const ENV = { LC_ALL: 'C' };

async function hostnamectl(ctx: ModuleContext, args: string[]): Promise<string> {
  const r = await ctx.host.run(['hostnamectl', ...args], { env: ENV, observeOnly: args.includes('status') });
  if (r.rc !== 0) throw new TaskFailedError(`hostnamectl ${args.join(' ')} failed (rc ${r.rc}): ${(r.stdout + r.stderr).trim()}`);
  return r.stdout.trim();
}

/** The facts Ansible returns: short name, node name, and the FQDN the host resolves its name to. */
async function nameFacts(ctx: ModuleContext, name: string, online: boolean): Promise<Record<string, unknown>> {
  let fqdn = name;
  if (online) {
    const r = await ctx.host.run(['hostname', '--fqdn'], { env: ENV, observeOnly: true });
    if (r.rc === 0 && r.stdout.trim()) fqdn = r.stdout.trim();
  }
  return { ansible_hostname: name.split('.')[0], ansible_nodename: name, ansible_fqdn: fqdn, ansible_domain: fqdn.split('.').slice(1).join('.') };
}

async function plan(p: HostnameParams, ctx: ModuleContext): Promise<PlanResult<HostnameState>> {
  const name = p.name;
  if (!name || /\s/.test(name) || name.length > 64) throw new TaskFailedError(`name must be 1 to 64 characters without blanks, got '${name}'`);
  if (p.use !== undefined && !SYSTEMD_USES.includes(p.use)) {
    throw new TaskFailedError(`use: ${p.use} is not supported by converge (supported: systemd, debian — both use hostnamectl; leave use out on a host without systemd to write /etc/hostname)`);
  }
  const facts = await ctx.host.facts();
  const online = ctx.host.kind !== 'chroot' && facts.systemd_running;
  if (p.use !== undefined && !online) throw new TaskFailedError(`use: ${p.use} needs systemd running on ${ctx.host.name}; leave use out to write /etc/hostname`);
  const say = (s: string) => (ctx.check ? `would ${s}` : s);
  const changes: Change[] = [];
  const st: HostnameState = { online, setStatic: false, setTransient: false };
  if (online) {
    const permanent = await hostnamectl(ctx, ['--static', 'status']);
    const current = await hostnamectl(ctx, ['--transient', 'status']);
    if (permanent !== name) {
      st.setStatic = true;
      changes.push({ property: 'static hostname', before: permanent, after: name, summary: say(`set the static hostname to ${name}`) });
    }
    if (current !== name) {
      st.setTransient = true;
      changes.push({ property: 'hostname', before: current, after: name, summary: say(`set the running hostname to ${name}`) });
    }
  } else {
    const old = await ctx.host.readFile('/etc/hostname');
    if ((old === null ? '' : old.toString('utf8').trim()) !== name) {
      const spec: FileWriteSpec = { path: '/etc/hostname', content: Buffer.from(`${name}\n`), follow: true };
      const planned = await planFileWrite(spec, ctx);
      changes.push(...planned.changes);
      st.file = { spec, write: planned.state };
    }
  }
  return { changes, state: st, result: { name, ansible_facts: await nameFacts(ctx, name, online && !changes.length) } };
}

async function apply(p: HostnameParams, planned: PlanResult<HostnameState>, ctx: ModuleContext) {
  const st = planned.state!;
  // The static name first: NetworkManager complains about a transient name set outside it.
  if (st.setStatic) await hostnamectl(ctx, ['--pretty', '--static', 'set-hostname', p.name]);
  if (st.setTransient) await hostnamectl(ctx, ['--transient', 'set-hostname', p.name]);
  if (st.file) await applyFileWrite(st.file.spec, { ...planned, state: st.file.write }, ctx);
  return { result: { name: p.name, ansible_facts: await nameFacts(ctx, p.name, st.online) } };
}

export const hostnameModule: ModuleDefinition<HostnameParams, HostnameState> = {
  name: 'hostname',
  description:
    'Sets the host\'s name. With systemd running: the static (and pretty) name and the running (transient) name through hostnamectl, as ' +
    'Ansible\'s systemd strategy does. Without it (a chroot tree, an image): /etc/hostname only (Ansible would write /etc/sysconfig/network ' +
    'on RedHat; converge writes what systemd reads at boot). Returns ansible_facts with ansible_hostname, ansible_nodename, ansible_fqdn, ansible_domain.',
  schema: {
    properties: {
      name: { type: 'string', description: 'The host name (up to 64 characters).' },
      use: { type: 'string', enum: ['systemd', 'debian', 'alpine', 'freebsd', 'generic', 'macos', 'macosx', 'darwin', 'openbsd', 'openrc', 'redhat', 'sles', 'solaris'], description: 'Ansible\'s strategy names; converge does systemd (and debian, which Ansible 2.14 maps to systemd) and refuses the others with an error.' },
    },
    required: ['name'],
  },
  plan,
  apply,
};
