// Every program a process tree executes, with its exact argv, from strace's
// execve log: the proof that no command other than the intended ones ran.

import * as fs from 'node:fs';

export interface Exec { pid: number; path: string; argv: string[] }

/** Decodes one C-escaped string as strace prints it (\n, \", \\, \ooo octal, \xhh). */
function unescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') { bytes.push(...Buffer.from(c, 'utf8')); continue; }
    const n = s[++i];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, '"': 34, '\\': 92, a: 7, b: 8 };
    if (n in simple) bytes.push(simple[n]);
    else if (n === 'x') { bytes.push(parseInt(s.slice(i + 1, i + 3), 16)); i += 2; }
    else if (/[0-7]/.test(n)) {
      let j = i;
      while (j < i + 3 && /[0-7]/.test(s[j])) j++;
      bytes.push(parseInt(s.slice(i, j), 8));
      i = j - 1;
    } else bytes.push(...Buffer.from(n, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

const STRING = /"((?:[^"\\]|\\.)*)"/g;

/**
 * The lines of an strace -f log with split calls joined again: a call
 * interrupted by another process's output is printed as
 * "PID name(... <unfinished ...>" and later "PID <... name resumed>...".
 */
export function straceLines(file: string): string[] {
  const pending = new Map<string, string>();
  const lines: string[] = [];
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const u = /^(\d+)\s+(.*) <unfinished \.\.\.>$/.exec(raw);
    if (u) { pending.set(u[1], `${u[1]} ${u[2]}`); continue; }
    const r = /^(\d+)\s+<\.\.\. \w+ resumed>(.*)$/.exec(raw);
    if (r && pending.has(r[1])) { lines.push(pending.get(r[1])! + r[2]); pending.delete(r[1]); continue; }
    lines.push(raw);
  }
  return lines;
}

/** Successful execve calls of an `strace -f -e trace=execve -s N -o FILE` log. */
export function parseExecLog(file: string): Exec[] {
  const out: Exec[] = [];
  const lines = straceLines(file);
  for (const line of lines) {
    const m = /^(\d+)\s+execve\((".*?(?<!\\)"), \[(.*)\], .*\)\s+=\s+0$/.exec(line);
    if (!m) continue;
    if (/\]\.\.\./.test(m[3]) || /"\.\.\./.test(m[3])) throw new Error(`strace abbreviated an argv (raise -s): ${line}`);
    const argv = [...m[3].matchAll(STRING)].map((x) => unescape(x[1]));
    out.push({ pid: Number(m[1]), path: unescape(m[2].slice(1, -1)), argv });
  }
  return out;
}

/** argv for running `argv` under strace, logging to `log`. */
export function straced(log: string, argv: string[]): string[] {
  return ['strace', '-f', '-qq', '-e', 'trace=execve', '-e', 'signal=none', '-s', '65535', '-o', log, '--', ...argv];
}

export function programOf(e: Exec): string {
  return e.path.split('/').pop()!;
}
