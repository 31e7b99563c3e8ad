// File operations as the become user when SFTP would act as the wrong user
// (a non-root login with become). Each operation is one fixed script run via
// `sudo -- sh -c SCRIPT sh ARG...`: paths, modes and ids arrive only as
// separate argv entries ($1, $2 ...), file content only on stdin. No user data
// is ever pasted into script text. Needs GNU coreutils and findutils on the host.

import { randomBytes } from 'node:crypto';
import { contentSize, prefixed, type ContentStream } from './content-stream.js';
import { HostOperationError, type FileStat } from './host.js';
import { tempNameFor } from './local-host.js';
import { CHECKSUM_SCRIPT, checksumFrom, fileTypeOf, type FileOps, type NumericWrite } from './ssh-file-ops.js';

export interface BytesResult { rc: number; stdout: Buffer; stderr: string }
export type ScriptRunner = (script: string, args: string[], stdin?: Buffer | ContentStream) => Promise<BytesResult>;

/** rc 3 from a script means "the path does not exist". */
const MISSING = 3;

// Removes temp files a killed earlier run left next to $1 (as LocalHost does):
// names .BASE.converge-<12 hex>.tmp. The base name is quoted, so it is literal in the pattern.
const SWEEP = 'sweep() { sd=$(dirname -- "$1"); sb=$(basename -- "$1"); '
  + 'for sf in "$sd/.$sb.converge-"*.tmp; do case "${sf#"$sd/.$sb.converge-"}" in '
  + `${'[0-9a-f]'.repeat(12)}.tmp) rm -f -- "$sf" ;; esac; done; }`;

// cd into $1's directory (held as cwd from here on, whatever is renamed), b = $1's name there, p = the
// directory's real path.
const IN_PARENT = [
  'case $1 in */) set -- "${1%/}" "$2" "$3" "$4" ;; esac',
  'd=${1%/*}; b=${1##*/}; [ -n "$d" ] || d=/',
  'cd -P -- "$d" || exit 1',
  'p=$(pwd -P); [ "$p" = / ] && p=',
].join('\n');

// $h = what to act on instead of the name $1, so that swapping $1 for a link after it was looked at
// changes nothing but the link: a directory is held as cwd (checked to be $1 itself), a regular file
// as descriptor 4 (checked to be the inode that was at $1). Opening a file can block if it was
// swapped for a link to a FIFO; the operation then waits, it never acts on the wrong file.
const HOLD = [
  IN_PARENT,
  'if [ -L "$b" ]; then h=$b',
  'elif [ -d "$b" ]; then',
  '  cd -P -- "$b" || exit 1',
  '  [ "$(pwd -P)" = "$p/$b" ] || { echo "$1: replaced while it was being changed" >&2; exit 1; }',
  '  h=.',
  'elif [ -f "$b" ]; then',
  '  id=$(stat -c %d:%i -- "$b") || exit 1',
  '  exec 4< "$b" || exit 1',
  '  h=/proc/self/fd/4',
  '  [ "$(stat -L -c %d:%i -- "$h")" = "$id" ] || { echo "$1: replaced while it was being changed" >&2; exit 1; }',
  'else h=$b',
  'fi',
].join('\n');

const S = {
  read: '[ -e "$1" ] || exit 3; exec cat -- "$1"',
  checksum: CHECKSUM_SCRIPT,
  stat: [
    '[ -e "$1" ] || [ -L "$1" ] || exit 3',
    "stat -c '%f %u %g %s %Y %i %h' -- \"$1\" || exit 1",
    'if [ -L "$1" ]; then readlink -- "$1" || exit 1; fi',
  ].join('\n'),
  // One look at $1 for a run that remembers what it saw: lstat of $1 and of $2 (its parent, or ''),
  // where $1 points when it is a link, else the first $3+1 bytes of $1 when it is a regular file of at
  // most $3 bytes (one dd: another count than its size means it changed meanwhile, and it is not used).
  // Line 1: "E D" (1 = that path exists); a stat line for each that exists; then "link" and the
  // link's target, or "content" and the bytes, or "none".
  // Written to run in the privileged shell itself (SUDO_IN_SHELL: no exit, exec, cd or variables
  // but L_*) as well as alone with sh -c: a stat and, for content, a dd are its only processes.
  look: [
    'if [ -e "$1" ] || [ -L "$1" ]; then L_e=1; else L_e=0; fi',
    'if [ -n "$2" ] && { [ -e "$2" ] || [ -L "$2" ]; }; then L_d=1; else L_d=0; fi',
    'L_f=\'%f %u %g %s %Y %i %h\' L_s= L_r=0',
    'if [ $L_e = 1 ] && [ $L_d = 1 ]; then L_s=$(stat -c "$L_f" -- "$1" "$2") || L_r=1',
    'elif [ $L_e = 1 ]; then L_s=$(stat -c "$L_f" -- "$1") || L_r=1',
    'elif [ $L_d = 1 ]; then L_s=$(stat -c "$L_f" -- "$2") || L_r=1',
    'fi',
    'if [ $L_r = 1 ]; then false',
    'else',
    '  echo "$L_e $L_d"',
    '  [ $L_e = 0 ] && [ $L_d = 0 ] || printf \'%s\\n\' "$L_s"',
    // The size of $1 (when it exists): the fourth word of the first line.
    '  L_n=${L_s#* * * }; L_n=${L_n%% *}',
    '  if [ -L "$1" ]; then echo link; readlink -- "$1"',
    // Opened without following a link and without waiting for a writer: a name swapped for a link or a
    // FIFO since the tests above gives an error or nothing, never a hang or another file's bytes.
    '  elif [ -f "$1" ] && [ "$L_n" -le "$3" ] 2>/dev/null; then echo content; dd if="$1" iflag=nofollow,nonblock,fullblock bs="$(($3 + 1))" count=1 status=none',
    '  else echo none',
    '  fi',
    'fi',
  ].join('\n'),
  // Many lstats in one process, for a run that looks ahead (SshHost.prefetch): line 1 has a 1 or a 0
  // for each argument (it exists, as a link or not), then a stat line for each that exists, in order.
  // Runs in the privileged shell (only L_ variables; `set --` is the function's own).
  stats: [
    'L_n=$# L_e=',
    'while [ $L_n -gt 0 ]; do',
    '  if [ -e "$1" ] || [ -L "$1" ]; then L_e="${L_e}1"; set -- "$@" "$1"; else L_e="${L_e}0"; fi',
    '  shift; L_n=$((L_n - 1))',
    'done',
    'echo "$L_e"',
    '[ $# -eq 0 ] || stat -c \'%f %u %g %s %Y %i %h\' -- "$@"',
  ].join('\n'),
  // The regular files named after $3, as a tar stream of at most $2 bytes (one process for all of them:
  // GNU tar opens each with O_NOFOLLOW|O_NONBLOCK, as look does, and archives a link or a FIFO as what
  // it is, without reading through it), after a line "tar". Without tar: a line "dd", then the first
  // $1+1 bytes of each file, each followed by a line "\n$3 RC" (dd's exit status), $3 being a random
  // boundary the caller chose for this request (no file can hold it by design).
  reads: [
    'L_m=$1 L_t=$2 L_b=$3; shift 3',
    'if command -v tar >/dev/null 2>&1 && command -v head >/dev/null 2>&1; then',
    '  echo tar; tar -c -f - -b 1 --format=gnu --no-recursion --hard-dereference -- "$@" 2>/dev/null | head -c "$L_t"',
    'else',
    '  echo dd',
    '  for L_p do',
    '    if [ -f "$L_p" ] && ! [ -L "$L_p" ]; then dd if="$L_p" iflag=nofollow,nonblock,fullblock bs="$(($L_m + 1))" count=1 status=none; L_r=$?; else L_r=1; fi',
    '    printf \'\\n%s %s\\n\' "$L_b" "$L_r"',
    '  done',
    'fi',
  ].join('\n'),
  // $1 target, $2 the temp name's prefix (DIR/.BASE.converge-), $3 mode (octal or empty), $4 uid (or
  // empty), $5 gid (or empty), $6 the content's byte count; stdin: the temp name's random part on the
  // first line, then the content. Fewer bytes than $6 (the sender stopped: its source changed, the
  // connection went) leave the target as it was.
  // The random part is not in argv: anyone on the host can read a command line, and a name known
  // in advance could be planted as a link. Everything after the create acts on descriptor 3 (through
  // /proc/self/fd/3, which names the open file, not a path): a user who owns the directory may swap
  // the temp name for a link at any moment, and root must not chown, chmod or write what it points to.
  write: [
    'set -e',
    't=$1 mode=$3 uid=$4 gid=$5 size=$6',
    'IFS= read -r sfx',
    'case $sfx in ' + '[0-9a-f]'.repeat(12) + ') ;; *) echo "bad temp name" >&2; exit 1 ;; esac',
    'tmp=$2$sfx.tmp',
    'umask 077',
    SWEEP,
    'sweep "$t"',
    "trap 'rm -f -- \"$tmp\"' EXIT",
    // noclobber: O_CREAT|O_EXCL for a name that does not exist, which never follows a link.
    'set -C; exec 3> "$tmp"; set +C',
    'fd=/proc/self/fd/3',
    // A name that existed (planted) would have been opened without O_EXCL: only a new, empty, root-owned file will do.
    'case $(stat -L -c %F:%u:%h -- "$fd") in "regular empty file:0:1") ;; *) echo "$tmp: not the file just created" >&2; exit 1 ;; esac',
    // The mode and owner of a regular file already there are kept; lstat, so a link there is not read through.
    'old=$(stat -c %F:%a:%u:%g -- "$t" 2>/dev/null) || old=',
    'case $old in "regular file:"*|"regular empty file:"*)',
    '  old=${old#*:}',
    '  [ -n "$mode" ] || mode=0${old%%:*}; old=${old#*:}',
    '  [ -n "$uid" ] || uid=${old%%:*}',
    '  [ -n "$gid" ] || gid=${old#*:} ;;',
    'esac',
    // Owner before mode: chown clears setuid/setgid bits.
    '[ -z "$uid" ] || chown -- "+$uid" "$fd"',
    '[ -z "$gid" ] || chgrp -- "+$gid" "$fd"',
    'chmod -- "${mode:-0644}" "$fd"',
    'cat >&3',
    '[ "$(stat -L -c %s -- "$fd")" = "$size" ] || { echo "$t: the content was cut short" >&2; exit 1; }',
    'sync -- "$fd"',
    'id=$(stat -L -c %d:%i -- "$fd")',
    'mv -fT -- "$tmp" "$t"',
    'trap - EXIT',
    // What the rename put in place must be the file written (not whatever the temp name was swapped for).
    '[ "$(stat -c %d:%i -- "$t")" = "$id" ] || { echo "$t: replaced while it was written" >&2; exit 1; }',
  ].join('\n'),
  // GNU mkdir -m sets a mode that mkdir(2) cannot give (umask, setgid) on a descriptor it opened with
  // O_NOFOLLOW: a swap of the new directory for a link fails instead of changing the link's target.
  mkdir: 'exec mkdir -m "$2" -- "$1"',
  // $1 path, $2 mode or owner spec. chmod refuses a link (GNU chmod would change what it points to, which the
  // directory's owner chooses) and a name that is gone (a swap in progress: a link may appear under it next), as
  // LocalHost does; chown changes a link itself.
  chmod: HOLD + '\n[ "$h" = "$b" ] && [ -L "$b" ] && { echo "$1: is a symbolic link (links have no mode of their own)" >&2; exit 1; }'
    + '\n[ "$h" = "$b" ] && ! [ -e "$b" ] && { echo "$1: No such file or directory" >&2; exit 1; }'
    + '\nexec chmod -- "$2" "$h"',
  chown: HOLD + '\n[ "$h" = /proc/self/fd/4 ] && exec chown -- "$2" "$h"; exec chown -h -- "$2" "$h"',
  // $1 link target, $2 path, $3 temp name
  symlink: SWEEP + '\nsweep "$2"; ln -s -- "$1" "$3" || exit 1; mv -fT -- "$3" "$2" && exit 0; rm -f -- "$3"; exit 1',
  link: SWEEP + '\nsweep "$2"; ln -- "$1" "$3" || exit 1; if [ "$3" -ef "$2" ]; then rm -f -- "$3"; exit 0; fi; '
    + 'mv -fT -- "$3" "$2" && exit 0; rm -f -- "$3"; exit 1',
  remove: 'rm -rf -- "$1"',
  readdir: 'if [ ! -d "$1" ]; then if [ -e "$1" ]; then echo "$1: Not a directory" >&2; '
    + 'else echo "$1: No such file or directory" >&2; fi; exit 1; fi; '
    + "exec find -H \"$1\" -mindepth 1 -maxdepth 1 -printf '%f\\0'",
  // Everything below directory $1 (links below it not followed), each as three NUL-terminated fields:
  // type, permission bits (octal), uid, gid, size, mtime, inode and link count; the path below $1; the
  // link's target (empty for others). One process for a whole tree (file's recurse).
  tree: 'if [ ! -d "$1" ]; then if [ -e "$1" ]; then echo "$1: Not a directory" >&2; '
    + 'else echo "$1: No such file or directory" >&2; fi; exit 1; fi; '
    + "exec find -H \"$1\" -mindepth 1 -printf '%y %m %U %G %s %T@ %i %n\\0%P\\0%l\\0'",
};

/** Every helper script, for a privileged shell that defines them once as functions. */
export const SUDO_SCRIPTS: readonly string[] = Object.values(S);
/** The helpers written to run in the privileged shell itself rather than a subshell (indices into SUDO_SCRIPTS). */
export const SUDO_IN_SHELL: readonly number[] = (['look', 'stats', 'reads'] as const).map((k) => Object.keys(S).indexOf(k));
/** Their names, in the same order (for traces). */
export const SUDO_SCRIPT_NAMES: readonly string[] = Object.keys(S);

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

/** What one look saw (SudoFiles.look). */
export interface Look {
  stat: FileStat;
  parent?: FileStat;
  /** The content of a regular file small enough to be sent along. */
  content?: Buffer;
}

/**
 * The regular files of a GNU tar stream (name without the leading / -> content), or undefined when
 * the stream is not a whole archive. Other entries (links, FIFOs, devices: archived as what they are,
 * not read) are left out; a long name comes in a GNU 'L' entry before its file's header.
 */
export function regularFilesOfTar(tar: Buffer): Map<string, Buffer> | undefined {
  const files = new Map<string, Buffer>();
  const field = (h: Buffer, from: number, len: number) => {
    const b = h.subarray(from, from + len);
    const end = b.indexOf(0);
    return (end < 0 ? b : b.subarray(0, end)).toString('utf8');
  };
  let at = 0;
  let longName: string | undefined;
  for (;;) {
    if (at + 512 > tar.length) return undefined;
    const h = tar.subarray(at, at + 512);
    if (h.every((b) => b === 0)) return files;
    const sizeText = field(h, 124, 12).trim();
    if (!/^[0-7]+$/.test(sizeText)) return undefined;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (parseInt(field(h, 148, 8).trim(), 8) !== sum) return undefined;
    const size = parseInt(sizeText, 8);
    const type = String.fromCharCode(h[156]);
    const data = tar.subarray(at + 512, at + 512 + size);
    if (data.length !== size) return undefined;
    at += 512 + 512 * Math.ceil(size / 512);
    if (type === 'L') { longName = field(data, 0, size); continue; }
    const name = longName ?? field(h, 0, 100);
    longName = undefined;
    if (type === '0' || type === '\0') files.set(name, Buffer.from(data));
  }
}

/** find's %y letters. */
const TREE_TYPES: Record<string, FileStat['type']> = { f: 'file', d: 'directory', l: 'link' };

/** A stat line '%f %u %g %s %Y %i %h'; type undefined when the line is not one. */
function statFrom(line: string): FileStat {
  const f = line.split(' ');
  if (f.length !== 7 || !/^[0-9a-f]+$/.test(f[0]) || f.slice(1).some((x) => !/^\d+$/.test(x))) return { exists: true };
  const [rawMode, uid, gid, size, mtime, ino, nlink] = f;
  const mode = parseInt(rawMode, 16);
  return {
    exists: true, type: fileTypeOf(mode), mode: mode & 0o7777, uid: Number(uid), gid: Number(gid), size: Number(size),
    mtimeMs: Number(mtime) * 1000, ino: Number(ino), nlink: Number(nlink),
  };
}

export class SudoFiles implements FileOps {
  constructor(private readonly script: ScriptRunner) {}

  async readFile(p: string): Promise<Buffer | null> {
    const r = await this.script(S.read, [p]);
    if (r.rc === MISSING) return null;
    if (r.rc !== 0) throw fail(`read ${p}`, r);
    return r.stdout;
  }

  async checksum(p: string): Promise<string | null> {
    const r = await this.script(S.checksum, [p]);
    return checksumFrom(p, r.rc, r.stdout.toString('utf8'), r.stderr);
  }

  async stat(p: string): Promise<FileStat> {
    const r = await this.script(S.stat, [p]);
    if (r.rc === MISSING) return { exists: false };
    if (r.rc !== 0) throw fail(`stat ${p}`, r);
    const text = r.stdout.toString('utf8');
    const nl = text.indexOf('\n');
    const out = statFrom(text.slice(0, nl));
    if (out.type === 'link') out.linkTarget = text.slice(nl + 1).replace(/\n$/, '');
    return out;
  }

  /**
   * lstat of p and of `parent` (when given), and p's content when it is a
   * regular file of at most maxBytes, in one request. undefined when the
   * host's answer is not what was expected (the caller asks again, one by one).
   */
  async look(p: string, parent: string | undefined, maxBytes: number): Promise<Look | undefined> {
    const r = await this.script(S.look, [p, parent ?? '', String(maxBytes)]);
    if (r.rc !== 0) return undefined;
    const out = r.stdout;
    let at = 0;
    const line = (): string | undefined => {
      const nl = out.indexOf(10, at);
      if (nl < 0) return undefined;
      const l = out.subarray(at, nl).toString('utf8');
      at = nl + 1;
      return l;
    };
    const m = /^([01]) ([01])$/.exec(line() ?? '');
    if (!m) return undefined;
    const stat: FileStat = m[1] === '1' ? statFrom(line() ?? '') : { exists: false };
    const parentStat: FileStat | undefined = parent === undefined ? undefined : m[2] === '1' ? statFrom(line() ?? '') : { exists: false };
    if ((stat.exists && stat.type === undefined) || (parentStat?.exists && parentStat.type === undefined)) return undefined;
    const what = line();
    const rest = out.subarray(at);
    if (what === 'link') {
      if (stat.type !== 'link') return undefined;
      stat.linkTarget = rest.toString('utf8').replace(/\n$/, '');
      return { stat, parent: parentStat };
    }
    if (what === 'content') {
      // A file that changed size between the stat and the read, or is too large, is not kept.
      const content = stat.type === 'file' && rest.length === stat.size && rest.length <= maxBytes ? Buffer.from(rest) : undefined;
      return { stat, parent: parentStat, content };
    }
    if (what !== 'none') return undefined;
    return { stat, parent: parentStat };
  }

  /** lstat of each path in one request; undefined when the answer is not what was expected. */
  async stats(paths: string[]): Promise<FileStat[] | undefined> {
    const r = await this.script(S.stats, paths);
    if (r.rc !== 0) return undefined;
    const lines = r.stdout.toString('utf8').split('\n');
    const flags = lines[0] ?? '';
    if (flags.length !== paths.length || !/^[01]*$/.test(flags)) return undefined;
    let next = 1;
    const out: FileStat[] = [];
    for (const f of flags) {
      if (f === '0') { out.push({ exists: false }); continue; }
      const st = statFrom(lines[next++] ?? '');
      if (st.type === undefined) return undefined;
      out.push(st);
    }
    return next === lines.length - 1 && lines[next] === '' ? out : undefined;
  }

  /**
   * The first maxBytes+1 bytes of each path (regular files only), in one request: the content, or
   * undefined for a path whose read failed (a name swapped meanwhile). The caller checks the length
   * against the size it saw.
   */
  /**
   * The content of each regular file among `paths` (absolute, normal) of at most maxBytes, undefined for
   * one that is not (any more) such a file; undefined when the answer is not what was expected.
   */
  async reads(paths: string[], maxBytes: number): Promise<Array<Buffer | undefined> | undefined> {
    const boundary = randomBytes(16).toString('hex');
    // What a tar of these files can hold: each file's header, a long name's two blocks, its padded content; the end.
    const limit = paths.reduce((n, p) => n + 1024 + 512 * Math.ceil((Buffer.byteLength(p) + 1) / 512) + 512 * Math.ceil(maxBytes / 512), 1024);
    const r = await this.script(S.reads, [String(maxBytes), String(limit), boundary, ...paths]);
    if (r.rc !== 0) return undefined;
    const nl = r.stdout.indexOf(10);
    const how = r.stdout.subarray(0, nl).toString('utf8');
    const out = r.stdout.subarray(nl + 1);
    if (how === 'tar') {
      const files = regularFilesOfTar(out);
      return files && paths.map((p) => {
        const c = files.get(p.replace(/^\/+/, ''));
        return c && c.length <= maxBytes ? c : undefined;
      });
    }
    if (how !== 'dd') return undefined;
    const contents: Array<Buffer | undefined> = [];
    let at = 0;
    for (let i = 0; i < paths.length; i++) {
      const mark = out.indexOf(`\n${boundary} `, at);
      if (mark < 0) return undefined;
      const eol = out.indexOf(10, mark + 1);
      if (eol < 0) return undefined;
      const rc = out.subarray(mark + 2 + boundary.length, eol).toString('utf8');
      contents.push(rc === '0' ? Buffer.from(out.subarray(at, mark)) : undefined);
      at = eol + 1;
    }
    return at === out.length ? contents : undefined;
  }

  async writeFile(p: string, content: Buffer | ContentStream, opts: NumericWrite): Promise<void> {
    const temp = tempNameFor(p);
    const random = temp.slice(-'0123456789ab.tmp'.length, -'.tmp'.length);
    const args = [p, temp.slice(0, -'0123456789ab.tmp'.length), opts.mode === undefined ? '' : modeArg(opts.mode),
      opts.uid === -1 ? '' : String(opts.uid), opts.gid === -1 ? '' : String(opts.gid), String(contentSize(content))];
    const r = await this.script(S.write, args, prefixed(Buffer.from(random + '\n'), content));
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

  /** Every path below directory p with its lstat, parents before their children, names in sort() order. */
  async tree(p: string): Promise<Array<{ path: string; stat: FileStat }>> {
    const r = await this.script(S.tree, [p]);
    if (r.rc !== 0) throw fail(`readdir ${p}`, r);
    const f = r.stdout.toString('utf8').split('\0');
    if (f.length % 3 !== 1 || f[f.length - 1] !== '') throw new HostOperationError(`walk ${p}: unexpected answer from find`);
    const out: Array<{ rel: string[]; path: string; stat: FileStat }> = [];
    for (let i = 0; i + 2 < f.length; i += 3) {
      const m = /^([a-zA-Z]) ([0-7]+) (\d+) (\d+) (\d+) (-?\d+)(?:\.\d+)? (\d+) (\d+)$/.exec(f[i]);
      if (!m || f[i + 1] === '') throw new HostOperationError(`walk ${p}: unexpected answer from find`);
      const type = TREE_TYPES[m[1]] ?? 'other';
      out.push({
        rel: f[i + 1].split('/'), path: `${p.replace(/\/+$/, '')}/${f[i + 1]}`,
        stat: {
          exists: true, type, mode: parseInt(m[2], 8) & 0o7777, uid: Number(m[3]), gid: Number(m[4]), size: Number(m[5]),
          mtimeMs: Number(m[6]) * 1000, ino: Number(m[7]), nlink: Number(m[8]), ...(type === 'link' ? { linkTarget: f[i + 2] } : {}),
        },
      });
    }
    // The order of a walk by readdir (sorted names, depth first): find gives the directories' own order.
    const before = (a: string[], b: string[]) => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return a.length - b.length;
    };
    return out.sort((a, b) => before(a.rel, b.rel)).map(({ path, stat }) => ({ path, stat }));
  }

  async readdir(p: string): Promise<string[]> {
    const r = await this.script(S.readdir, [p]);
    if (r.rc !== 0) throw fail(`readdir ${p}`, r);
    return r.stdout.toString('utf8').split('\0').filter((n) => n !== '').sort();
  }
}
