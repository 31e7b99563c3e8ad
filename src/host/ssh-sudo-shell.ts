// One privileged shell kept open on one exec channel, so that a command run
// through sudo costs a fork and an exec on the host instead of a new SSH
// session, a login shell and a sudo start (PAM, logging) each time.
//
// The shell runs a fixed script (SERVER below, plus fixed helper functions
// given by the caller); nothing from a request is ever part of script text.
// A request is data on the shell's stdin:
//
//   B\n               a random boundary for this request (32 hex digits)
//   K N\n             x = run argv, fI = run helper function I; N arguments follow
//   ARG\n  (N times)  each argument with \ written as \\ and newline as \n
//   LEN\n             byte count of the command's stdin, then exactly LEN bytes
//
// The command runs with stdin, stdout and stderr on files in a directory only
// root can read, so nothing it (or a process it leaves behind) prints reaches
// the protocol stream. The reply is `B RC\n`, stdout, `\nB\n`, stderr, `\nB\n`.
// B is new for each request and never on a command line, so no output can
// hold it by design (a file under a user's control, say). Requests on one
// shell run one at a time. A command costs one fork and exec, plus one `cat`
// when it printed anything; a helper function runs in a forked subshell (or, for the
// ones written for it, in the shell itself).
//
// Needs GNU coreutils' `head -c` (reads no further than asked).

import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import { contentSize, isContentStream, type ContentStream } from './content-stream.js';
import { commandLine, sudoWrap, uniqueToken, type BecomeSpec } from './ssh-command.js';
import { sudoReason } from './ssh-exec.js';

function serverScript(functions: string[], inShell: readonly number[]): string {
  const sub = functions.map((_, i) => i).filter((i) => !inShell.includes(i)).map((i) => `f${i}`);
  const own = inShell.map((i) => `f${i}`);
  return [
    'W=$(mktemp -d) || exit 1',
    "trap 'rm -rf -- \"$W\"' EXIT",
    "trap 'exit 1' HUP INT TERM PIPE",
    'c=0',
    ...functions.map((body, i) => `f${i}() {\n${body}\n}`),
    'while IFS= read -r B; do',
    '  IFS=" " read -r k n || exit 1',
    '  set --',
    '  while [ "$n" -gt 0 ]; do',
    '    IFS= read -r a || exit 1',
    // The x keeps a trailing newline that command substitution would drop.
    "    case $a in *\\\\*) a=$(printf '%bx' \"$a\"); a=${a%x} ;; esac",
    '    set -- "$@" "$a"',
    '    n=$((n - 1))',
    '  done',
    '  IFS= read -r len || exit 1',
    // New file names for every request: a process a command left running still writes to (or
    // reads from) the files it was given, never to a later command's. Old ones go now and then.
    '  c=$((c + 1))',
    '  if [ $((c % 64)) -eq 0 ]; then rm -f -- "$W"/[ioe]* || exit 1; fi',
    '  i=/dev/null o=$W/o$c e=$W/e$c',
    // Fewer bytes than announced: the channel ended mid-request (a sender that gave up on its
    // source closes it). Nothing runs with a cut stdin.
    '  if [ "$len" -gt 0 ]; then i=$W/i$c; head -c "$len" > "$i" || exit 1; [ "$(stat -c %s -- "$i")" = "$len" ] || exit 1; fi',
    '  case $k in',
    // exec: argv[0] is always a program, never one of this shell's builtins.
    '    x) (exec "$@") < "$i" > "$o" 2> "$e" ;;',
    // A helper function is one of our fixed scripts and leaves nothing running: its output goes
    // straight to the channel (no file, no `cat`), framed by the boundary it cannot know.
    ...(sub.length ? [`    ${sub.join('|')}) printf '%s -\\n' "$B"; ("$k" "$@") < "$i" 2> "$e" ;;`] : []),
    // A helper that neither exits, execs, changes directory nor sets anything but its own L_
    // variables runs in this shell: one fork fewer per request.
    ...(own.length ? [`    ${own.join('|')}) printf '%s -\\n' "$B"; "$k" "$@" < "$i" 2> "$e" ;;`] : []),
    '    *) exit 1 ;;',
    '  esac',
    '  rc=$?',
    // A file's content (a write) is not kept longer than its command needs it.
    '  if [ "$i" != /dev/null ]; then rm -f -- "$i" || exit 1; fi',
    '  if [ "$k" != x ]; then',
    "    printf '\\n%s %s\\n' \"$B\" \"$rc\"",
    '    if [ -s "$e" ]; then cat -- "$e" || exit 1; fi',
    "    printf '\\n%s\\n' \"$B\"",
    '    continue',
    '  fi',
    "  printf '\\n%s\\n' \"$B\" > \"$W/b\"",
    "  printf '%s %s\\n' \"$B\" \"$rc\"",
    '  if [ -s "$o" ] || [ -s "$e" ]; then cat -- "$o" "$W/b" "$e" "$W/b" || exit 1',
    "  else printf '\\n%s\\n\\n%s\\n' \"$B\" \"$B\"; fi",
    'done',
  ].join('\n');
}

export interface ShellReply { rc: number; stdout: Buffer; stderr: Buffer }

/** sudo refused to start the shell (wrong password, not allowed). */
export class ShellSudoFailure extends Error {}

/** The shell or its channel went away; what was running may or may not have finished. */
export class ShellGone extends Error {}

function encodeArg(a: string): string {
  if (a.includes('\0')) throw new Error('argument contains a NUL byte');
  return a.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** The request; for a streamed stdin only its head (the LEN bytes follow as they are read). */
export function encodeRequest(boundary: string, kind: string, argv: string[], stdin?: Buffer | ContentStream): Buffer {
  const len = stdin === undefined ? 0 : contentSize(stdin);
  const head = `${boundary}\n${kind} ${argv.length}\n${argv.map((a) => encodeArg(a) + '\n').join('')}${len}\n`;
  return len && !isContentStream(stdin) ? Buffer.concat([Buffer.from(head, 'utf8'), stdin!]) : Buffer.from(head, 'utf8');
}

interface Pending { boundary: string; resolve(r: ShellReply): void; reject(e: Error): void; timer?: NodeJS.Timeout }

export class SudoShell {
  private channel?: ClientChannel;
  private ready?: Promise<void>;
  /** What has arrived and is not yet part of a reply: store[0, len), grown by doubling (a large reply arrives in many chunks). */
  private store: Buffer = Buffer.alloc(0);
  private len = 0;
  /** Where the search for the end of the current reply's output goes on (what was searched holds no end). */
  private scanFrom = 0;
  private pending?: Pending;
  private gone?: Error;
  /** Requests waiting for this shell (including the one running). */
  queued = 0;
  /** When the request now running was sent (Date.now()), 0 when none runs. */
  runningSince = 0;
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * functions: fixed helper scripts (sh function bodies, $1... their arguments), called by index;
   * inShell: the indices of those that run in the shell itself instead of a subshell (see serverScript).
   */
  constructor(private readonly client: Client, private readonly become: BecomeSpec, private readonly prompt: string,
    private readonly startTimeoutMs: number, private readonly functions: string[] = [], private readonly inShell: readonly number[] = []) {}

  get dead(): boolean { return this.gone !== undefined; }

  /** sudo has started the shell (requests now cost only what they run). */
  get started(): boolean { return this.isStarted; }
  private isStarted = false;

  /** Runs argv; requests are queued behind each other. timeoutMs is a backstop that kills the shell. */
  run(argv: string[], stdin?: Buffer | ContentStream, timeoutMs?: number): Promise<ShellReply> {
    return this.enqueue('x', argv, stdin, timeoutMs);
  }

  /** Starts sudo and the shell now, ahead of the first request (a failure is that request's). */
  warm(): void {
    this.start().catch(() => {});
  }

  /** Runs helper function `index` with args. */
  call(index: number, args: string[], stdin?: Buffer | ContentStream): Promise<ShellReply> {
    if (!Number.isInteger(index) || index < 0 || index >= this.functions.length) throw new Error(`no helper function ${index}`);
    return this.enqueue(`f${index}`, args, stdin);
  }

  private enqueue(kind: string, argv: string[], stdin?: Buffer | ContentStream, timeoutMs?: number): Promise<ShellReply> {
    this.queued++;
    const p = this.tail.then(() => this.send(kind, argv, stdin, timeoutMs));
    this.tail = p.catch(() => {});
    return p.finally(() => { this.queued--; if (this.queued === 0) this.runningSince = 0; });
  }

  close(): void {
    this.fail(new ShellGone('closed'));
  }

  private async send(kind: string, argv: string[], stdin: Buffer | ContentStream | undefined, timeoutMs?: number): Promise<ShellReply> {
    await this.start();
    if (this.gone) throw this.gone;
    const boundary = randomBytes(16).toString('hex');
    const request = encodeRequest(boundary, kind, argv, stdin);
    this.runningSince = Date.now();
    const reply = new Promise<ShellReply>((resolve, reject) => {
      this.pending = { boundary, resolve, reject };
      if (timeoutMs) this.pending.timer = setTimeout(() => this.fail(new ShellGone(`no answer within ${timeoutMs} ms`)), timeoutMs);
      this.channel!.write(request);
    });
    if (isContentStream(stdin)) void this.stream(stdin);
    return reply;
  }

  /**
   * Sends a streamed stdin as it is read, as fast as the channel takes it.
   * The shell waits for the announced byte count: a source that fails or
   * gives another count ends the shell, so the request never runs.
   */
  private async stream(s: ContentStream): Promise<void> {
    const ch = this.channel!;
    let sent = 0;
    try {
      for await (const chunk of s.chunks()) {
        if (this.gone) return;
        sent += chunk.length;
        if (sent > s.size) throw new Error(`more than the ${s.size} bytes announced`);
        if (!ch.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => { ch.off('drain', done); ch.off('close', done); resolve(); };
            ch.on('drain', done);
            ch.on('close', done);
          });
        }
      }
      if (sent !== s.size) throw new Error(`${sent} bytes instead of the ${s.size} announced`);
    } catch (e) {
      this.fail(new ShellGone(`the content could not be sent: ${(e as Error).message}`));
    }
  }

  private fail(e: Error): void {
    if (!this.gone) this.gone = e;
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(this.gone);
    }
    try { this.channel?.close(); } catch { /* already closed */ }
  }

  private start(): Promise<void> {
    this.ready ??= new Promise<void>((resolve, reject) => {
      const marker = uniqueToken('shell');
      const command = commandLine(sudoWrap(['sh', '-c', serverScript(this.functions, this.inShell)], this.become, marker, this.prompt));
      this.client.exec(command, (err, ch) => {
        if (err) { this.gone = new ShellGone(`cannot open a channel: ${err.message}`); return reject(this.gone); }
        this.channel = ch;
        let started = false;
        let sudoText = '';
        let passwordSent = false;
        const timer = setTimeout(() => {
          if (!started) { this.gone = new ShellSudoFailure(`sudo did not start the shell within ${this.startTimeoutMs} ms`); reject(this.gone); ch.close(); }
        }, this.startTimeoutMs);
        const withPassword = this.become.password !== undefined;
        ch.stderr.on('data', (d: Buffer) => {
          if (started) return; // the server's own complaints; replies carry the commands' stderr
          sudoText += d.toString('utf8');
          if (sudoText.includes(marker + '\n')) {
            started = true;
            this.isStarted = true;
            clearTimeout(timer);
            resolve();
            return;
          }
          const prompts = sudoText.split(this.prompt).length - 1;
          if (/Sorry, try again|incorrect password/i.test(sudoText) || prompts > 1) {
            clearTimeout(timer);
            this.gone = new ShellSudoFailure(sudoReason(sudoText, this.prompt, true));
            reject(this.gone);
            ch.close();
          } else if (prompts === 1 && !passwordSent && withPassword) {
            passwordSent = true;
            ch.write(this.become.password + '\n');
          }
        });
        ch.on('data', (d: Buffer) => this.onData(d));
        ch.on('close', () => {
          clearTimeout(timer);
          if (!started) {
            this.gone = new ShellSudoFailure(sudoReason(sudoText, this.prompt, withPassword));
            reject(this.gone);
          }
          this.fail(new ShellGone('the privileged shell ended'));
        });
      });
    });
    return this.ready;
  }

  private append(d: Buffer): void {
    if (this.len + d.length > this.store.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.len + d.length, this.store.length * 2, 64 * 1024));
      this.store.copy(grown, 0, 0, this.len);
      this.store = grown;
    }
    d.copy(this.store, this.len);
    this.len += d.length;
  }

  /** Drops the first n bytes (a reply that was handed over). */
  private consume(n: number): void {
    this.store.copy(this.store, 0, n, this.len);
    this.len -= n;
    this.scanFrom = 0;
  }

  /** The first `pattern` at or after `from` in what arrived, searching on from where the last search of it stopped. */
  private findOutputEnd(pattern: Buffer, from: number): number {
    const buf = this.store.subarray(0, this.len);
    const at = buf.indexOf(pattern, Math.max(from, this.scanFrom));
    if (at < 0) this.scanFrom = Math.max(from, this.len - pattern.length + 1);
    return at;
  }

  private onData(d: Buffer): void {
    this.append(d);
    const buf = this.store.subarray(0, this.len);
    const p = this.pending;
    if (!p) {
      if (buf.length) this.fail(new ShellGone('output outside of a reply'));
      return;
    }
    const nl = buf.indexOf(10);
    if (nl < 0) return;
    const m = /^([0-9a-f]{32}) (\d+|-)$/.exec(buf.subarray(0, nl).toString('latin1'));
    if (!m || m[1] !== p.boundary) { this.fail(new ShellGone(`unexpected reply: ${buf.subarray(0, Math.min(nl, 200)).toString('utf8')}`)); return; }
    const sep = Buffer.from(`\n${p.boundary}\n`, 'latin1');
    let reply: ShellReply;
    let end: number;
    if (m[2] === '-') {
      // A helper's reply: its output, then the boundary with the exit status, its stderr, the boundary.
      const status = Buffer.from(`\n${p.boundary} `, 'latin1');
      const outEnd = this.findOutputEnd(status, nl + 1);
      if (outEnd < 0) return;
      const rcEnd = buf.indexOf(10, outEnd + status.length);
      if (rcEnd < 0) return;
      const rc = /^\d+$/.exec(buf.subarray(outEnd + status.length, rcEnd).toString('latin1'))?.[0];
      if (rc === undefined) { this.fail(new ShellGone('unexpected reply status')); return; }
      const errEnd = buf.indexOf(sep, rcEnd + 1);
      if (errEnd < 0) return;
      reply = { rc: Number(rc), stdout: Buffer.from(buf.subarray(nl + 1, outEnd)), stderr: Buffer.from(buf.subarray(rcEnd + 1, errEnd)) };
      end = errEnd + sep.length;
    } else {
      const outEnd = this.findOutputEnd(sep, nl + 1);
      if (outEnd < 0) return;
      const errEnd = buf.indexOf(sep, outEnd + sep.length);
      if (errEnd < 0) return;
      reply = { rc: Number(m[2]), stdout: Buffer.from(buf.subarray(nl + 1, outEnd)), stderr: Buffer.from(buf.subarray(outEnd + sep.length, errEnd)) };
      end = errEnd + sep.length;
    }
    this.consume(end);
    this.pending = undefined;
    clearTimeout(p.timer);
    p.resolve(reply);
  }
}
