// File operations as the become user when SFTP would act as the wrong user
// (a non-root login with become). Each operation is one fixed script run via
// `sudo -- sh -c SCRIPT sh ARG...`: paths, modes and ids arrive only as
// separate argv entries ($1, $2 ...), file content only on stdin. No user data
// is ever pasted into script text. Needs GNU coreutils and findutils on the host.

import { HostOperationError, type FileStat } from './host.js';
import { tempNameFor } from './local-host.js';
import { fileTypeOf, type FileOps, type NumericWrite } from './ssh-file-ops.js';

export interface BytesResult { rc: number; stdout: Buffer; stderr: string }
export type ScriptRunner = (script: string, args: string[], stdin?: Buffer) => Promise<BytesResult>;

/** rc 3 from a script means "the path does not exist". */
const MISSING = 3;

// Removes temp files a killed earlier run left next to $1 (as LocalHost does):
// names .BASE.converge-<12 hex>.tmp. The base name is quoted, so it is literal in the pattern.
const SWEEP = 'sweep() { sd=$(dirname -- "$1"); sb=$(basename -- "$1"); '
  + 'for sf in "$sd/.$sb.converge-"*.tmp; do case "${sf#"$sd/.$sb.converge-"}" in '
  + `${'[0-9a-f]'.repeat(12)}.tmp) rm -f -- "$sf" ;; esac; done; }`;

const S = {
  read: '[ -e "$1" ] || exit 3; exec cat -- "$1"',
  stat: [
    '[ -e "$1" ] || [ -L "$1" ] || exit 3',
    "stat -c '%f %u %g %s %Y %i %h' -- \"$1\" || exit 1",
    'if [ -L "$1" ]; then readlink -- "$1" || exit 1; fi',
  ].join('\n'),
  // $1 target, $2 temp name, $3 mode (octal or empty), $4 uid (or empty), $5 gid (or empty); content on stdin.
  write: [
    'set -e',
    't=$1 tmp=$2 mode=$3 uid=$4 gid=$5',
    'umask 077',
    SWEEP,
    'sweep "$t"',
    "trap 'rm -f -- \"$tmp\"' EXIT",
    '(set -C; : > "$tmp")',
    'if [ -f "$t" ] && [ ! -L "$t" ]; then',
    '  [ -n "$mode" ] || mode=0$(stat -c %a -- "$t")',
    '  [ -n "$uid" ] || uid=$(stat -c %u -- "$t")',
    '  [ -n "$gid" ] || gid=$(stat -c %g -- "$t")',
    'fi',
    '[ -z "$uid" ] || chown -- "+$uid" "$tmp"',
    '[ -z "$gid" ] || chgrp -- "+$gid" "$tmp"',
    'chmod -- "${mode:-0644}" "$tmp"',
    'cat >> "$tmp"',
    'sync -- "$tmp"',
    'mv -fT -- "$tmp" "$t"',
    'trap - EXIT',
  ].join('\n'),
  mkdir: 'mkdir -- "$1" && chmod -- "$2" "$1"',
  chmod: 'chmod -- "$2" "$1"',
  chown: 'chown -h -- "$2" "$1"',
  // $1 link target, $2 path, $3 temp name
  symlink: SWEEP + '\nsweep "$2"; ln -s -- "$1" "$3" || exit 1; mv -fT -- "$3" "$2" && exit 0; rm -f -- "$3"; exit 1',
  link: SWEEP + '\nsweep "$2"; ln -- "$1" "$3" || exit 1; if [ "$3" -ef "$2" ]; then rm -f -- "$3"; exit 0; fi; '
    + 'mv -fT -- "$3" "$2" && exit 0; rm -f -- "$3"; exit 1',
  remove: 'rm -rf -- "$1"',
  readdir: 'if [ ! -d "$1" ]; then if [ -e "$1" ]; then echo "$1: Not a directory" >&2; '
    + 'else echo "$1: No such file or directory" >&2; fi; exit 1; fi; '
    + "exec find -H \"$1\" -mindepth 1 -maxdepth 1 -printf '%f\\0'",
};

const ERRNO: Array<[RegExp, string]> = [
  [/No such file or directory|Directory nonexistent/i, 'ENOENT'], [/Permission denied/i, 'EACCES'], [/File exists/i, 'EEXIST'],
  [/Not a directory/i, 'ENOTDIR'], [/Is a directory/i, 'EISDIR'], [/Directory not empty/i, 'ENOTEMPTY'],
  [/Operation not permitted/i, 'EPERM'], [/invalid user|invalid group/i, 'EINVAL'],
];

function fail(what: string, r: BytesResult): HostOperationError {
  const line = r.stderr.trim().split('\n').pop() ?? '';
  const code = ERRNO.find(([re]) => re.test(line))?.[1];
  return new HostOperationError(`${what}: ${code ? code + ' ' : ''}${line || `exit ${r.rc}`}`, code);
}

/** chmod mode with a leading 0: GNU chmod keeps a directory's setgid bit otherwise. */
function modeArg(mode: number): string {
  return '0' + (mode & 0o7777).toString(8).padStart(4, '0');
}

export class SudoFiles implements FileOps {
  constructor(private readonly script: ScriptRunner) {}

  async readFile(p: string): Promise<Buffer | null> {
    const r = await this.script(S.read, [p]);
    if (r.rc === MISSING) return null;
    if (r.rc !== 0) throw fail(`read ${p}`, r);
    return r.stdout;
  }

  async stat(p: string): Promise<FileStat> {
    const r = await this.script(S.stat, [p]);
    if (r.rc === MISSING) return { exists: false };
    if (r.rc !== 0) throw fail(`stat ${p}`, r);
    const text = r.stdout.toString('utf8');
    const nl = text.indexOf('\n');
    const [rawMode, uid, gid, size, mtime, ino, nlink] = text.slice(0, nl).split(' ');
    const mode = parseInt(rawMode, 16);
    const out: FileStat = {
      exists: true, type: fileTypeOf(mode), mode: mode & 0o7777, uid: Number(uid), gid: Number(gid), size: Number(size),
      mtimeMs: Number(mtime) * 1000, ino: Number(ino), nlink: Number(nlink),
    };
    if (out.type === 'link') out.linkTarget = text.slice(nl + 1).replace(/\n$/, '');
    return out;
  }

  async writeFile(p: string, content: Buffer, opts: NumericWrite): Promise<void> {
    const args = [p, tempNameFor(p), opts.mode === undefined ? '' : modeArg(opts.mode),
      opts.uid === -1 ? '' : String(opts.uid), opts.gid === -1 ? '' : String(opts.gid)];
    const r = await this.script(S.write, args, content);
    if (r.rc !== 0) throw fail(`write ${p}`, r);
  }

  async mkdir(p: string, mode: number): Promise<void> {
    const r = await this.script(S.mkdir, [p, modeArg(mode)]);
    if (r.rc !== 0) throw fail(`mkdir ${p}`, r);
  }

  async chmod(p: string, mode: number): Promise<void> {
    const r = await this.script(S.chmod, [p, modeArg(mode)]);
    if (r.rc !== 0) throw fail(`chmod ${p}`, r);
  }

  async chown(p: string, uid: number, gid: number): Promise<void> {
    if (uid === -1 && gid === -1) return;
    const spec = uid === -1 ? `:+${gid}` : gid === -1 ? `+${uid}` : `+${uid}:+${gid}`;
    const r = await this.script(S.chown, [p, spec]);
    if (r.rc !== 0) throw fail(`chown ${p}`, r);
  }

  async symlink(target: string, p: string): Promise<void> {
    const r = await this.script(S.symlink, [target, p, tempNameFor(p)]);
    if (r.rc !== 0) throw fail(`symlink ${p}`, r);
  }

  async link(target: string, p: string): Promise<void> {
    const r = await this.script(S.link, [target, p, tempNameFor(p)]);
    if (r.rc !== 0) throw fail(`link ${p}`, r);
  }

  async remove(p: string): Promise<void> {
    const r = await this.script(S.remove, [p]);
    if (r.rc !== 0) throw fail(`remove ${p}`, r);
  }

  async readdir(p: string): Promise<string[]> {
    const r = await this.script(S.readdir, [p]);
    if (r.rc !== 0) throw fail(`readdir ${p}`, r);
    return r.stdout.toString('utf8').split('\0').filter((n) => n !== '').sort();
  }
}
