// selinux (ansible.posix.selinux): the SELinux mode and policy in the config
// file, and the running mode when SELinux is enabled (setenforce). Read the
// way Ansible's libselinux calls read it: enabled when /sys/fs/selinux is
// mounted, enforcing per /sys/fs/selinux/enforce, the running policy from
// /etc/selinux/config (targeted when it says none). A host without SELinux
// only gets its config file, with reboot_required, as Ansible does.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';

type Mode = 'enforcing' | 'permissive' | 'disabled';
interface SelinuxParams { policy?: string; state: Mode; configfile?: string; conf?: string; file?: string; update_kernel_param: boolean }
interface SelinuxState { setenforce?: '0' | '1'; write?: { spec: FileWriteSpec; state: FileWriteState | undefined } }

/** The value of KEY= in an SELinux config text (the first such line), or undefined. */
export function configValue(text: string, key: 'SELINUX' | 'SELINUXTYPE'): string | undefined {
  for (const line of text.split(/\r?\n/)) if (new RegExp(`^${key}=`).test(line)) return line.split('=')[1].trim();
  return undefined;
}

/** The file with KEY=value set: each line rewritten as Ansible writes it (lines end in \n), appended when missing. */
export function setConfigValue(text: string, key: 'SELINUX' | 'SELINUXTYPE', value: string): string {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  let found = false;
  const out = lines.map((l) => { if (new RegExp(`^${key}=`).test(l)) { found = true; return `${key}=${value}`; } return l; });
  if (!found) out.push(`${key}=${value}`);
  return out.map((l) => l + '\n').join('');
}

/** Whether SELinux runs and in which mode. */
export async function runtimeSelinux(ctx: ModuleContext): Promise<{ enabled: boolean; mode: Mode }> {
  const enforce = await ctx.host.readFile('/sys/fs/selinux/enforce').catch(() => null);
  if (enforce === null) return { enabled: false, mode: 'disabled' };
  return { enabled: true, mode: enforce.toString().trim() === '1' ? 'enforcing' : 'permissive' };
}

async function plan(p: SelinuxParams, ctx: ModuleContext): Promise<PlanResult<SelinuxState>> {
  if (p.update_kernel_param) throw new TaskFailedError('update_kernel_param is not supported by converge (it edits every boot entry with grubby); set selinux=0 on the kernel command line with your boot loader configuration instead');
  const configfile = p.configfile ?? p.conf ?? p.file ?? '/etc/selinux/config';
  if (!configfile.startsWith('/')) throw new TaskFailedError(`configfile must be an absolute path, got '${configfile}'`);
  const say = (s: string) => (ctx.check ? `would ${s}` : s);
  const run = ctx.host.kind === 'chroot' ? { enabled: false, mode: 'disabled' as Mode } : await runtimeSelinux(ctx);
  const st = await ctx.host.stat(configfile);
  if (st.type !== 'file') throw new TaskFailedError(`Unable to find file ${configfile}: install the SELinux policy package first`);
  const old = (await ctx.host.readFile(configfile))!.toString('utf8');
  const configPolicy = configValue(old, 'SELINUXTYPE');
  const configState = configValue(old, 'SELINUX');
  const system = configfile === '/etc/selinux/config' ? old : (await ctx.host.readFile('/etc/selinux/config').catch(() => null))?.toString('utf8') ?? '';
  const runtimePolicy = configValue(system, 'SELINUXTYPE') ?? 'targeted';
  let policy = p.policy;
  if (p.state !== 'disabled' && !policy) throw new TaskFailedError("Policy is required if state is not 'disabled'");
  if (!policy) policy = configPolicy;

  const changes: Change[] = [];
  const msgs: string[] = [];
  const warnings: string[] = [];
  const state: SelinuxState = {};
  let rebootRequired = false;
  let text = old;
  if (policy !== runtimePolicy) {
    msgs.push(`Running SELinux policy changed from '${runtimePolicy}' to '${policy}'`);
    // Read from /etc/selinux/config as libselinux does: another configfile never changes it, so the task says so every run (as Ansible's).
    changes.push({ property: 'running policy', before: runtimePolicy, after: policy, summary: say(`boot with policy ${policy}`), repeats: configfile !== '/etc/selinux/config' });
  }
  if (policy !== configPolicy) {
    if (!(await ctx.host.stat(`/etc/selinux/${policy}/policy`)).exists) throw new TaskFailedError(`Policy ${policy} does not exist in /etc/selinux/`);
    text = setConfigValue(text, 'SELINUXTYPE', policy!);
    msgs.push(`SELinux policy configuration in '${configfile}' changed from '${configPolicy}' to '${policy}'`);
  }
  if (p.state !== run.mode) {
    if (run.enabled && p.state === 'disabled') {
      if (run.mode !== 'permissive') {
        state.setenforce = '0';
        warnings.push(`SELinux state temporarily changed from '${run.mode}' to 'permissive'. State change will take effect next reboot.`);
        changes.push({ property: 'running mode', before: run.mode, after: 'permissive', summary: say('switch SELinux to permissive until the next boot disables it') });
      } else warnings.push('SELinux state change will take effect next reboot');
      rebootRequired = true;
    } else if (run.enabled) {
      state.setenforce = p.state === 'enforcing' ? '1' : '0';
      msgs.push(`SELinux state changed from '${run.mode}' to '${p.state}'`);
      changes.push({ property: 'running mode', before: run.mode, after: p.state, summary: say(`setenforce ${state.setenforce}`) });
    } else {
      warnings.push(`Reboot is required to set SELinux state to '${p.state}'`);
      rebootRequired = true;
    }
  }
  if (p.state !== configState) {
    text = setConfigValue(text, 'SELINUX', p.state);
    msgs.push(`Config SELinux state changed from '${configState}' to '${p.state}'`);
  }
  if (text !== old) {
    const spec: FileWriteSpec = { path: configfile, content: Buffer.from(text), follow: true };
    const planned = await planFileWrite(spec, ctx);
    changes.push(...planned.changes);
    state.write = { spec, state: planned.state };
  }
  const result: Record<string, unknown> = { msg: msgs.join(', '), configfile, policy: policy ?? null, state: p.state, reboot_required: rebootRequired };
  if (warnings.length) result.warnings = warnings;
  return { changes, result, state };
}

async function apply(_p: SelinuxParams, planned: PlanResult<SelinuxState>, ctx: ModuleContext) {
  const st = planned.state!;
  if (st.setenforce) {
    const r = await ctx.host.run(['setenforce', st.setenforce], { env: { LC_ALL: 'C' } });
    if (r.rc !== 0) throw new TaskFailedError(`setenforce ${st.setenforce} failed (rc ${r.rc}): ${(r.stdout + r.stderr).trim()}`);
  }
  if (st.write) await applyFileWrite(st.write.spec, { ...planned, state: st.write.state }, ctx);
  return { result: planned.result };
}

export const selinuxModule: ModuleDefinition<SelinuxParams, SelinuxState> = {
  name: 'selinux',
  aliases: ['ansible.posix.selinux'],
  description:
    'Sets the SELinux mode (enforcing, permissive, disabled) and policy in /etc/selinux/config and, when SELinux runs, the running mode ' +
    '(setenforce; disabled takes a reboot, permissive until then). A host or tree without SELinux gets the file and reboot_required: true. ' +
    'Returns msg, policy, state, configfile, reboot_required as Ansible does.',
  schema: {
    properties: {
      policy: { type: 'string', description: 'The policy (targeted, mls ...); required unless state is disabled. It must exist under /etc/selinux/.' },
      state: { type: 'string', enum: ['enforcing', 'permissive', 'disabled'], description: 'The SELinux mode.' },
      configfile: { type: 'string', description: 'The config file (aliases: conf, file). Default: /etc/selinux/config.' },
      conf: { type: 'string', description: 'Alias of configfile.' },
      file: { type: 'string', description: 'Alias of configfile.' },
      update_kernel_param: { type: 'boolean', default: false, description: 'Not supported (grubby on every boot entry): true is refused.' },
    },
    required: ['state'],
  },
  plan,
  apply,
};
