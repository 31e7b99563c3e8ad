// unarchive: extracts a tar (plain, gz, bz2, xz, zst) or zip archive into an
// existing directory with the host's tar or unzip, from the controller
// (uploaded to a private temp directory) or from the host (remote_src).
//
// In sync is decided as Ansible decides it: tar --diff against dest (with
// differences in mode/owner/group ignored when the task sets them anyway);
// for zip, the archive is extracted into a private staging directory and each
// member compared with dest (type, link target, mode, size, mtime, content).
//
// Before anything is written the listing is checked (members/members.ts) and
// every directory below dest that a member is written into must not be a
// symbolic link: a link planted in dest (dest/lib -> /etc) would otherwise
// take the extraction outside dest, which tar and unzip both follow. Ansible
// follows such links; converge refuses, naming the link.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../../src/engine/module.js';
import { TaskFailedError } from '../../src/engine/module.js';
import type { Host } from '../../src/host/host.js';
import { findControllerPath, formatMode, requireAbsolute, wantedMode } from '../common/index.js';
import { attributeProperties } from '../common/dest-schema.js';
import { joinPath } from '../common/paths.js';
import { fnmatchRegExp } from '../find.js';
import { readFileSync } from 'node:fs';
import { checkMembers, components, parentDirs, parseTarListing, parseZipListing, stripMembers, type Member } from './members.js';
import { C_LOCALE, linksAmong, privateTempDir, runOverPaths, stagedDiffers, statEach } from './host-side.js';

export interface UnarchiveParams {
  src: string;
  dest: string;
  remote_src?: boolean;
  copy?: boolean;
  creates?: string;
  list_files: boolean;
  exclude?: string[] | string;
  include?: string[] | string;
  keep_newer: boolean;
  extra_opts?: string[] | string;
  mode?: string | number;
  owner?: string;
  group?: string;
}

interface Archive {
  path: string;
  handler: string;
  zip: boolean;
  /** tar's decompression flag. */
  flag: string[];
  strip: number;
  /** Members that are extracted (include/exclude applied), names as listed. */
  members: Member[];
  /** Ansible's files_in_archive: the names after exclude/include. */
  files: string[];
  /** Arguments naming what to extract when include/exclude narrow it (after -f for tar, after the archive for unzip). */
  selectArgs: string[];
  excludePatterns: string[];
}

const list = (v: string[] | string | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : String(v).split(',').map((s) => s.trim()).filter(Boolean);

/** Only --strip-components is accepted: other options (--absolute-names, --to-command ...) would undo the checks. */
function stripComponents(opts: string[]): number {
  let n = 0;
  for (let i = 0; i < opts.length; i++) {
    const m = /^--strip-components(?:=(\d+))?$/.exec(opts[i]);
    const v = m ? (m[1] ?? opts[++i]) : undefined;
    if (!m || v === undefined || !/^\d+$/.test(v)) {
      throw new TaskFailedError(`extra_opts: only --strip-components=N is supported (got '${opts[i] ?? opts[i - 1]}'); other tar and unzip options could write outside dest or bypass converge's checks`);
    }
    n = Number(v);
  }
  return n;
}

/** unzip takes wildcards in member names: each special character in brackets matches only itself. */
const unzipLiteral = (name: string) => name.replace(/[[*?\\]/g, (c) => `[${c}]`);

async function magic(host: Host, path: string): Promise<string> {
  const r = await host.run(['od', '-An', '-N6', '-tx1', '--', path], { observeOnly: true });
  if (r.rc !== 0) throw new TaskFailedError(`Source '${path}' not readable: ${r.stderr.trim()}`);
  return r.stdout.replace(/\s+/g, '');
}

async function openArchive(p: UnarchiveParams, host: Host, path: string, shownSrc: string): Promise<Archive> {
  const head = await magic(host, path);
  const zip = head.startsWith('504b0304') || head.startsWith('504b0506');
  // Handler names as Ansible reports them: it tries tar -z first, then plain tar, which GNU tar lets read bz2, xz and zstd too.
  const tarKind: Array<[string, string, string[]]> = [['1f8b', 'TgzArchive', ['-z']], ['425a68', 'TarArchive', ['-j']], ['fd377a585a00', 'TarArchive', ['-J']], ['28b52ffd', 'TarArchive', ['--zstd']]];
  const [, handler, flag] = zip ? [, 'ZipArchive', []] : tarKind.find(([m]) => head.startsWith(m)) ?? [, 'TarArchive', []];
  const strip = stripComponents(list(p.extra_opts));
  if (zip && strip) throw new TaskFailedError('extra_opts --strip-components applies to tar archives only; this is a zip archive');
  if (zip && p.keep_newer) throw new TaskFailedError('keep_newer applies to tar archives only (GNU tar --keep-newer-files); this is a zip archive');
  // -P: the names as stored; without it tar shows '../../etc/passwd' link targets already stripped.
  const argv = zip ? ['unzip', '-Z', path] : ['tar', '-tv', '-P', '--quoting-style=c', '--numeric-owner', ...flag, '-f', path];
  const r = await host.run(argv, { observeOnly: true, env: C_LOCALE });
  if (r.rc === 127) throw new TaskFailedError(`Failed to find handler for "${shownSrc}": ${zip ? 'unzip' : 'tar'} is not installed on ${host.name}`);
  if (r.rc !== 0 && !(zip && /Empty zipfile/.test(r.stdout))) throw new TaskFailedError(`Failed to find handler for "${shownSrc}": ${handler} cannot read it: ${(r.stderr || r.stdout).trim()}`);
  const all = stripMembers(zip ? parseZipListing(r.stdout) : parseTarListing(r.stdout), strip);
  checkMembers(all, shownSrc);

  const excludes = list(p.exclude);
  const includes = list(p.include);
  const shown = (name: string) => (name.startsWith('/') ? name.slice(1) : name);
  const ex = excludes.map(fnmatchRegExp);
  const inc = includes.map(fnmatchRegExp);
  const chosen = all.filter((m) => !ex.some((re) => re.test(shown(m.name))) && (!inc.length || inc.some((re) => re.test(shown(m.name)))));
  let selectArgs: string[] = [];
  if (includes.length) selectArgs = zip ? chosen.map((m) => unzipLiteral(m.name)) : chosen.map((m) => m.name);
  else if (excludes.length && zip) {
    const dropped = all.filter((m) => !chosen.includes(m));
    if (dropped.length) selectArgs = ['-x', ...dropped.map((m) => unzipLiteral(m.name))];
  }
  return { path, handler: handler as string, zip, flag: flag as string[], strip, members: chosen, files: chosen.map((m) => shown(m.name)), selectArgs, excludePatterns: excludes };
}

function tarArgs(a: Archive, action: '--diff' | '--extract', dest: string, keepNewer: boolean): string[] {
  return [
    'tar', action, ...a.flag,
    ...(a.strip ? [`--strip-components=${a.strip}`] : []),
    ...(action === '--extract' && keepNewer ? ['--keep-newer-files'] : []),
    ...(a.selectArgs.length ? ['--no-recursion', '--no-wildcards'] : a.excludePatterns.map((x) => `--exclude=${x}`)),
    '-C', dest, '-f', a.path,
    ...(a.selectArgs.length ? ['--', ...a.selectArgs] : []),
  ];
}

const relOf = (m: Member) => components(m.name).join('/');

/** Members of the archive that differ from dest (empty: in sync, as Ansible's is_unarchived decides). */
async function differing(p: UnarchiveParams, a: Archive, dest: string, host: Host): Promise<string[]> {
  if (a.members.length === 0) return [];
  if (!a.zip) {
    const r = await host.run(tarArgs(a, '--diff', dest, false), { observeOnly: true, env: C_LOCALE });
    // With --strip-components the archive's top directory becomes the empty name, which tar --diff cannot stat.
    const errs = r.stderr.split('\n').filter((l) => l.trim() && !(a.strip && /^tar: : Warning: Cannot stat: /.test(l)) && !/^tar: Exiting with failure status/.test(l));
    if (errs.length) return errs.map((l) => l.replace(/^tar: /, ''));
    if (r.rc === 0 || !r.stdout.trim()) return [];
    // Differences in what the task sets afterwards anyway do not call for extraction.
    const setAnyway = new Set([...(p.mode !== undefined ? ['Mode'] : []), ...(p.owner !== undefined ? ['Uid'] : []), ...(p.group !== undefined ? ['Gid'] : [])]);
    const lines = r.stdout.split('\n').filter(Boolean);
    const real = lines.filter((l) => { const m = /: (.*) differs$/.exec(l); return !m || !setAnyway.has(m[1]); });
    return real;
  }
  const stage = await privateTempDir(host);
  try {
    const x = await host.run(['unzip', '-q', '-o', a.path, ...a.selectArgs, '-d', stage], { env: C_LOCALE });
    if (x.rc > 1) throw new TaskFailedError(`unzip could not read ${a.path} (rc ${x.rc}): ${(x.stderr || x.stdout).trim()}`);
    return await stagedDiffers(host, stage, dest, a.members.map(relOf).filter(Boolean));
  } finally {
    await host.remove(stage).catch(() => {});
  }
}

/** Ansible sets the file attributes on every listed member and on each top folder. */
function attributeTargets(a: Archive, dest: string): string[] {
  const rels = new Set<string>();
  for (const m of a.members) {
    const r = relOf(m);
    if (r) rels.add(r);
    const c = components(m.name);
    if (c.length > 1) rels.add(c[0]);
  }
  return [...rels].map((r) => joinPath(dest, r));
}

interface AttrPlan { chown: string[]; chmod: Map<number, string[]> }

async function planAttrs(p: UnarchiveParams, a: Archive, dest: string, host: Host, changes: Change[]): Promise<AttrPlan | undefined> {
  if (p.mode === undefined && p.owner === undefined && p.group === undefined) return undefined;
  const uid = p.owner !== undefined ? await host.uidOf(p.owner) : undefined;
  const gid = p.group !== undefined ? await host.gidOf(p.group) : undefined;
  if (p.owner !== undefined && uid === undefined) throw new TaskFailedError(`owner '${p.owner}' does not exist on ${host.name}`);
  if (p.group !== undefined && gid === undefined) throw new TaskFailedError(`group '${p.group}' does not exist on ${host.name}`);
  const targets = attributeTargets(a, dest);
  const now = await statEach(host, targets);
  const plan: AttrPlan = { chown: [], chmod: new Map() };
  targets.forEach((path, i) => {
    const st = now[i];
    if (!st) return;
    if ((uid !== undefined && st.uid !== uid) || (gid !== undefined && st.gid !== gid)) {
      plan.chown.push(path);
      changes.push({ property: `owner:${path}`, before: `${st.uid}:${st.gid}`, after: `${p.owner ?? st.uid}:${p.group ?? st.gid}` });
    }
    if (p.mode !== undefined && !st.link) {
      const mode = wantedMode({ mode: p.mode }, { exists: true, mode: st.mode, type: st.dir ? 'directory' : 'file' })!;
      if (mode !== st.mode) {
        plan.chmod.set(mode, [...(plan.chmod.get(mode) ?? []), path]);
        changes.push({ property: `mode:${path}`, before: formatMode(st.mode), after: formatMode(mode) });
      }
    }
  });
  return plan;
}

interface UnarchiveState { extract: boolean; archive?: Archive }

/** The archive on the host: the path itself with remote_src, else the controller file uploaded into `tmp`. */
async function archiveOnHost(p: UnarchiveParams, ctx: ModuleContext, tmp: () => Promise<string>): Promise<{ path: string; shown: string } | { later: number }> {
  const remote = p.remote_src ?? (p.copy === undefined ? false : !p.copy);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p.src)) {
    throw new TaskFailedError(`src '${p.src}' is a URL: download it with get_url (with a checksum) and unarchive the file; converge does not extract unverified downloads`);
  }
  if (remote) {
    const src = requireAbsolute(p.src, 'src');
    const st = await ctx.host.stat(src);
    if (!st.exists) {
      const later = ctx.check ? ctx.ledger.findPath(src) : undefined;
      if (later !== undefined) return { later };
      throw new TaskFailedError(`Source '${src}' does not exist`);
    }
    return { path: src, shown: src };
  }
  const found = findControllerPath(ctx.baseDir, p.src, 'files');
  if (found.isDir) throw new TaskFailedError(`Source '${found.path}' is a directory, not an archive`);
  const dir = await tmp();
  const path = joinPath(dir, 'source');
  await ctx.host.writeFile(path, readFileSync(found.path), { mode: 0o600 });
  return { path, shown: found.path };
}

async function withUpload<T>(ctx: ModuleContext, body: (tmp: () => Promise<string>) => Promise<T>): Promise<T> {
  let dir: string | undefined;
  try {
    return await body(async () => (dir = await privateTempDir(ctx.host)));
  } finally {
    if (dir) await ctx.host.remove(dir).catch(() => {});
  }
}

async function destFacts(host: Host, dest: string): Promise<Record<string, unknown>> {
  const st = await host.stat(dest);
  if (!st.exists) return {};
  return { uid: st.uid, gid: st.gid, owner: await host.userName(st.uid!), group: await host.groupName(st.gid!), mode: formatMode(st.mode!), size: st.size, state: st.type === 'directory' ? 'directory' : 'file' };
}

async function refuseLinksInDest(host: Host, dest: string, a: Archive): Promise<void> {
  const links = await linksAmong(host, parentDirs(a.members).map((d) => joinPath(dest, d)));
  if (links.length) throw new TaskFailedError(`${links[0]} is a symbolic link: members of ${a.path} would be written through it, outside ${dest}; remove it or extract elsewhere`);
}

async function plan(p: UnarchiveParams, ctx: ModuleContext): Promise<PlanResult<UnarchiveState>> {
  const host = ctx.host;
  const dest = requireAbsolute(p.dest, 'dest');
  if (p.creates !== undefined) {
    const later = (await host.stat(p.creates)).exists ? undefined : ctx.check ? ctx.ledger.findPath(p.creates) : undefined;
    if (later !== undefined || (await host.stat(p.creates)).exists) {
      const msg = `skipped, since ${p.creates} exists`;
      return { changes: [], skip: later !== undefined ? `${msg} (after task ${later})` : msg, skipAs: 'skipped', result: { msg } };
    }
  }
  return withUpload(ctx, async (tmp) => {
    const say = (s: string) => (ctx.check ? `would ${s}` : s);
    const d = await host.stat(dest);
    const destLater = !d.exists && ctx.check ? ctx.ledger.findPath(dest) : undefined;
    if (d.exists ? d.type !== 'directory' && d.type !== 'link' : destLater === undefined) throw new TaskFailedError(`dest '${dest}' must be an existing dir`);
    const src = await archiveOnHost(p, ctx, tmp);
    if ('later' in src || destLater !== undefined) {
      const afterTask = 'later' in src ? src.later : destLater;
      return { changes: [{ property: 'content', after: p.src, summary: say(`extract ${p.src} into ${dest}`), afterTask }], state: { extract: true } };
    }
    const a = await openArchive(p, host, src.path, src.shown);
    await refuseLinksInDest(host, dest, a);
    const result: Record<string, unknown> = { dest, src: src.shown, handler: a.handler, ...(p.list_files ? { files: a.files } : {}), ...(await destFacts(host, dest)) };
    const differ = await differing(p, a, dest, host);
    const changes: Change[] = [];
    if (differ.length) {
      changes.push({ property: 'content', before: differ.slice(0, 20).join('\n') + (differ.length > 20 ? `\n... (${differ.length - 20} more)` : ''), after: `${a.files.length} members of ${src.shown}`, summary: say(`extract ${src.shown} into ${dest}`) });
      // What extraction writes gets the task's attributes afterwards: that is part of this change.
      // Later tasks' creates (and paths below dest) can count on what this extraction makes.
      const provides = [...new Set(a.members.map((m) => components(m.name)[0]).filter(Boolean))].map((top) => ({ kind: 'path' as const, name: joinPath(dest, top) }));
      return { changes, result, provides, state: { extract: true } };
    }
    await planAttrs(p, a, dest, host, changes);
    return { changes, result, state: { extract: false } };
  });
}

async function apply(p: UnarchiveParams, _planned: PlanResult<UnarchiveState>, ctx: ModuleContext) {
  const host = ctx.host;
  const dest = requireAbsolute(p.dest, 'dest');
  return withUpload(ctx, async (tmp) => {
    const src = await archiveOnHost(p, ctx, tmp);
    if ('later' in src) throw new TaskFailedError(`Source '${p.src}' does not exist`);
    const a = await openArchive(p, host, src.path, src.shown);
    // Looked at again just before writing: the plan's look may be old.
    await refuseLinksInDest(host, dest, a);
    let extract_results: Record<string, unknown> | undefined;
    if ((await differing(p, a, dest, host)).length) {
      ctx.progress(`extracting ${src.shown}`);
      const cmd = a.zip ? ['unzip', '-o', a.path, ...a.selectArgs, '-d', dest] : tarArgs(a, '--extract', dest, p.keep_newer);
      const r = await host.run(cmd, { env: C_LOCALE });
      extract_results = { cmd, rc: r.rc, out: r.stdout, err: r.stderr };
      if (r.rc !== 0 && !(a.zip && r.rc === 1)) throw new TaskFailedError(`failed to unpack ${src.shown} to ${dest}: ${(r.stderr || r.stdout).trim()}`, { extract_results });
    }
    const attrs = await planAttrs(p, a, dest, host, []);
    if (attrs) {
      if (attrs.chown.length) await runOverPaths(host, ['chown', '-h', `${p.owner ?? ''}${p.group !== undefined ? `:${p.group}` : ''}`], attrs.chown, 'chown of the extracted files');
      for (const [mode, paths] of attrs.chmod) await runOverPaths(host, ['chmod', formatMode(mode)], paths, 'chmod of the extracted files');
    }
    return { result: { dest, src: src.shown, handler: a.handler, ...(p.list_files ? { files: a.files } : {}), ...(extract_results ? { extract_results } : {}) } };
  });
}

export const unarchiveModule: ModuleDefinition<UnarchiveParams, UnarchiveState> = {
  name: 'unarchive',
  description:
    'Extracts a tar (plain, gz, bz2, xz, zst) or zip archive into an existing directory with the host\'s tar or unzip, from the controller ' +
    '(uploaded to a private temp directory) or from the host (remote_src). In sync when tar --diff finds no difference (zip: each member ' +
    'compared with a private staged extraction). Archives with absolute or ".." members, members below a link the archive makes, or device ' +
    'nodes are refused before anything is written, and so are directories in dest that are symbolic links (Ansible would write through them).',
  schema: {
    properties: {
      src: { type: 'string', description: 'The archive: a file next to the playbook (files/ first) or, with remote_src, an absolute path on the host. URLs are refused: download with get_url and a checksum.' },
      dest: { type: 'string', description: 'Absolute path of an existing directory to extract into.' },
      remote_src: { type: 'boolean', description: 'The archive is already on the host (default false: it is on the controller).' },
      copy: { type: 'boolean', description: 'Deprecated inverse of remote_src (copy: false = remote_src: true).' },
      creates: { type: 'string', description: 'If this path exists on the host, the task is skipped.' },
      list_files: { type: 'boolean', default: false, description: 'Return the archive\'s member names in `files`.' },
      exclude: { type: ['array', 'string'], items: { type: 'string' }, description: 'fnmatch patterns of members not to extract (and not to compare).' },
      include: { type: ['array', 'string'], items: { type: 'string' }, description: 'fnmatch patterns: extract only the members that match.' },
      keep_newer: { type: 'boolean', default: false, description: 'tar only: do not replace files in dest that are newer than the archive\'s (--keep-newer-files).' },
      extra_opts: { type: ['array', 'string'], items: { type: 'string' }, description: 'Only --strip-components=N (tar) is accepted; other options are refused.' },
      ...attributeProperties,
    },
    required: ['src', 'dest'],
    allOf: [{ not: { required: ['copy', 'remote_src'] } }, { not: { required: ['include', 'exclude'] } }],
  },
  plan,
  apply,
};
