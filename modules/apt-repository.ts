// apt_repository: a one-line source in /etc/apt/sources.list or
// sources.list.d/*.list, as Ansible keeps it: a source already there
// (commented out or not, in any file) is reused and enabled; a new one goes to
// sources.list.d/<filename>.list (named after the URL by default); absent
// removes every enabled copy, and a file left empty goes. A file that changes
// is written with each line normalised as Ansible writes it. apt-get update
// runs when something changed (update_cache). deb822 .sources files are not
// read; ppa: sources (Launchpad) are refused.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';
import { modeSchema } from './common/mode.js';
import { joinPath } from './common/paths.js';

export interface AptRepositoryParams { repo: string; state: 'present' | 'absent'; filename?: string; mode?: string | number; update_cache: boolean; 'update-cache'?: boolean }

const SOURCES = '/etc/apt/sources.list';
const SOURCES_D = '/etc/apt/sources.list.d';
const TYPES = ['deb', 'deb-src'];

interface Line { valid: boolean; enabled: boolean; source: string; comment: string }

/** One line as Ansible's _parse reads it: '#' disables, a later '#' starts a comment, whitespace collapsed. */
export function parseLine(raw: string): Line {
  let line = raw.trim();
  let enabled = true;
  let comment = '';
  if (line.startsWith('#')) { enabled = false; line = line.slice(1); }
  const i = line.indexOf('#');
  if (i > 0) { comment = line.slice(i + 1).trim(); line = line.slice(0, i); }
  let source = line.trim();
  let valid = false;
  if (source) {
    const chunks = source.split(/\s+/);
    if (TYPES.includes(chunks[0])) { valid = true; source = chunks.join(' '); }
  }
  return { valid, enabled, source, comment };
}

export const renderLine = (l: Line) => `${l.enabled ? '' : '# '}${l.source}${l.comment ? ` # ${l.comment}` : ''}\n`;

/** Ansible's file name for a new source: the URL's host and path, every other character an underscore. */
export function suggestFilename(source: string): string {
  const line = source.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = line.split(/\s+/).filter((p) => p && !TYPES.includes(p));
  const first = (parts[0] ?? '').includes('@') ? parts[0].split('@').slice(1).join('@') : parts[0] ?? '';
  return first.replace(/[^a-zA-Z0-9]/g, ' ').split(/\s+/).filter(Boolean).join('_');
}

interface State { writes: Array<{ spec: FileWriteSpec; state: FileWriteState }>; removes: string[]; update: boolean }

async function readSources(ctx: ModuleContext): Promise<Map<string, Line[]>> {
  const files = new Map<string, Line[]>();
  const load = async (path: string) => {
    const text = (await ctx.host.readFile(path))?.toString('utf8');
    if (text !== undefined) files.set(path, text.split('\n').slice(0, text.endsWith('\n') ? -1 : undefined).map(parseLine));
  };
  await load(SOURCES);
  const names = (await ctx.host.stat(SOURCES_D)).type === 'directory' ? (await ctx.host.readdir(SOURCES_D)).filter((n) => n.endsWith('.list')).sort() : [];
  for (const n of names) await load(joinPath(SOURCES_D, n));
  return files;
}

async function plan(p: AptRepositoryParams, ctx: ModuleContext): Promise<PlanResult<State>> {
  if (/^ppa:/.test(p.repo)) throw new TaskFailedError(`'${p.repo}': ppa: sources are Ubuntu's Launchpad archives (fetched keys); converge does not support them: give the deb line and the key`);
  const wanted = parseLine(p.repo);
  if (!wanted.valid || !wanted.enabled) throw new TaskFailedError(`Invalid repository string: ${p.repo}`);
  const files = await readSources(ctx);
  const before = new Map([...files].map(([f, ls]) => [f, ls.map(renderLine).join('')]));
  let found = false;
  if (p.state === 'present') {
    for (const ls of files.values()) ls.forEach((l, i) => { if (l.source === wanted.source) { ls[i] = { ...l, enabled: true }; found = true; } });
  } else {
    for (const [f, ls] of files) files.set(f, ls.filter((l) => !(l.source === wanted.source && l.enabled)));
  }
  const newFiles = new Set<string>();
  if (p.state === 'present' && !found) {
    const file = joinPath(SOURCES_D, `${p.filename ?? suggestFilename(wanted.source)}.list`);
    if (!files.has(file)) { files.set(file, []); newFiles.add(file); }
    files.get(file)!.push({ valid: true, enabled: true, source: wanted.source, comment: '' });
  }
  const changes: Change[] = [];
  const state: State = { writes: [], removes: [], update: false };
  for (const [f, ls] of files) {
    const text = ls.map(renderLine).join('');
    if (text === (before.get(f) ?? '') && !newFiles.has(f)) continue;
    if (ls.length === 0) {
      changes.push({ property: `state:${f}`, before: 'present', after: 'absent', summary: `${ctx.check ? 'would remove' : 'remove'} ${f}` });
      state.removes.push(f);
      continue;
    }
    const spec: FileWriteSpec = { path: f, content: Buffer.from(text), follow: true, ...(newFiles.has(f) ? { mode: p.mode ?? '0644' } : {}) };
    const planned = await planFileWrite(spec, ctx);
    changes.push(...planned.changes);
    state.writes.push({ spec, state: planned.state! });
  }
  const updateCache = p['update-cache'] ?? p.update_cache;
  if (changes.length && updateCache) { changes.push({ property: 'cache', summary: 'apt-get update', repeats: true }); state.update = true; }
  return { changes, result: { repo: p.repo, state: p.state }, state };
}

async function apply(_p: AptRepositoryParams, planned: PlanResult<State>, ctx: ModuleContext) {
  const s = planned.state!;
  for (const w of s.writes) await applyFileWrite(w.spec, { ...planned, state: w.state }, ctx);
  for (const f of s.removes) await ctx.host.remove(f);
  if (s.update) {
    ctx.progress('apt-get update');
    const r = await ctx.host.run(['apt-get', 'update', '-q'], { env: { LANG: 'C', LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.rc !== 0) throw new TaskFailedError(`Failed to update apt cache: ${(r.stderr || r.stdout).trim()}`);
  }
  return {};
}

export const aptRepositoryModule: ModuleDefinition<AptRepositoryParams, State> = {
  name: 'apt_repository',
  description:
    'Keeps a one-line apt source ("deb [options] URL suite components") in /etc/apt/sources.list or sources.list.d/*.list as Ansible does: ' +
    'an existing copy (even commented out) is enabled, a new one goes to sources.list.d/<filename>.list (default: named after the URL), absent ' +
    'removes every enabled copy and a file left empty; apt-get update after a change (update_cache). ppa: sources and deb822 .sources files are not supported.',
  schema: {
    properties: {
      repo: { type: 'string', description: 'The source line, e.g. "deb [signed-by=/etc/apt/keyrings/x.gpg] http://mirror/debian bookworm main".' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the source is enabled in some file.' },
      filename: { type: 'string', pattern: '^[^/]+$', description: 'File name in sources.list.d for a new source, without .list.' },
      mode: { ...modeSchema, description: 'Mode of a file the task creates (default 0644).' },
      update_cache: { type: 'boolean', default: true, description: 'Run apt-get update when something changed (alias: update-cache).' },
      'update-cache': { type: 'boolean', description: 'Alias of update_cache.' },
    },
    required: ['repo'],
  },
  plan,
  apply,
};
