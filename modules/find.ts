// find: files, directories or links under some paths that match name
// patterns, age, size and content, as Ansible's find reports them (files,
// matched, examined). One `find -printf` per path gives every entry and its
// lstat in a single round trip; the filters then run here.

import { createHash } from 'node:crypto';
import type { ModuleContext, ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { formatMode } from './common/mode.js';
import { pythonRegExp } from './common/python-regex.js';

export interface FindParams {
  paths: string[] | string;
  patterns: string[] | string;
  excludes?: string[] | string;
  contains?: string;
  read_whole_file: boolean;
  file_type: 'any' | 'directory' | 'file' | 'link';
  age?: string;
  age_stamp: 'atime' | 'ctime' | 'mtime';
  size?: string;
  recurse: boolean;
  hidden: boolean;
  follow: boolean;
  get_checksum: boolean;
  use_regex: boolean;
  depth?: number;
}

/** Python's fnmatch.translate: *, ?, [seq], [!seq]; case-sensitive; * crosses dots and slashes. */
export function fnmatchRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) { out += '\\['; continue; }
      let body = pattern.slice(i + 1, j).replace(/\\/g, '\\\\');
      if (body.startsWith('!')) body = '^' + body.slice(1);
      else if (body.startsWith('^')) body = '\\' + body;
      out += `[${body}]`;
      i = j;
    } else out += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^(?:${out})$`, 's');
}

function nameFilter(p: { patterns: string[]; excludes?: string[]; use_regex: boolean }): (name: string) => boolean {
  const compile = (s: string) => {
    if (!p.use_regex) return fnmatchRegExp(s);
    const re = pythonRegExp(s, 'patterns');
    return new RegExp(re.source, re.flags + 'y'); // re.match: anchored at the start only
  };
  const test = (re: RegExp, name: string) => { re.lastIndex = 0; return re.test(name); };
  const patterns = (p.patterns.length ? p.patterns : [p.use_regex ? '.*' : '*']).map(compile);
  const excludes = (p.excludes ?? []).map(compile);
  return (name) => patterns.some((re) => test(re, name)) && !excludes.some((re) => test(re, name));
}

function parseUnits(text: string, what: string, re: RegExp, units: Record<string, number>): number {
  const m = re.exec(text.toLowerCase());
  if (!m) throw new TaskFailedError(`failed to process ${what}`);
  return Number(m[1]) * (units[m[2] ?? ''] ?? 1);
}

interface Entry { path: string; depth: number; type: string; st: Record<string, unknown> }

const FIELDS = ['%p', '%d', '%y', '%m', '%U', '%G', '%s', '%i', '%D', '%n', '%A@', '%T@', '%C@', '%u', '%g'];

async function walk(ctx: ModuleContext, root: string, p: Pick<FindParams, 'follow' | 'recurse' | 'depth'>): Promise<Entry[] | string> {
  const top = await ctx.host.run(['stat', '-L', '-c', '%F', '--', root]);
  if (top.rc !== 0 || top.stdout.trim() !== 'directory') return `'${root}' is not a directory`;
  const argv = ['find', p.follow ? '-L' : '-P', root, '-mindepth', '1'];
  if (!p.recurse) argv.push('-maxdepth', '1');
  else if (p.depth) argv.push('-maxdepth', String(p.depth + 1));
  argv.push('-printf', FIELDS.join('\\0') + '\\0');
  const r = await ctx.host.run(argv);
  if (r.rc !== 0 && !r.stdout) return r.stderr.trim() || `find exited with ${r.rc}`;
  const f = r.stdout.split('\0');
  const out: Entry[] = [];
  for (let i = 0; i + FIELDS.length <= f.length; i += FIELDS.length) {
    const [path, depth, type, mode, uid, gid, size, ino, dev, nlink, atime, mtime, ctime, user, group] = f.slice(i, i + FIELDS.length);
    const bits = parseInt(mode, 8);
    const num = (s: string) => Number(s);
    out.push({
      path: path.replace(/\/{2,}/g, '/'), depth: num(depth), type,
      st: {
        mode: formatMode(bits), isdir: type === 'd', ischr: type === 'c', isblk: type === 'b', isreg: type === 'f', isfifo: type === 'p',
        islnk: type === 'l', issock: type === 's', uid: num(uid), gid: num(gid), size: num(size), inode: num(ino), dev: num(dev),
        nlink: num(nlink), atime: num(atime), mtime: num(mtime), ctime: num(ctime),
        gr_name: group === gid ? '' : group, pw_name: user === uid ? '' : user,
        wusr: !!(bits & 0o200), rusr: !!(bits & 0o400), xusr: !!(bits & 0o100), wgrp: !!(bits & 0o20), rgrp: !!(bits & 0o40),
        xgrp: !!(bits & 0o10), woth: !!(bits & 0o2), roth: !!(bits & 0o4), xoth: !!(bits & 0o1),
        isuid: !!(bits & 0o4000), isgid: !!(bits & 0o2000),
      },
    });
  }
  return out;
}

async function contains(ctx: ModuleContext, path: string, re: RegExp, whole: boolean): Promise<boolean> {
  const data = await ctx.host.readFile(path);
  if (!data) return false;
  const text = data.toString('utf8');
  if (Buffer.from(text, 'utf8').length !== data.length) return false; // Python's text read fails on bad UTF-8
  if (whole) return new RegExp(re.source, re.flags.replace('y', '')).test(text);
  for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    re.lastIndex = 0;
    if (re.test(line)) return true;
  }
  return false;
}

export const findModule: ModuleDefinition<FindParams> = {
  name: 'find',
  description:
    'Lists files, directories or links under paths whose names match shell patterns (or Python regular expressions with use_regex), filtered by ' +
    'excludes, age, size and contents, with recurse/depth and hidden like Ansible\'s find. Returns files (each with path, mode, uid, size, mtime ...), ' +
    'matched, examined, skipped_paths and msg for register. Never changes anything. One find command per path on the host.',
  schema: {
    properties: {
      paths: { type: ['array', 'string'], items: { type: 'string' }, description: 'Directories to search (aliases: name, path); a comma-separated string is split.' },
      name: { type: ['array', 'string'], items: { type: 'string' }, description: 'Alias of paths.' },
      path: { type: ['array', 'string'], items: { type: 'string' }, description: 'Alias of paths.' },
      patterns: { type: ['array', 'string'], items: { type: 'string' }, default: [], description: 'Shell patterns (or regular expressions with use_regex) the base name must match; any of them (alias: pattern). Default: everything.' },
      pattern: { type: ['array', 'string'], items: { type: 'string' }, description: 'Alias of patterns.' },
      excludes: { type: ['array', 'string'], items: { type: 'string' }, description: 'Patterns of base names to leave out (alias: exclude).' },
      exclude: { type: ['array', 'string'], items: { type: 'string' }, description: 'Alias of excludes.' },
      contains: { type: 'string', description: 'Regular expression a line of the file must match from its start (files only).' },
      read_whole_file: { type: 'boolean', default: false, description: 'Search contains anywhere in the whole file instead of matching line by line.' },
      file_type: { type: 'string', enum: ['any', 'directory', 'file', 'link'], default: 'file', description: 'Kind of entry to list.' },
      age: { type: 'string', pattern: '^-?\\d+[smhdwSMHDW]?$', description: 'At least this old (e.g. 2d, 4w); negative: at most this old.' },
      age_stamp: { type: 'string', enum: ['atime', 'ctime', 'mtime'], default: 'mtime', description: 'Which time age compares.' },
      size: { type: 'string', pattern: '^-?\\d+[bkmgtBKMGT]?$', description: 'At least this big (e.g. 10k, 1g); negative: at most this big.' },
      recurse: { type: 'boolean', default: false, description: 'Descend into subdirectories.' },
      hidden: { type: 'boolean', default: false, description: 'Include entries whose names start with a dot.' },
      follow: { type: 'boolean', default: false, description: 'Descend through symbolic links to directories (entries are then reported as what the links point to).' },
      get_checksum: { type: 'boolean', default: false, description: 'Add the sha1 checksum of each regular file.' },
      use_regex: { type: 'boolean', default: false, description: 'patterns and excludes are Python regular expressions (matched from the start of the name).' },
      depth: { type: 'integer', minimum: 1, description: 'With recurse, how many levels down to go (1: the path itself only).' },
    },
    anyOf: [{ required: ['paths'] }, { required: ['name'] }, { required: ['path'] }],
  },
  async plan(raw, ctx) {
    // Ansible's list type: a string is split at commas.
    const split = (l: string[] | string | undefined) => l === undefined ? undefined : (typeof l === 'string' ? l.split(',') : l).map((s) => s.trim()).filter((s) => s !== '');
    const a = raw as FindParams & { name?: string[] | string; path?: string[] | string; pattern?: string[] | string; exclude?: string[] | string };
    const p = {
      ...raw, paths: split(raw.paths ?? a.name ?? a.path)!,
      patterns: split(raw.patterns.length ? raw.patterns : a.pattern ?? []) ?? [],
      excludes: split(raw.excludes ?? a.exclude),
    };
    const age = p.age === undefined ? undefined : parseUnits(p.age, 'age', /^(-?\d+)(s|m|h|d|w)?$/, { s: 1, m: 60, h: 3600, d: 86400, w: 604800 });
    const size = p.size === undefined ? undefined : parseUnits(p.size, 'size', /^(-?\d+)(b|k|m|g|t)?$/, { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 });
    const named = nameFilter(p);
    const content = p.contains === undefined ? undefined : (() => { const re = pythonRegExp(p.contains, 'contains'); return new RegExp(re.source, re.flags + 'y'); })();
    const now = Date.now() / 1000;
    const files: Record<string, unknown>[] = [];
    const skipped: Record<string, string> = {};
    let examined = 0;
    for (const root of p.paths) {
      const entries = await walk(ctx, root, p);
      if (typeof entries === 'string') { skipped[root] = entries; continue; }
      examined += entries.length;
      for (const e of entries) {
        if (p.recurse && p.depth && e.depth > p.depth) continue;
        const base = e.path.slice(e.path.lastIndexOf('/') + 1);
        if (base.startsWith('.') && !p.hidden) continue;
        const wantType = p.file_type === 'any' || { directory: 'd', file: 'f', link: 'l' }[p.file_type] === e.type;
        if (!wantType || !named(base)) continue;
        if (age !== undefined) {
          const t = e.st[p.age_stamp] as number;
          if (!(age >= 0 ? now - t >= age : now - t <= -age)) continue;
        }
        if (size !== undefined && e.type === 'f') {
          const s = e.st.size as number;
          if (!(size >= 0 ? s >= size : s <= -size)) continue;
        }
        if (content && (e.type !== 'f' || !(await contains(ctx, e.path, content, p.read_whole_file)))) continue;
        const r: Record<string, unknown> = { path: e.path, ...e.st };
        if (p.get_checksum && e.type === 'f') {
          const data = await ctx.host.readFile(e.path);
          if (data) r.checksum = createHash('sha1').update(data).digest('hex');
        }
        files.push(r);
      }
    }
    files.sort((a, b) => String(a.path).localeCompare(String(b.path)));
    const msg = Object.keys(skipped).length ? 'Not all paths examined, check warnings for details' : 'All paths examined';
    return { changes: [], result: { files, matched: files.length, examined, msg, skipped_paths: skipped } };
  },
  async apply() {
    return {};
  },
};
