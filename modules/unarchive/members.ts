// What an archive holds, read from the listing tar or zipinfo prints on the
// host, and the checks that keep an extraction inside dest. Both tools refuse
// some tricks themselves (GNU tar skips '..' members, unzip will not write
// below a link it made), but they extract what they can and go on; converge
// refuses the whole archive before anything is written, naming the member.

import { TaskFailedError } from '../../src/engine/module.js';

export type MemberType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'device' | 'fifo';

export interface Member {
  /** The name as the tool lists it ('top/' for a directory in both formats). */
  name: string;
  type: MemberType;
  /** Hard links: the member it links to. Symbolic links: the target, when the listing shows it (tar). */
  target?: string;
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, '?': 63 };

/** A name in tar's --quoting-style=c: backslash escapes and octal bytes, UTF-8 underneath. */
export function decodeCString(quoted: string): string {
  const s = quoted.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') { bytes.push(...Buffer.from(s[i], 'utf8')); continue; }
    const next = s[++i];
    const oct = /^[0-7]{1,3}/.exec(s.slice(i));
    if (oct) { bytes.push(parseInt(oct[0], 8)); i += oct[0].length - 1; }
    else if (next in C_ESCAPES) bytes.push(C_ESCAPES[next]);
    else throw new TaskFailedError(`cannot read the archive listing: unknown escape \\${next} in ${quoted}`);
  }
  return Buffer.from(bytes).toString('utf8');
}

const TAR_TYPES: Record<string, MemberType> = { '-': 'file', d: 'dir', l: 'symlink', h: 'hardlink', c: 'device', b: 'device', p: 'fifo' };
const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
const TAR_LINE = new RegExp(`^(\\S)\\S*\\s+\\S+\\s+(?:\\d+,\\s*\\d+|\\d+)\\s+\\S+\\s+\\S+\\s+(${QUOTED})(?:\\s+(->|link to)\\s+(${QUOTED}))?$`);

/** `tar -tv --quoting-style=c` output. */
export function parseTarListing(text: string): Member[] {
  const out: Member[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const m = TAR_LINE.exec(line);
    if (!m) throw new TaskFailedError(`cannot read the archive listing line: ${line}`);
    const type = TAR_TYPES[m[1]] ?? 'device';
    out.push({ name: decodeCString(m[2]), type, ...(m[4] ? { target: decodeCString(m[4]) } : {}) });
  }
  return out;
}

const ZIP_LINE = /^(\S)\S*\s+\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+\S+\s+\S+\s(.*)$/;

/** `zipinfo` (unzip -Z) output: the member lines between the header and the total. */
export function parseZipListing(text: string): Member[] {
  const out: Member[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || /^(Archive|Zip file size|\d+ files?,|Empty zipfile)/.test(line)) continue;
    const m = ZIP_LINE.exec(line);
    if (!m) throw new TaskFailedError(`cannot read the archive listing line: ${line}`);
    const name = m[2];
    const type: MemberType = m[1] === 'l' ? 'symlink' : m[1] === 'd' || name.endsWith('/') ? 'dir' : 'file';
    out.push({ name, type });
  }
  return out;
}

/** The name's components, without empty ones and '.'; what tar and unzip would create below dest. */
export function components(name: string): string[] {
  return name.split('/').filter((c) => c !== '' && c !== '.');
}

/** tar --strip-components=N: the first N components go; members left with none are not extracted. */
export function stripMembers(members: Member[], n: number): Member[] {
  if (!n) return members;
  const out: Member[] = [];
  for (const m of members) {
    const c = components(m.name);
    if (c.length <= n) continue;
    const name = c.slice(n).join('/') + (m.name.endsWith('/') ? '/' : '');
    const target = m.type === 'hardlink' && m.target !== undefined ? components(m.target).slice(n).join('/') : m.target;
    out.push({ ...m, name, ...(target !== undefined ? { target } : {}) });
  }
  return out;
}

function checkName(name: string, what: string, archive: string): void {
  if (name.startsWith('/')) throw new TaskFailedError(`${archive}: ${what} '${name}' is an absolute path; refusing to extract an archive that writes outside dest`);
  if (name.split('/').includes('..')) throw new TaskFailedError(`${archive}: ${what} '${name}' climbs out with '..'; refusing to extract an archive that writes outside dest`);
}

/**
 * Refuses the archive when a member would land outside dest: absolute names,
 * '..' components, hard links to such names, members below a symbolic link
 * that the archive itself makes (a link to /etc, then link/passwd), and
 * device nodes (root would create them).
 */
export function checkMembers(members: Member[], archive: string): void {
  const links = new Set<string>();
  for (const m of members) {
    checkName(m.name, 'member', archive);
    if (m.type === 'hardlink' && m.target !== undefined) checkName(m.target, `hard link ${m.name} ->`, archive);
    if (m.type === 'device') throw new TaskFailedError(`${archive}: member '${m.name}' is a device node; converge does not create device nodes from archives`);
    const c = components(m.name);
    for (let i = 1; i < c.length; i++) {
      const prefix = c.slice(0, i).join('/');
      if (links.has(prefix)) throw new TaskFailedError(`${archive}: member '${m.name}' lies below '${prefix}', which the archive makes a symbolic link; refusing to write through it`);
    }
    const self = c.join('/');
    // Once a link, always: a later member of the same name does not make writing below it safe.
    if (m.type === 'symlink') links.add(self);
  }
}

/** The directories below dest that members are written into ('a', 'a/b' for 'a/b/c'), for the link check on the host. */
export function parentDirs(members: Member[]): string[] {
  const dirs = new Set<string>();
  for (const m of members) {
    const c = components(m.name);
    for (let i = 1; i < c.length; i++) dirs.add(c.slice(0, i).join('/'));
  }
  return [...dirs];
}
