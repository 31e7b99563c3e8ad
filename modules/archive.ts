// archive: files and trees on the host packed into a tar (plain, gz, bz2,
// xz) or zip archive there, or one file compressed, as community.general's
// archive decides it. Globs (* and ?) expand on the host; exclude_path drops
// expanded paths; exclusion_patterns drop members (matched against the
// member name for tar, the full path for zip, as Ansible does). Members are
// named relative to the common parent of the paths (arcroot); a directory
// given brings everything below it, not its own entry. In sync when the
// archive there has the same members: the same `tar -tv` lines (type, mode,
// owner ids, size, mtime, name) or, for zip, the same names and CRCs; a
// compressed file in sync when it decompresses to the source's bytes. The
// candidate is built with the real tar / zip / gzip / bzip2 / xz into a
// private temp directory to compare, and into a temp file next to dest that
// replaces it to apply.

import * as posix from 'node:path/posix';
import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import type { Host } from '../src/host/host.js';
import { applyAttributes, planAttributes } from './common/attributes.js';
import { attributeProperties } from './common/dest-schema.js';
import { fnmatchRegExp } from './find.js';
import { C_LOCALE, privateTempDir } from './unarchive/host-side.js';

type Format = 'bz2' | 'gz' | 'tar' | 'xz' | 'zip';
export interface ArchiveParams {
  path: string[]; format: Format; dest?: string; exclude_path: string[]; exclusion_patterns?: string[];
  force_archive: boolean; remove: boolean; mode?: string | number; owner?: string; group?: string;
}

const TAR_FLAG: Record<Format, string[]> = { gz: ['-z'], bz2: ['-j'], xz: ['-J'], tar: [], zip: [] };
const COMPRESSOR: Record<string, string> = { gz: 'gzip', bz2: 'bzip2', xz: 'xz' };

// Fixed scripts: every path and pattern is an argument, never part of the text.
const EXPAND = 'IFS=\nfor pat in "$@"; do for f in $pat; do if [ -e "$f" ] || [ -L "$f" ]; then printf "%s\\0" "$f"; fi; done; printf "\\001\\0"; done';
const LEXISTS = 'for f in "$@"; do if [ -d "$f" ]; then printf "d"; elif [ -e "$f" ] || [ -L "$f" ]; then printf "f"; else printf "-"; fi; done';
const COMPRESS_TO = 'out=$1; shift; exec "$@" > "$out"';
const SAME_CONTENT = 'packed=$1; src=$2; shift 2; "$@" -dc -- "$packed" 2>/dev/null | cmp -s - "$src"';

async function run(host: Host, argv: string[], what: string, opts: { stdin?: string; cwd?: string; ok?: number[] } = {}) {
  const r = await host.run(argv, { env: C_LOCALE, stdin: opts.stdin, cwd: opts.cwd, observeOnly: true });
  if (r.rc === 127) throw new TaskFailedError(`${argv[0] === 'sh' ? argv[argv.length - 1] : argv[0]} is not installed on ${host.name}`);
  if (!(opts.ok ?? [0]).includes(r.rc)) throw new TaskFailedError(`${what}: ${(r.stderr || r.stdout).trim()}`);
  return r;
}

/** Ansible's expansion: a path with * or ? is a glob (its existing matches), any other path stays as written. */
async function expand(host: Host, paths: string[]): Promise<{ paths: string[]; globby: boolean }> {
  const globs = paths.filter((p) => p.includes('*') || p.includes('?'));
  const matches = new Map<string, string[]>();
  if (globs.length) {
    const out = (await run(host, ['sh', '-c', EXPAND, 'sh', ...globs], 'expanding the paths failed')).stdout.split('\0');
    let i = 0;
    for (const g of globs) {
      const list: string[] = [];
      while (i < out.length && out[i] !== '\x01') list.push(out[i++]);
      i++;
      matches.set(g, list);
    }
  }
  return { paths: paths.flatMap((p) => matches.get(p) ?? [p]), globby: globs.length > 0 };
}

/** Python's os.path.commonprefix of the parents, as Ansible takes the archive root ('/srv/' for /srv/a and /srv/b/c). */
export function commonRoot(paths: string[]): string {
  // Python's dirname keeps what precedes the last slash ('/srv/a/' -> '/srv/a'), unlike node's.
  const pyDirname = (x: string) => { const head = x.slice(0, x.lastIndexOf('/') + 1); return /^\/+$/.test(head) ? head : head.replace(/\/+$/, ''); };
  const withSlash = (x: string) => (x.endsWith('/') || x === '' ? x : `${x}/`);
  const parents = paths.map((p) => withSlash(pyDirname(p)));
  let prefix = parents[0];
  for (const p of parents.slice(1)) { let i = 0; while (i < prefix.length && i < p.length && prefix[i] === p[i]) i++; prefix = prefix.slice(0, i); }
  return withSlash(pyDirname(prefix));
}

const stripPrefix = (prefix: string, s: string) => (s.startsWith(prefix) ? s.slice(prefix.length) : s);
const isArchiveName = (p: string) => /\.(tar|tar\.(gz|bz2|xz)|tgz|tbz2|zip)$/i.test(posix.basename(p));

interface Planned {
  kind: 'archive' | 'compress' | 'none';
  members: Array<{ path: string; name: string }>;
  targets: string[];
  dirs: string[];
}

/** Whether exclusion_patterns leave this member out: matched against the member name for tar, the full path for zip (as Ansible does). */
function excludedBy(p: ArchiveParams): (path: string, name: string) => boolean {
  const pats = (p.exclusion_patterns ?? []).map(fnmatchRegExp);
  return (path, name) => pats.some((re) => re.test(p.format === 'zip' ? path : name));
}

/** Every member of the archive: the targets, and everything below a target that is a directory (not its own entry). */
async function membersOf(host: Host, p: ArchiveParams, root: string, targets: string[], kinds: string, dirSet: Set<string>): Promise<Array<{ path: string; name: string }>> {
  const out: Array<{ path: string; name: string }> = [];
  const excluded = excludedBy(p);
  const dirs = targets.filter((_t, i) => kinds[i] === 'd');
  const below = new Map<string, string[]>();
  if (dirs.length) {
    const listed = (await run(host, ['find', ...dirs, '-mindepth', '1', '-printf', '%H\\0%y\\0%p\\0'], 'listing the trees failed')).stdout.split('\0');
    for (let i = 0; i + 2 < listed.length; i += 3) {
      below.set(listed[i], [...(below.get(listed[i]) ?? []), listed[i + 2]]);
      if (listed[i + 1] === 'd') dirSet.add(listed[i + 2]);
    }
  }
  targets.forEach((t, i) => {
    const paths = kinds[i] === 'd' ? (below.get(t) ?? []) : [t];
    for (const path of paths) {
      const name = stripPrefix(root, path);
      if (!excluded(path, name)) out.push({ path, name });
    }
  });
  return out;
}

/** Writes the archive of `members` (names relative to root) to `out` on the host. */
async function build(host: Host, p: ArchiveParams, root: string, members: Array<{ name: string }>, out: string): Promise<void> {
  if (p.format === 'zip') {
    // Every member left out: an empty zip (its end-of-central-directory record only), as Python's zipfile writes; zip itself refuses.
    if (!members.length) { await host.writeFile(out, Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]), { mode: 0o600 }); return; }
    if (members.some((m) => m.name.includes('\n'))) throw new TaskFailedError('zip cannot take a file name with a newline');
    await run(host, ['zip', '-q', '-@', out], `Error when writing zip archive at ${p.dest}`, { stdin: members.map((m) => m.name).join('\n') + '\n', cwd: root });
    return;
  }
  await run(host, ['tar', '-c', ...TAR_FLAG[p.format], '-f', out, '-C', root, '--no-recursion', '--null', '-T', '-'], `Error when writing ${p.format === 'tar' ? 'tar' : `tar.${p.format}`} archive at ${p.dest}`,
    { stdin: members.map((m) => `${m.name}\0`).join('') });
}

/** What the archive holds, as compared: tar's verbose listing lines or zip's (CRC, name) pairs; undefined when it is not readable as one. */
async function contentsOf(host: Host, format: Format, file: string): Promise<string[] | undefined> {
  if (format === 'zip') {
    const r = await host.run(['unzip', '-v', file], { env: C_LOCALE, observeOnly: true });
    if (r.rc === 1 && /zipfile is empty/.test(r.stdout + r.stderr)) return [];
    if (r.rc !== 0) return undefined;
    const out: string[] = [];
    for (const l of r.stdout.split('\n')) {
      const m = /^\s*\d+\s+\S+\s+\d+\s+\S+\s+\S+\s+\S+\s+([0-9a-f]{8})\s\s(.*)$/.exec(l);
      if (m) out.push(`${m[1]} ${m[2]}`);
    }
    return out.sort();
  }
  const r = await host.run(['tar', '-tv', '--numeric-owner', '--full-time', '--quoting-style=c', ...TAR_FLAG[format], '-f', file], { env: C_LOCALE, observeOnly: true });
  if (r.rc !== 0) return undefined;
  return r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/\s+/g, ' ')).sort();
}

interface State { kind: 'archive' | 'compress'; root: string; members: Array<{ path: string; name: string }>; source?: string; remove: string[]; rebuild: boolean }

async function plan(p: ArchiveParams, ctx: ModuleContext): Promise<PlanResult<State>> {
  const host = ctx.host;
  for (const x of [...p.path, ...(p.dest ? [p.dest] : [])]) if (!x.startsWith('/')) throw new TaskFailedError(`${x}: an absolute path is needed`);
  const exp = await expand(host, p.path);
  const exc = await expand(host, p.exclude_path);
  const paths = [...new Set(exp.paths)].filter((x) => !exc.paths.includes(x)).sort();
  const base = { expanded_paths: exp.paths, expanded_exclude_paths: exc.paths };
  if (!paths.length) throw new TaskFailedError('Error, no source paths were found', { ...base, path: p.path.join(', ') });
  const root = commonRoot(paths);
  const kinds = (await run(host, ['sh', '-c', LEXISTS, 'sh', ...paths], 'looking at the paths failed')).stdout;
  const mustArchive = p.force_archive || exp.globby || kinds[0] === 'd' || paths.length > 1;
  const dest = p.dest ?? (mustArchive ? undefined : `${paths[0]}.${p.format}`);
  if (!dest) throw new TaskFailedError('Error, must specify "dest" when archiving multiple files or trees', { ...base, path: p.path.join(', ') });
  if (p.remove) {
    for (const [i, x] of paths.entries()) {
      if (kinds[i] === 'd' && dest.startsWith(posix.join(x, '/'))) throw new TaskFailedError('Error, created archive can not be contained in source paths when remove=true');
    }
  }
  const targets = paths.filter((_x, i) => kinds[i] !== '-');
  const missing = paths.filter((_x, i) => kinds[i] === '-');
  const destStat = await host.stat(dest);
  const result: Record<string, unknown> = { ...base, dest, arcroot: root, missing, archived: [] as string[] };
  const say = (what: string) => `${ctx.check ? 'would ' : ''}${what}`;
  if (!targets.length) {
    result.dest_state = destStat.exists ? (isArchiveName(dest) ? 'archive' : 'compress') : 'absent';
    const attrs = destStat.exists ? await planAttributes(host, dest, destStat, p, { check: ctx.check, ledger: ctx.ledger }) : [];
    return { changes: attrs, result, state: { kind: 'archive', root, members: [], remove: [], rebuild: false } };
  }
  const archive = mustArchive || p.format === 'zip' || p.format === 'tar';
  let members: Array<{ path: string; name: string }> = [];
  const dirs = new Set<string>();
  let inSync = false;
  if (archive) {
    const single = [{ path: targets[0], name: stripPrefix(root, targets[0]) }].filter((m) => !excludedBy(p)(m.path, m.name));
    members = mustArchive ? await membersOf(host, p, root, targets, kinds.replace(/-/g, ''), dirs) : single;
    result.dest_state = missing.length ? 'incomplete' : 'archive';
    if (destStat.exists) {
      const tmp = await privateTempDir(host);
      try {
        const cand = posix.join(tmp, `candidate.${p.format}`);
        await build(host, p, root, members, cand);
        const [want, have] = [await contentsOf(host, p.format, cand), await contentsOf(host, p.format, dest)];
        inSync = have !== undefined && JSON.stringify(want) === JSON.stringify(have);
      } finally {
        await host.run(['rm', '-rf', '--', tmp]).catch(() => {});
      }
    }
  } else {
    members = [{ path: targets[0], name: '' }];
    result.dest_state = 'compress';
    if (destStat.exists) inSync = (await host.run(['sh', '-c', SAME_CONTENT, 'sh', dest, targets[0], COMPRESSOR[p.format]], { env: C_LOCALE, observeOnly: true })).rc === 0;
  }
  // Ansible lists what it finds back in the archive by name: zip keeps a directory as 'name/', so directories are not listed for zip.
  result.archived = members.filter((m) => !(p.format === 'zip' && dirs.has(m.path))).map((m) => m.path);
  const changes: Change[] = [];
  if (!inSync) {
    changes.push({
      property: 'content', before: destStat.exists ? 'other members' : 'absent', after: `${members.length} member${members.length === 1 ? '' : 's'}`,
      summary: say(`${archive ? 'write' : 'compress to'} ${dest}${archive ? ` (${p.format}, ${members.length} member${members.length === 1 ? '' : 's'} from ${root})` : ''}`),
    });
  }
  // Sources removed after archiving (remove): every archived path and every directory given.
  const remove = p.remove ? [...new Set([...targets.filter((_t, i) => kinds.replace(/-/g, '')[i] === 'd' || members.some((m) => m.path === targets[i])), ...members.map((m) => m.path)])] : [];
  const removeTop = remove.filter((r) => !remove.some((o) => o !== r && r.startsWith(posix.join(o, '/'))));
  if (removeTop.length) changes.push({ property: 'remove', before: removeTop, after: 'absent', summary: say(`remove ${removeTop.join(', ')}`) });
  const attrStat = inSync ? destStat : { exists: false } as typeof destStat;
  changes.push(...(await planAttributes(host, dest, attrStat, p, { check: ctx.check, ledger: ctx.ledger })));
  return { changes, result, provides: [{ kind: 'path', name: dest }], state: { kind: archive ? 'archive' : 'compress', root, members, source: targets[0], remove: removeTop, rebuild: !inSync } };
}

async function apply(p: ArchiveParams, planned: PlanResult<State>, ctx: ModuleContext) {
  const host = ctx.host;
  const s = planned.state!;
  const dest = planned.result!.dest as string;
  if (s.rebuild) {
    // A private directory next to dest (same file system: the rename is atomic); zip needs a file that does not exist yet.
    const dir = (await run(host, ['mktemp', '-d', `${posix.dirname(dest)}/.${posix.basename(dest)}.converge.XXXXXXXX`], `cannot write next to ${dest}`)).stdout.trim();
    const tmp = posix.join(dir, `new.${p.format}`); // zip adds .zip to a name without a suffix
    try {
      if (s.kind === 'archive') await build(host, p, s.root, s.members, tmp);
      else await run(host, ['sh', '-c', COMPRESS_TO, 'sh', tmp, COMPRESSOR[p.format], '-c', '--', s.source!], `Unable to write to compressed file ${dest}`);
      // A new archive gets what Python's open() would give it (0644 under umask 022); an existing one keeps its mode and owner.
      const st = await host.stat(dest);
      if (st.exists) await run(host, ['chmod', '--reference', dest, tmp], 'chmod failed');
      else await run(host, ['chmod', '0644', tmp], 'chmod failed');
      if (st.exists) await run(host, ['chown', '--reference', dest, tmp], 'chown failed');
      await run(host, ['mv', '-f', '--', tmp, dest], `cannot replace ${dest}`);
    } finally {
      await host.run(['rm', '-rf', '--', dir]).catch(() => {});
    }
  }
  if (s.remove.length) await run(host, ['rm', '-rf', '--', ...s.remove], 'Error deleting some source files');
  if (p.mode !== undefined || p.owner !== undefined || p.group !== undefined) await applyAttributes(host, dest, p);
  return { result: planned.result };
}

export const archiveModule: ModuleDefinition<ArchiveParams, State> = {
  name: 'archive',
  aliases: ['community.general.archive'],
  description:
    'Packs files and trees on the host into a tar (gz, bz2, xz or plain) or zip archive there, or compresses a single file (PATH.gz ...), ' +
    'as community.general.archive does: globs expand on the host, members are named relative to the paths\' common parent (arcroot), ' +
    'exclude_path drops paths, exclusion_patterns drop members, remove deletes the sources after. In sync when the archive holds the same ' +
    'members (tar: type, mode, owner ids, size, mtime, name; zip: name and CRC) or the compressed file the same bytes. Registers archived, ' +
    'missing, dest, dest_state, arcroot, expanded_paths, expanded_exclude_paths. Needs tar, gzip/bzip2/xz or zip/unzip on the host.',
  schema: {
    properties: {
      path: { type: 'array', items: { type: 'string' }, description: 'Absolute paths or globs (* and ?) on the host; a comma-separated string is a list.' },
      format: { type: 'string', enum: ['bz2', 'gz', 'tar', 'xz', 'zip'], default: 'gz', description: 'Compression, or tar/zip archive format.' },
      dest: { type: 'string', description: 'The archive; required for several paths, a glob or a directory (default for one file: PATH.FORMAT).' },
      exclude_path: { type: 'array', items: { type: 'string' }, default: [], description: 'Paths or globs removed from the expanded paths.' },
      exclusion_patterns: { type: 'array', items: { type: 'string' }, description: 'Glob patterns of members left out (tar: the member name; zip: the full path).' },
      force_archive: { type: 'boolean', default: false, description: 'Archive a single file (tar/zip with one member) instead of only compressing it.' },
      remove: { type: 'boolean', default: false, description: 'Delete the archived files and the directories given after archiving.' },
      ...attributeProperties,
    },
    required: ['path'],
  },
  plan,
  apply,
};
