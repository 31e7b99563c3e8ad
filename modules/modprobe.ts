// modprobe (community.general.modprobe): a kernel module loaded or not, and
// with persistent, its line in /etc/modules-load.d and its options in
// /etc/modprobe.d, found and written as Ansible does. A kernel without
// loadable modules (no /proc/modules) has only what is built in: a built-in
// module (/sys/module/NAME) counts as loaded and cannot be removed; anything
// else is refused with that reason. On a directory tree (a compute image)
// nothing runs: only persistent applies, and state is left with a note.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';

interface ModprobeParams { name: string; state: 'present' | 'absent'; params: string; persistent: 'disabled' | 'present' | 'absent' }

const LOAD_DIR = '/etc/modules-load.d';
const OPTIONS_DIR = '/etc/modprobe.d';

interface Write { spec: FileWriteSpec; state: FileWriteState | undefined }
interface ModprobeState { live?: string[]; writes: Write[] }

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function filesIn(ctx: ModuleContext, dir: string): Promise<Array<{ path: string; text: string }>> {
  if ((await ctx.host.stat(dir)).type !== 'directory') return [];
  const out = [];
  for (const n of (await ctx.host.readdir(dir)).sort()) {
    const st = await ctx.host.stat(`${dir}/${n}`);
    if (st.type !== 'file') continue;
    out.push({ path: `${dir}/${n}`, text: (await ctx.host.readFile(`${dir}/${n}`))!.toString('utf8') });
  }
  return out;
}

const linesOf = (t: string) => t.match(/[^\n]*\n|[^\n]+$/g) ?? [];

/** Whether the module is loaded, from /proc/modules, or for a kernel without modules, whether it is built in. */
async function loaded(ctx: ModuleContext, name: string): Promise<{ loaded: boolean; builtin: boolean; modular: boolean }> {
  const proc = await ctx.host.readFile('/proc/modules');
  const sysName = name.replace(/-/g, '_');
  const builtinDir = (await ctx.host.stat(`/sys/module/${sysName}`)).type === 'directory';
  if (proc === null) return { loaded: builtinDir, builtin: builtinDir, modular: false };
  const isLoaded = proc.toString('utf8').split('\n').some((l) => l.startsWith(`${sysName} `));
  // A module in /sys/module but not in /proc/modules is built into the kernel.
  return { loaded: isLoaded || builtinDir, builtin: !isLoaded && builtinDir, modular: true };
}

async function plan(p: ModprobeParams, ctx: ModuleContext): Promise<PlanResult<ModprobeState>> {
  if (!/^[A-Za-z0-9_-]+$/.test(p.name)) throw new TaskFailedError(`name must be a module name (letters, digits, _ and -), got '${p.name}'`);
  if (/["'\\]/.test(p.params)) throw new TaskFailedError('params with quotes or backslashes are not supported: give them as plain key=value words');
  const words = p.params.split(/\s+/).filter(Boolean);
  const say = (s: string) => (ctx.check ? `would ${s}` : s);
  const changes: Change[] = [];
  const st: ModprobeState = { writes: [] };
  const result: Record<string, unknown> = { name: p.name, params: p.params, state: p.state };

  if (ctx.host.kind === 'chroot') {
    result.msg = `state ${p.state} not applied: ${ctx.host.name} is a directory tree (only persistent applies)`;
  } else {
    const now = await loaded(ctx, p.name);
    if (p.state === 'present' && !now.loaded) {
      if (!now.modular) throw new TaskFailedError(`the running kernel cannot load modules (no /proc/modules) and ${p.name} is not built into it`, result);
      st.live = ['modprobe', p.name, ...words];
      changes.push({ property: 'loaded', before: false, after: true, summary: say(`load ${p.name}${words.length ? ` with ${words.join(' ')}` : ''}`) });
    } else if (p.state === 'absent' && now.loaded) {
      if (now.builtin) throw new TaskFailedError(`${p.name} is built into the running kernel and cannot be removed`, result);
      st.live = ['modprobe', '-r', p.name];
      changes.push({ property: 'loaded', before: true, after: false, summary: say(`unload ${p.name}`) });
    }
  }

  if (p.persistent !== 'disabled') {
    const moduleLine = new RegExp(`^ *${escape(p.name)} *(?:[#;].*)?\\n?$`);
    const optionLine = new RegExp(`^options ${escape(p.name)} (\\w+=\\S+) *(?:[#;].*)?\\n?$`);
    const loadFiles = await filesIn(ctx, LOAD_DIR);
    const optFiles = await filesIn(ctx, OPTIONS_DIR);
    const persistentLoad = loadFiles.some((f) => linesOf(f.text).some((l) => moduleLine.test(l)));
    const current = new Set(optFiles.flatMap((f) => linesOf(f.text).map((l) => optionLine.exec(l)?.[1]).filter((x): x is string => !!x)));
    const want = new Set(words);
    const sameParams = current.size === want.size && [...want].every((w) => current.has(w));
    const edits = new Map<string, string>();
    const commentOut = (files: typeof loadFiles, re: RegExp) => {
      for (const f of files) {
        const text = edits.get(f.path) ?? f.text;
        const out = linesOf(text).map((l) => (re.test(l) ? `#${l}` : l)).join('');
        if (out !== text) edits.set(f.path, out);
      }
    };
    if (p.persistent === 'present' && !(persistentLoad && sameParams)) {
      if (!persistentLoad) edits.set(`${LOAD_DIR}/${p.name}.conf`, `${p.name}\n`);
      if (!sameParams) {
        commentOut(optFiles, optionLine);
        edits.set(`${OPTIONS_DIR}/${p.name}.conf`, words.map((w) => `options ${p.name} ${w}`).join('\n') + '\n');
      }
    } else if (p.persistent === 'absent') {
      if (persistentLoad) commentOut(loadFiles, moduleLine);
      if (current.size) commentOut(optFiles, optionLine);
    }
    for (const [path, text] of edits) {
      const spec: FileWriteSpec = { path, content: Buffer.from(text), follow: true, makeParents: true };
      const planned = await planFileWrite(spec, ctx);
      if (!planned.changes.length) continue;
      changes.push(...planned.changes);
      st.writes.push({ spec, state: planned.state });
    }
  }
  return { changes, result, state: st };
}

async function apply(p: ModprobeParams, planned: PlanResult<ModprobeState>, ctx: ModuleContext) {
  const st = planned.state!;
  if (st.live) {
    const r = await ctx.host.run(st.live, { env: { LC_ALL: 'C' } });
    if (r.rc !== 0) throw new TaskFailedError(r.stderr.trim() || `${st.live.join(' ')} failed (rc ${r.rc})`, { ...planned.result, rc: r.rc, stdout: r.stdout, stderr: r.stderr });
  }
  for (const w of st.writes) await applyFileWrite(w.spec, { ...planned, state: w.state }, ctx);
  return { result: planned.result };
}

export const modprobeModule: ModuleDefinition<ModprobeParams, ModprobeState> = {
  name: 'modprobe',
  aliases: ['community.general.modprobe'],
  description:
    'Loads (modprobe NAME PARAMS) or unloads (modprobe -r) a kernel module, judged from /proc/modules; with persistent present, the module ' +
    'is listed in /etc/modules-load.d/NAME.conf and its params in /etc/modprobe.d/NAME.conf (other options lines for it are commented out); ' +
    'persistent absent comments its lines out. A kernel without loadable modules: built-in modules count as loaded and cannot be removed, ' +
    'others are refused. On a directory tree (chroot host), only persistent applies and state is noted as not applied.',
  schema: {
    properties: {
      name: { type: 'string', description: 'The kernel module.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Loaded or not.' },
      params: { type: 'string', default: '', description: 'Module parameters, key=value words (given to modprobe when it loads the module, and written with persistent present).' },
      persistent: { type: 'string', enum: ['disabled', 'present', 'absent'], default: 'disabled', description: 'Whether the module is loaded at boot with its params (files in /etc/modules-load.d and /etc/modprobe.d); disabled leaves them alone.' },
    },
    required: ['name'],
  },
  plan,
  apply,
};
