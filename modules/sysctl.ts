// sysctl (ansible.posix.sysctl): a kernel parameter in a sysctl file and,
// with reload (default) or sysctl_set, in the running kernel. The file is
// rewritten as Ansible rewrites it (each line stripped, each key once as
// key=value); the live value is compared word by word.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';
import { requireAbsolute } from './common/paths.js';

export interface SysctlParams {
  name?: string; key?: string;
  value?: string | number | boolean; val?: string | number | boolean;
  state: 'present' | 'absent';
  reload: boolean;
  sysctl_set: boolean;
  ignoreerrors: boolean;
  sysctl_file: string;
}

const TRUE = ['y', 'yes', 'on', '1', 'true', 't'];
const FALSE = ['n', 'no', 'off', '0', 'false', 'f'];

/** Ansible's _parse_value: booleans (and their spellings) become 1/0, strings are stripped. */
export function sysctlValue(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  const s = String(v);
  if (TRUE.includes(s.toLowerCase())) return '1';
  if (FALSE.includes(s.toLowerCase())) return '0';
  return s.trim();
}

const sameWords = (a: string, b: string) => a.split(/\s+/).filter(Boolean).join(' ') === b.split(/\s+/).filter(Boolean).join(' ');
const isSetting = (l: string) => !!l && !l.startsWith('#') && !l.startsWith(';') && l.includes('=');
const keyValue = (l: string) => { const i = l.indexOf('='); return [l.slice(0, i).trim(), l.slice(i + 1).trim()]; };

/** The file's value of `name` (last one wins, as Ansible reads it) and the file as Ansible would write it. */
export function rewriteSysctl(text: string, name: string, value: string, state: 'present' | 'absent'): { current: string | undefined; lines: string[] } {
  const lines = (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((l) => l.trim());
  let current: string | undefined;
  for (const l of lines) if (isSetting(l)) { const [k, v] = keyValue(l); if (k === name) current = v; }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of lines) {
    if (!isSetting(l)) { out.push(l); continue; }
    const [k, v] = keyValue(l);
    if (seen.has(k)) continue;
    seen.add(k);
    if (k !== name) out.push(`${k}=${v}`);
    else if (state === 'present') out.push(`${k}=${value}`);
  }
  if (!seen.has(name) && state === 'present') out.push(`${name}=${value}`);
  return { current, lines: out };
}

interface SysctlState { spec?: FileWriteSpec; write?: FileWriteState; setLive: boolean; reload: boolean }

const ENV = { LANG: 'C', LC_ALL: 'C', LC_MESSAGES: 'C' };
const failedOutput = (err: string) => /^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$/m.test(err);

async function plan(p: SysctlParams, ctx: ModuleContext): Promise<PlanResult<SysctlState>> {
  const name = (p.name ?? p.key)!.trim();
  const value = sysctlValue(p.value ?? p.val);
  if (!name) throw new TaskFailedError('name cannot be blank');
  if (p.state === 'present' && value === '') throw new TaskFailedError('value cannot be blank');
  const file = requireAbsolute(p.sysctl_file, 'sysctl_file');
  const live = await ctx.host.run(['sysctl', '-n', name], { env: ENV });
  const unknown = live.rc !== 0;
  // Ansible asks with -e, which prints nothing for an unknown key: an empty value that never matches.
  const proc = unknown ? '' : live.stdout;
  if (unknown && p.state === 'present' && (p.sysctl_set || p.reload) && !p.ignoreerrors) {
    // Found before anything is written (Ansible fails later, at sysctl -w or -p).
    // (Worded without "No such file": --check would take that for a file an earlier task creates.)
    throw new TaskFailedError(`${p.sysctl_set ? `setting ${name} failed` : 'Failed to reload sysctl'}: the running kernel has no parameter ${name}`);
  }
  const st = await ctx.host.stat(file);
  const old = st.type === 'file' ? (await ctx.host.readFile(file))?.toString('utf8') ?? '' : '';
  const r = rewriteSysctl(old, name, value, p.state);
  const writeFile = p.state === 'present' ? r.current !== value : r.current !== undefined && r.current !== '';
  const changes: Change[] = [];
  let state: SysctlState = { setLive: false, reload: false };
  let provides;
  if (writeFile) {
    const spec: FileWriteSpec = { path: file, content: Buffer.from(r.lines.map((l) => l + '\n').join('')), follow: true };
    const planned = await planFileWrite(spec, ctx);
    changes.push(...planned.changes);
    provides = planned.provides;
    state = { ...state, spec, write: planned.state };
  }
  const liveDiffers = !sameWords(proc, value);
  if (p.state === 'present' && p.sysctl_set && liveDiffers) state.setLive = true;
  const liveChange = p.state === 'present' && (p.sysctl_set || p.reload) && liveDiffers;
  if (liveChange) changes.push({ property: `sysctl:${name}`, before: unknown ? '(unknown key)' : proc.trim(), after: value, summary: `set ${name} to ${value} in the running kernel` });
  // Ansible reloads the file whenever the task changes something.
  state.reload = p.reload && changes.length > 0;
  if (state.reload && !liveChange && p.state === 'absent') changes.push({ property: 'reload', summary: `sysctl -p ${file}`, repeats: true });
  return { changes, provides, state };
}

async function apply(p: SysctlParams, planned: PlanResult<SysctlState>, ctx: ModuleContext) {
  const s = planned.state!;
  const name = (p.name ?? p.key)!.trim();
  const value = sysctlValue(p.value ?? p.val);
  if (s.setLive) {
    const r = await ctx.host.run(['sysctl', ...(p.ignoreerrors ? ['-e'] : []), '-w', `${name}=${value}`], { env: ENV });
    if (r.rc !== 0 || failedOutput(r.stderr)) throw new TaskFailedError(`setting ${name} failed: ${r.stdout}${r.stderr}`);
  }
  if (s.spec && s.write) await applyFileWrite(s.spec, { ...planned, state: s.write }, ctx);
  if (s.reload) {
    const r = await ctx.host.run(['sysctl', ...(p.ignoreerrors ? ['-e'] : []), '-p', p.sysctl_file], { env: ENV });
    if (r.rc !== 0 || failedOutput(r.stderr)) throw new TaskFailedError(`Failed to reload sysctl: ${r.stdout}${r.stderr}`);
  }
  return {};
}

export const sysctlModule: ModuleDefinition<SysctlParams, SysctlState> = {
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl'],
  description:
    'Keeps a kernel parameter in a sysctl file (default /etc/sysctl.conf; lines stripped and each key kept once as key=value, as Ansible ' +
    'rewrites it) and, with reload (default), loads the file with sysctl -p when the task changes something; sysctl_set also sets the ' +
    'running value with sysctl -w when it differs. Live values are compared word by word. Booleans (yes/true/on) are written as 1/0.',
  schema: {
    properties: {
      name: { type: 'string', description: 'The parameter, e.g. net.ipv4.ip_forward (alias: key).' },
      key: { type: 'string', description: 'Alias of name.' },
      value: { type: ['string', 'number', 'boolean'], description: 'Its value; required with state present (alias: val).' },
      val: { type: ['string', 'number', 'boolean'], description: 'Alias of value.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the parameter should be in the file.' },
      reload: { type: 'boolean', default: true, description: 'Run sysctl -p on the file when the task changes something (and when the running value differs).' },
      sysctl_set: { type: 'boolean', default: false, description: 'Set the running value with sysctl -w when it differs.' },
      ignoreerrors: { type: 'boolean', default: false, description: 'Pass -e to sysctl: unknown keys are not an error.' },
      sysctl_file: { type: 'string', default: '/etc/sysctl.conf', description: 'The file to keep the parameter in (e.g. /etc/sysctl.d/90-cluster.conf).' },
    },
    anyOf: [{ required: ['name'] }, { required: ['key'] }],
    if: { properties: { state: { const: 'present' } } },
    then: { anyOf: [{ required: ['value'] }, { required: ['val'] }] },
  },
  plan,
  apply,
};
