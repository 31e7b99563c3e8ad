// zypper_repository: one zypper repository, as community.general decides it.
// The repositories come from `zypper --xmlout repos`; the one meant is the
// one whose alias or URL matches (two matches fail unless
// overwrite_multiple). A match that differs in a setting given (URL, name,
// priority, enabled, autorefresh, gpgcheck) is removed by its URL and added
// again with `zypper addrepo`; absent removes it by alias (or URL). A .repo
// file (a path on the host, or a URL the host downloads) names the alias and
// settings itself. runrefresh refreshes the repository (`zypper refresh
// --force -r ALIAS`) every run, auto_import_keys also after an addition.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import type { Host } from '../src/host/host.js';

export interface ZypperRepositoryParams {
  name?: string; repo?: string; state: 'present' | 'absent'; description?: string; disable_gpg_check: boolean;
  autorefresh: boolean; refresh?: boolean; priority?: number; overwrite_multiple: boolean; auto_import_keys: boolean;
  runrefresh: boolean; enabled: boolean;
}

const ENV = { LANG: 'C', LC_ALL: 'C' };
const OPTS = ['alias', 'name', 'priority', 'enabled', 'autorefresh', 'gpgcheck'] as const;
export type Repo = Record<(typeof OPTS)[number] | 'url', string>;
type RepoData = { url: string | null; alias: string | null; name: string | null; priority: number | null; enabled: string; gpgcheck: string; autorefresh: string };

const zypper = (...args: string[]) => ['zypper', '--quiet', '--non-interactive', ...args];

const unescape = (s: string) => s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-f]+));/gi, (_m, e: string, d?: string, x?: string) =>
  d ? String.fromCodePoint(Number(d)) : x ? String.fromCodePoint(parseInt(x, 16)) : ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[e.toLowerCase()]);

/** The repositories of `zypper --xmlout repos`: each <repo>'s attributes and its first <url>. */
export function parseRepos(xml: string): Repo[] {
  const out: Repo[] = [];
  for (const m of xml.matchAll(/<repo\s([^>]*?)\/?>([\s\S]*?)<\/repo>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([\w-]+)="([^"]*)"/g)) attrs[a[1]] = unescape(a[2]);
    const url = /<url>([\s\S]*?)<\/url>/.exec(m[2]);
    const r = { url: url ? unescape(url[1]) : '' } as Repo;
    for (const o of OPTS) r[o] = attrs[o] ?? '';
    out.push(r);
  }
  return out;
}

/** One-section .repo text as a mapping of its keys (configparser's reading: "key=value" or "key: value", # and ; comments). */
export function parseRepoFile(text: string): { sections: string[]; items: Record<string, string> } {
  const sections: string[] = [];
  const items: Record<string, string> = {};
  let last: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) { last = undefined; continue; }
    const sec = /^\[([^\]]+)\]/.exec(raw);
    if (sec) { sections.push(sec[1]); last = undefined; continue; }
    if (/^\s/.test(raw) && last !== undefined && sections.length === 1) { items[last] += `\n${raw.trim()}`; continue; }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!kv) throw new TaskFailedError('Invalid format, .repo file could not be parsed');
    if (sections.length === 0) throw new TaskFailedError('Invalid format, .repo file could not be parsed');
    if (sections.length === 1) { last = kv[1].toLowerCase(); items[last] = kv[2].trim(); }
  }
  return { sections, items };
}

/** zypper keeps scheme:///path as scheme:/path: both name the same repository. */
const sameUrlForm = (u: string) => u.replace(/^([a-z][a-z0-9+.-]*):\/\/\//i, '$1:/').replace(/\/+$/, '');

async function run(host: Host, argv: string[], what: string, ok: number[] = [0], stdin?: string): Promise<{ rc: number; stdout: string; stderr: string }> {
  const r = await host.run(argv, { env: ENV, observeOnly: true, stdin });
  if (r.rc === 127) throw new TaskFailedError(`${argv[0]} is not installed on ${host.name}`);
  if (!ok.includes(r.rc)) throw new TaskFailedError(`${what} (rc ${r.rc}): ${(r.stderr || r.stdout).trim()}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
  return r;
}

async function releaseValue(host: Host, tag: string): Promise<string> {
  return (await run(host, ['rpm', '-q', '--qf', `%{${tag}}`, '-f', '/etc/os-release'], `rpm -q -f /etc/os-release`)).stdout;
}

async function differs(host: Host, real: Repo, want: RepoData): Promise<boolean> {
  for (const k of [...OPTS, 'url'] as const) {
    const w = want[k];
    if (w === null || w === '' || w === undefined) continue;
    let a = String(w);
    let b = real[k] ?? '';
    if (k === 'url') {
      for (const [v, tag] of [['$releasever', 'version'], ['$basearch', 'arch']]) {
        if (a.includes(v) || b.includes(v)) { const x = await releaseValue(host, tag); a = a.split(v).join(x); b = b.split(v).join(x); }
      }
      a = sameUrlForm(a); b = sameUrlForm(b);
    }
    if (a !== b) return true;
  }
  return false;
}

// --check: what earlier tasks on this host would have done to the repositories, in order.
interface Predicted { remove: string[]; add?: Repo }
const predictions = new WeakMap<object, Predicted[]>();

function predict(ctx: ModuleContext, op: Predicted): void {
  if (!ctx.check) return;
  const list = predictions.get(ctx.ledger) ?? [];
  list.push(op);
  predictions.set(ctx.ledger, list);
}

/** The repositories as they would be after the earlier tasks' predicted changes (a removal names an alias or a URL, as zypper removerepo takes). */
function predictedRepos(ctx: ModuleContext, real: Repo[]): Repo[] {
  if (!ctx.check) return real;
  let repos = real;
  for (const op of predictions.get(ctx.ledger) ?? []) {
    repos = repos.filter((r) => !op.remove.includes(r.alias) && !op.remove.includes(r.url));
    if (op.add) repos = [...repos, op.add];
  }
  return repos;
}

interface State { old: Repo[]; add: boolean; remove?: string; refresh: boolean; importKeys: boolean; shortname: string; data: RepoData }

function validate(p: ZypperRepositoryParams): void {
  if (p.repo === '*' || p.name === '*') { if (!p.runrefresh) throw new TaskFailedError('repo=* can only be used with the runrefresh option.'); return; }
  if (p.state === 'present' && !p.repo) throw new TaskFailedError('Module option state=present requires repo');
  if (p.state === 'absent' && !p.repo && !p.name) throw new TaskFailedError('Alias or repo parameter required when state=absent');
  if (p.repo?.endsWith('.repo')) { if (p.name) throw new TaskFailedError("Incompatible option: 'name'. Do not use name when adding .repo files"); }
  else if (!p.name && p.state === 'present') throw new TaskFailedError('Name required when adding non-repo files.');
}

async function repoFileText(host: Host, repo: string): Promise<string> {
  if (/^https?:\/\//.test(repo)) {
    const cfg = `url = "${repo.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n`;
    const r = await host.run(['curl', '-fsSL', '-K', '-'], { env: ENV, stdin: cfg, observeOnly: true });
    if (r.rc !== 0) throw new TaskFailedError('Error downloading .repo file from provided URL');
    return r.stdout;
  }
  const data = (await host.stat(repo)).exists ? await host.readFile(repo) : null;
  if (data === null) throw new TaskFailedError('Error opening .repo file from provided path');
  return data.toString('utf8');
}

async function plan(p: ZypperRepositoryParams, ctx: ModuleContext): Promise<PlanResult<State>> {
  const host = ctx.host;
  validate(p);
  const autorefresh = p.refresh ?? p.autorefresh;
  const data: RepoData = {
    url: p.repo ?? null, alias: p.name ?? null, name: p.description ?? null, priority: p.priority ?? null,
    enabled: p.enabled ? '1' : '0', gpgcheck: p.disable_gpg_check ? '0' : '1', autorefresh: autorefresh ? '1' : '0',
  };
  const say = (what: string) => `${ctx.check ? 'would ' : ''}${what}`;
  if (p.repo === '*' || p.name === '*') {
    const refresh: Change = { property: 'refresh', summary: say('refresh every repository'), repeats: true };
    return { changes: [refresh], result: { runrefresh: true }, state: { old: [], add: false, refresh: true, importKeys: p.auto_import_keys, shortname: '*', data } };
  }
  let importKeys = p.auto_import_keys;
  if (p.repo?.endsWith('.repo')) {
    const { sections, items } = parseRepoFile(await repoFileText(host, p.repo));
    if (sections.length !== 1) throw new TaskFailedError(`Invalid format, .repo file contains ${sections.length} repositories, expected 1`);
    if (!('baseurl' in items)) throw new TaskFailedError('No baseurl found in .repo file');
    data.alias = sections[0];
    data.url = items.baseurl;
    if ('gpgkey' in items) importKeys = true;
    if ('name' in items) data.name = items.name;
    for (const k of ['enabled', 'autorefresh', 'gpgcheck'] as const) if (k in items) data[k] = items[k];
  }
  const listing = await run(host, zypper('--xmlout', 'repos'), 'Failed to execute "zypper --quiet --non-interactive --xmlout repos"', [0, 6]);
  const existing = predictedRepos(ctx, listing.rc === 6 ? [] : parseRepos(listing.stdout));
  const matches: Repo[] = [];
  for (const k of ['alias', 'url'] as const) for (const r of existing) if (data[k] === r[k] && !matches.includes(r)) matches.push(r);
  let mod = false;
  if (matches.length === 1) mod = await differs(host, matches[0], data);
  else if (matches.length > 1) {
    if (!p.overwrite_multiple) throw new TaskFailedError(`More than one repo matched "${data.url}": ${JSON.stringify(matches)}. Use overwrite_multiple to allow more than one repo to be overwritten`);
    mod = true;
  }
  const exists = matches.length > 0;
  const shortname = data.alias ?? p.repo!;
  const result = { repodata: data, state: p.state };
  const state: State = { old: matches, add: false, refresh: false, importKeys, shortname, data };
  const changes: Change[] = [];
  if (p.state === 'present') {
    if (exists && !mod) {
      if (!p.runrefresh) return { changes: [], result };
      state.refresh = true;
      changes.push({ property: 'refresh', summary: say(`refresh ${shortname}`), repeats: true });
      return { changes, result, state };
    }
    state.add = true;
    state.refresh = p.runrefresh || importKeys;
    const before = exists ? matches.map((r) => `${r.alias} ${r.url} enabled=${r.enabled} autorefresh=${r.autorefresh} gpgcheck=${r.gpgcheck} priority=${r.priority}`).join('; ') : 'absent';
    const after = `${data.alias ?? '(from the .repo file)'} ${data.url} enabled=${data.enabled} autorefresh=${data.autorefresh} gpgcheck=${data.gpgcheck}${data.priority !== null ? ` priority=${data.priority}` : ''}`;
    changes.push({ property: `repo:${shortname}`, before, after, summary: say(`${exists ? 'replace' : 'add'} repository ${shortname}`) });
    predict(ctx, { remove: matches.map((r) => r.url), add: { alias: data.alias ?? '', url: data.url ?? '', name: data.name ?? data.alias ?? '', priority: String(data.priority ?? 99), enabled: data.enabled, autorefresh: data.autorefresh, gpgcheck: data.gpgcheck } });
    return { changes, result: { ...result, warnings: [] }, state };
  }
  if (!exists) return { changes: [], result };
  state.remove = shortname;
  changes.push({ property: `repo:${shortname}`, before: 'present', after: 'absent', summary: say(`remove repository ${shortname}`) });
  predict(ctx, { remove: [shortname] });
  return { changes, result: { ...result, warnings: [] }, state };
}

async function apply(p: ZypperRepositoryParams, planned: PlanResult<State>, ctx: ModuleContext) {
  const host = ctx.host;
  const s = planned.state!;
  const refresh = async () => {
    const argv = zypper(...(s.importKeys ? ['--gpg-auto-import-keys'] : []), 'refresh', '--force', ...(s.shortname === '*' ? [] : ['-r', s.shortname]));
    await run(host, argv, 'zypper refresh failed');
  };
  if (s.remove !== undefined) {
    await run(host, zypper('removerepo', s.remove), 'zypper removerepo failed');
    return {};
  }
  if (s.add) {
    const d = s.data;
    const argv = zypper('addrepo', '--check');
    if (d.name) argv.push('--name', d.name);
    if (d.priority !== null) argv.push('--priority', String(d.priority));
    if (d.enabled === '0') argv.push('--disable');
    argv.push(d.gpgcheck === '1' ? '--gpgcheck' : '--no-gpgcheck');
    if (d.autorefresh === '1') argv.push('--refresh');
    argv.push(p.repo!);
    if (!p.repo!.endsWith('.repo')) argv.push(d.alias!);
    for (const old of s.old) await run(host, zypper('removerepo', old.url), 'zypper removerepo failed');
    const r = await host.run(argv, { env: ENV });
    if (r.rc !== 0) throw new TaskFailedError(`Zypper failed with rc ${r.rc}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr, repodata: d, state: p.state });
  }
  if (s.refresh) await refresh();
  return {};
}

export const zypperRepositoryModule: ModuleDefinition<ZypperRepositoryParams, State> = {
  name: 'zypper_repository',
  aliases: ['community.general.zypper_repository'],
  description:
    'Adds, changes or removes a zypper repository as community.general does: the repository whose alias (name) or URL (repo) matches is ' +
    'compared with the settings given and, when one differs, removed and added again (zypper addrepo); absent removes it (zypper ' +
    'removerepo). repo may be a .repo file (a path on the host or an http(s) URL) holding one repository. runrefresh refreshes it on every ' +
    'run (reported as a change); repo=* with runrefresh refreshes all. Registers repodata and state.',
  schema: {
    properties: {
      name: { type: 'string', description: 'The repository\'s alias; required to add a repository that is not a .repo file, not allowed with one.' },
      repo: { type: 'string', description: 'URL of the repository, or of a .repo file (path or http(s) URL); * with runrefresh: every repository.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the repository is configured.' },
      description: { type: 'string', description: 'The repository\'s name (zypper addrepo --name).' },
      disable_gpg_check: { type: 'boolean', default: false, description: 'Add it with --no-gpgcheck (otherwise --gpgcheck).' },
      autorefresh: { type: 'boolean', default: true, description: 'Add it with --refresh (alias: refresh).' },
      refresh: { type: 'boolean', description: 'Alias of autorefresh.' },
      priority: { type: 'integer', description: 'zypper priority (smaller wins).' },
      overwrite_multiple: { type: 'boolean', default: false, description: 'Replace every repository that matches by alias or URL instead of failing when there are several.' },
      auto_import_keys: { type: 'boolean', default: false, description: 'Import the repository\'s signing key (zypper --gpg-auto-import-keys refresh) after adding or changing it.' },
      runrefresh: { type: 'boolean', default: false, description: 'Refresh the repository\'s metadata (zypper refresh --force) on every run.' },
      enabled: { type: 'boolean', default: true, description: 'Add it enabled (otherwise --disable).' },
    },
    // Ansible checks these when the module runs; converge before any host is contacted.
    if: { properties: { state: { const: 'absent' } }, required: ['state'] },
    then: { anyOf: [{ required: ['repo'] }, { required: ['name'] }] },
    else: {
      required: ['repo'],
      if: { properties: { repo: { not: { pattern: '(\\.repo$|^\\*$)' } }, name: { not: { const: '*' } } } },
      then: { required: ['name'] },
    },
  },
  plan,
  apply,
};
