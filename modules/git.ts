// git: a working copy of a repository at a version (branch, tag, commit or
// the remote's HEAD), cloned or updated with the host's git.
//
// Hooks: every git command runs with core.hooksPath=/dev/null and
// core.fsmonitor off. A checkout in an existing working copy would otherwise
// run that copy's .git/hooks/post-checkout (Ansible's does, as the become
// user: see test/modules/git.test.ts), so whoever can write into dest/.git
// would run code as root at the next converge.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import type { Host } from '../src/host/host.js';
import { requireAbsolute, joinPath } from './common/paths.js';

export interface GitParams {
  repo: string;
  dest: string;
  version: string;
  remote: string;
  force: boolean;
  depth?: number;
  clone: boolean;
  update: boolean;
  recursive: boolean;
  single_branch: boolean;
}

const ENV = { LANG: 'C', LC_ALL: 'C', LC_MESSAGES: 'C', GIT_TERMINAL_PROMPT: '0' };
const SAFE = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false'];

async function git(host: Host, args: string[], opts: { cwd?: string; what?: string; observe?: boolean } = {}): Promise<string> {
  const r = await host.run(['git', ...SAFE, ...(opts.cwd ? ['-C', opts.cwd] : []), ...args], { env: ENV, observeOnly: opts.observe });
  if (r.rc === 127) throw new TaskFailedError(`git is not installed on ${host.name}`);
  if (r.rc !== 0) throw new TaskFailedError(`Failed to ${opts.what ?? args[0]}: ${(r.stderr || r.stdout).trim()}`, { rc: r.rc, stderr: r.stderr, cmd: ['git', ...args].join(' ') });
  return r.stdout;
}

/** Ansible turns a local path into a file:// URL. */
const repoUrl = (repo: string) => (repo.startsWith('/') ? `file://${repo}` : repo);
const isSha = (v: string) => /^[0-9a-f]{7,40}$/i.test(v);

interface Remote { refs: Map<string, string>; headBranch?: string }

async function lsRemote(host: Host, repo: string): Promise<Remote> {
  const out = await git(host, ['ls-remote', '--symref', repo], { what: 'list the remote refs', observe: true });
  const refs = new Map<string, string>();
  let headBranch: string | undefined;
  for (const line of out.split('\n')) {
    const sym = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (sym) { headBranch = sym[1]; continue; }
    const [sha, ref] = line.split('\t');
    if (sha && ref) refs.set(ref, sha);
  }
  return { refs, headBranch };
}

type Target = { kind: 'branch'; name: string; sha: string } | { kind: 'tag'; name: string; sha: string } | { kind: 'sha'; sha: string };

function resolveVersion(version: string, remote: Remote, repo: string): Target {
  if (version === 'HEAD') {
    const sha = remote.refs.get('HEAD');
    if (!sha) throw new TaskFailedError(`Failed to find the remote HEAD of ${repo}`);
    return remote.headBranch ? { kind: 'branch', name: remote.headBranch, sha } : { kind: 'sha', sha };
  }
  const branch = remote.refs.get(`refs/heads/${version}`);
  if (branch) return { kind: 'branch', name: version, sha: branch };
  const tag = remote.refs.get(`refs/tags/${version}^{}`) ?? remote.refs.get(`refs/tags/${version}`);
  if (tag) return { kind: 'tag', name: version, sha: tag };
  if (isSha(version)) return { kind: 'sha', sha: version.toLowerCase() };
  throw new TaskFailedError(`Failed to find version '${version}' in ${repo}: it is not a branch, a tag or a commit id`);
}

interface GitState { clone: boolean; reset: boolean; setUrl: boolean; switchTo?: Target }

async function localHead(host: Host, dest: string): Promise<string> {
  return (await git(host, ['rev-parse', 'HEAD'], { cwd: dest, what: 'read the current version', observe: true })).trim();
}

/** A short commit id that the working copy already has, in full; undefined when it must be fetched first. */
async function fullSha(host: Host, dest: string, sha: string): Promise<string | undefined> {
  if (sha.length === 40) return sha;
  const r = await host.run(['git', ...SAFE, '-C', dest, 'rev-parse', '--verify', '-q', `${sha}^{commit}`], { env: ENV, observeOnly: true });
  return r.rc === 0 ? r.stdout.trim() : undefined;
}

async function plan(p: GitParams, ctx: ModuleContext): Promise<PlanResult<GitState>> {
  const host = ctx.host;
  const dest = requireAbsolute(p.dest, 'dest');
  const repo = repoUrl(p.repo);
  const say = (s: string) => (ctx.check ? `would ${s}` : s);
  const remote = await lsRemote(host, repo);
  const target = resolveVersion(p.version, remote, repo);
  const cloned = (await host.stat(joinPath(dest, '.git', 'config'))).exists;
  const cloneLater = !cloned && ctx.check ? ctx.ledger.findPath(dest) : undefined;
  if (cloneLater !== undefined) {
    // An earlier task would clone it: update=no then leaves it as that task makes it.
    if (!p.update) return { changes: [], result: { before: null, after: null } };
    return { changes: [{ property: 'version', after: target.sha, summary: say(`update ${dest} to ${p.version}`), afterTask: cloneLater }], result: { before: null, after: target.sha } };
  }
  if (!cloned) {
    if (!p.clone) {
      // As Ansible: clone=no on a missing working copy reports the remote head, as changed, and does nothing.
      return { changes: [{ property: 'remote head', after: target.sha, summary: `${p.repo} is at ${target.sha} (clone: no)`, repeats: true }], result: { before: null, after: target.sha }, state: { clone: false, reset: false, setUrl: false } };
    }
    const st = await host.stat(dest);
    if (st.exists && (st.type !== 'directory' || (await host.readdir(dest)).length > 0)) throw new TaskFailedError(`destination path '${dest}' already exists and is not an empty directory`);
    return {
      changes: [{ property: 'clone', before: null, after: target.sha, summary: say(`clone ${p.repo} (${p.version}) into ${dest}`) }],
      provides: [{ kind: 'path', name: dest }],
      result: { before: null, after: target.sha },
      state: { clone: true, reset: false, setUrl: false, switchTo: target },
    };
  }
  const before = await localHead(host, dest);
  if (!p.update) return { changes: [], result: { before, after: before } };
  const changes: Change[] = [];
  const mods = (await git(host, ['status', '--porcelain', '--untracked-files=no'], { cwd: dest, what: 'check for local modifications', observe: true })).trim();
  if (mods) {
    if (!p.force) throw new TaskFailedError(`Local modifications exist in the destination: ${dest} (force=no).`, { before });
    changes.push({ property: 'local modifications', before: mods, after: '', summary: say(`discard local modifications in ${dest} (force)`) });
  }
  const url = (await host.run(['git', ...SAFE, '-C', dest, 'config', '--get', `remote.${p.remote}.url`], { env: ENV, observeOnly: true })).stdout.trim();
  const urlChanged = url !== '' && url !== repo && url.replace(/\/$/, '') !== repo.replace(/\/$/, '');
  if (urlChanged || url === '') changes.push({ property: 'remote url', before: url || null, after: repo, summary: say(`set ${p.remote} to ${repo}`) });
  const want = target.kind === 'sha' ? await fullSha(host, dest, target.sha) : target.sha;
  if (want !== before) changes.push({ property: 'version', before, after: want ?? target.sha, summary: say(`update ${dest} to ${p.version} (${(want ?? target.sha).slice(0, 12)})`) });
  const result = { before, after: want ?? target.sha, remote_url_changed: urlChanged };
  if (!changes.length) return { changes, result };
  return { changes, result, state: { clone: false, reset: !!mods, setUrl: urlChanged || url === '', switchTo: target } };
}

async function switchVersion(host: Host, p: GitParams, dest: string, t: Target): Promise<void> {
  if (t.kind === 'branch') {
    const local = await host.run(['git', ...SAFE, '-C', dest, 'rev-parse', '--verify', '-q', `refs/heads/${t.name}`], { env: ENV });
    if (local.rc === 0) await git(host, ['checkout', '--force', t.name], { cwd: dest, what: 'checkout branch' });
    else await git(host, ['checkout', '--force', '-b', t.name, '--track', `${p.remote}/${t.name}`], { cwd: dest, what: 'checkout branch' });
    await git(host, ['reset', '--hard', `${p.remote}/${t.name}`, '--'], { cwd: dest, what: 'update the branch' });
  } else {
    await git(host, ['checkout', '--force', t.kind === 'tag' ? `refs/tags/${t.name}` : t.sha, '--'], { cwd: dest, what: `checkout ${t.kind === 'tag' ? t.name : t.sha}` });
  }
}

async function apply(p: GitParams, planned: PlanResult<GitState>, ctx: ModuleContext) {
  const host = ctx.host;
  const s = planned.state!;
  const dest = requireAbsolute(p.dest, 'dest');
  const repo = repoUrl(p.repo);
  if (!s.clone && !s.switchTo) return { result: planned.result };
  const t = s.switchTo!;
  ctx.progress(`${s.clone ? 'cloning' : 'updating'} ${p.repo}`);
  if (s.clone) {
    const depth = p.depth !== undefined ? ['--depth', String(p.depth)] : [];
    const branch = t.kind !== 'sha' ? ['--branch', t.name] : [];
    await git(host, ['clone', '--origin', p.remote, ...depth, ...(p.single_branch ? ['--single-branch'] : []), ...(p.depth !== undefined && !p.single_branch ? ['--no-single-branch'] : []), ...branch, '--', repo, dest], { what: 'clone' });
    if (t.kind === 'sha') {
      if (p.depth !== undefined) await git(host, ['fetch', '--depth', String(p.depth), p.remote, t.sha], { cwd: dest, what: `fetch ${t.sha}` });
      await git(host, ['checkout', '--force', t.sha, '--'], { cwd: dest, what: `checkout ${t.sha}` });
    }
  } else {
    if (s.reset) await git(host, ['reset', '--hard', 'HEAD', '--'], { cwd: dest, what: 'discard local modifications' });
    if (s.setUrl) {
      const has = (await host.run(['git', ...SAFE, '-C', dest, 'config', '--get', `remote.${p.remote}.url`], { env: ENV })).stdout.trim();
      await git(host, ['remote', has ? 'set-url' : 'add', p.remote, repo], { cwd: dest, what: 'set the remote url' });
    }
    const depth = p.depth !== undefined ? ['--depth', String(p.depth)] : [];
    await git(host, ['fetch', ...depth, '--force', p.remote, `+refs/heads/*:refs/remotes/${p.remote}/*`, '+refs/tags/*:refs/tags/*'], { cwd: dest, what: 'fetch' });
    if (t.kind === 'sha' && !(await fullSha(host, dest, t.sha))) await git(host, ['fetch', ...depth, p.remote, t.sha], { cwd: dest, what: `fetch ${t.sha}` });
    await switchVersion(host, p, dest, t);
  }
  if (p.recursive && (await host.stat(joinPath(dest, '.gitmodules'))).exists) {
    await git(host, ['submodule', 'update', '--init', '--recursive', ...(p.depth !== undefined ? ['--depth', String(p.depth)] : [])], { cwd: dest, what: 'update submodules' });
  }
  const after = await localHead(host, dest);
  return { result: { before: planned.result?.before ?? null, after, ...(s.reset ? { msg: `Local modifications exist in the destination: ${dest}` } : {}) } };
}

export const gitModule: ModuleDefinition<GitParams, GitState> = {
  name: 'git',
  description:
    'Keeps a working copy of a git repository at a version (branch, tag, commit id or the remote HEAD) with the host\'s git: clones it when ' +
    'missing, fetches and checks out the version when it differs; local modifications fail the task unless force. Repository hooks never ' +
    'run (core.hooksPath=/dev/null, also for checkouts in an existing working copy, where Ansible runs them). Local paths become file:// URLs, as in Ansible.',
  schema: {
    properties: {
      repo: { type: 'string', description: 'Repository URL or local path (alias: name).' },
      name: { type: 'string', description: 'Alias of repo.' },
      dest: { type: 'string', description: 'Absolute path of the working copy.' },
      version: { type: 'string', default: 'HEAD', description: 'Branch, tag, commit id, or HEAD (the remote\'s default branch).' },
      remote: { type: 'string', default: 'origin', pattern: '^[A-Za-z0-9._-]+$', description: 'Name of the remote.' },
      force: { type: 'boolean', default: false, description: 'Discard local modifications of tracked files (otherwise the task fails).' },
      depth: { type: 'integer', minimum: 1, description: 'Shallow clone/fetch with this many commits.' },
      clone: { type: 'boolean', default: true, description: 'false: do not clone a missing working copy (the remote head is reported, as changed, as in Ansible).' },
      update: { type: 'boolean', default: true, description: 'false: leave an existing working copy as it is.' },
      recursive: { type: 'boolean', default: true, description: 'Initialise and update submodules after a clone or update.' },
      single_branch: { type: 'boolean', default: false, description: 'Clone only the history of the version\'s branch.' },
    },
    anyOf: [{ required: ['repo'] }, { required: ['name'] }],
    required: ['dest'],
    not: { required: ['repo', 'name'] },
  },
  plan: (p: GitParams & { name?: string }, ctx) => plan({ ...p, repo: p.repo ?? p.name! }, ctx),
  apply: (p: GitParams & { name?: string }, planned, ctx) => apply({ ...p, repo: p.repo ?? p.name! }, planned, ctx),
};
