// Turning an argv into the one string an SSH exec request carries. The remote
// sshd hands that string to the login user's shell (`$SHELL -c STRING`), so
// every argument is single-quoted: inside single quotes a POSIX shell gives no
// character a meaning, and a single quote itself is written as '\''.
// (Assumes a POSIX login shell; csh/fish users are not supported.)

import { randomBytes } from 'node:crypto';
import type { RunOptions } from './host.js';

export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('argument contains a NUL byte');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Changes directory inside the command itself (a fixed script; the directory is $1). */
const CD_SCRIPT = 'cd -- "$1" || exit 1; shift; exec "$@"';

/** Wraps argv so that cwd and env apply, whatever runs it (shell, sudo). */
export function withCwdEnv(argv: string[], opts: Pick<RunOptions, 'cwd' | 'env'> = {}): string[] {
  let out = argv;
  if (opts.cwd !== undefined) out = ['sh', '-c', CD_SCRIPT, 'sh', opts.cwd, ...out];
  if (opts.env && Object.keys(opts.env).length) {
    const assigns = Object.entries(opts.env).map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment variable name: ${k}`);
      return `${k}=${v}`;
    });
    out = ['env', ...assigns, ...out];
  }
  return out;
}

export interface BecomeSpec {
  user: string;
  password?: string;
}

/**
 * sudo around argv. A fixed `sh -c` prints a marker on stderr once sudo has let
 * the command start: everything before the marker is sudo's own talk (prompt,
 * "Sorry, try again", lecture), everything after belongs to the command, and no
 * marker at all means sudo refused. The prompt is unique so it can be recognised.
 */
export function sudoWrap(argv: string[], become: BecomeSpec, marker: string, prompt: string): string[] {
  const auth = become.password !== undefined ? ['-S', '-p', prompt] : ['-n'];
  return ['sudo', '-H', ...auth, '-u', become.user, '--',
    'sh', '-c', 'printf "%s\\n" "$0" >&2; exec "$@"', marker, ...argv];
}

export function uniqueToken(kind: string): string {
  return `converge-${kind}-${randomBytes(8).toString('hex')}`;
}
