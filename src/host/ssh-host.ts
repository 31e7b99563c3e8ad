// A remote machine over SSH: one ssh2 connection for the whole run (opened on
// first use or by connect(), closed by close()), commands as exec channels,
// files over one SFTP session, or through fixed sudo helper scripts when the
// login user is not the user we become.

import * as posix from 'node:path/posix';
import type { Client, SFTPWrapper } from 'ssh2';
import { AccountCache } from './accounts.js';
import { type ContentStream, type FileContent } from './content-stream.js';
import { gatherFacts } from './facts.js';
import {
  ConnectionLostError, HostOperationError, HostUnreachableError,
  type CommandResult, type Facts, type FileStat, type Host, type Ownership, type RunOptions, type WriteOptions,
} from './host.js';
import { commandLine, sudoWrap, uniqueToken, withCwdEnv, type BecomeSpec } from './ssh-command.js';
import { openSshConnection, type SshTarget } from './ssh-connect.js';
import { execOnClient, type ExecOutcome } from './ssh-exec.js';
import type { FileOps } from './ssh-file-ops.js';
import { SftpFiles } from './ssh-sftp-files.js';
import { SUDO_IN_SHELL, SUDO_SCRIPT_NAMES, SUDO_SCRIPTS, SudoFiles, type Look } from './ssh-sudo-files.js';
import { trace, tracing } from './host-trace.js';
import { ShellSudoFailure, SudoShell, type ShellReply } from './ssh-sudo-shell.js';

export interface SshHostOptions extends SshTarget {
  /** Privilege escalation through sudo; absent = run as the login user. */
  become?: BecomeSpec;
  /** Keep stat/readFile results until something may change (see `observed`); off for hosts kept across runs. */
  rememberObservations?: boolean;
}

/**
 * sudo refused (wrong or missing password, not allowed): every later call on
 * this host fails the same way. Deliberately not a HostOperationError: it is
 * not a missing file that --check could explain by an earlier task.
 */
export class BecomeError extends Error {
  readonly code = 'EBECOME';
  constructor(public readonly host: string, message: string) {
    super(message);
    this.name = 'BecomeError';
  }
}

// OpenSSH's default MaxSessions is 10 per connection; SFTP holds one.
const MAX_CHANNELS = 8;
/** Privileged shells kept open per host: commands that overlap (a slow one and reads) get one each. */
const MAX_SHELLS = 4;
/** Files up to this size are remembered between reads (see `observed`). */
const REMEMBERED_FILE_BYTES = 1 << 20;
/** A look (see `look`) brings a regular file's content along up to this size. */
const LOOK_CONTENT_BYTES = 256 * 1024;
/** A request running for less than this is waited for rather than given a new privileged shell (see shell()). */
const SHORT_REQUEST_MS = 30;
/** At most this many paths (and parents) in one prefetch. */
const PREFETCH_PATHS = 400;
/** An absolute path without . or .. parts, doubled or trailing slashes, other than /. */
function normalPath(p: string): boolean {
  return p.startsWith('/') && posix.normalize(p) === p && p !== '/' && !p.endsWith('/');
}
/** A command's options here: the file helpers' stdin may be streamed. */
type ExecOptions = Omit<RunOptions, 'stdin'> & { stdin?: string | Buffer | ContentStream };

/** How often a command whose session sshd refused is tried again while others of ours are open. */
const SESSION_RETRIES = 40;

/**
 * sshd's answer to a session it will not open: over MaxSessions. With at most
 * MAX_CHANNELS of ours plus SFTP it was still seen under load (12 commands at
 * once), most likely a slot not yet freed just after one of ours closed.
 */
function sessionRefused(e: unknown): boolean {
  return e instanceof Error && /Channel open failure: open failed/.test(e.message);
}

export class SshHost implements Host {
  readonly kind = 'ssh' as const;
  readonly name: string;
  private client?: Client;
  private connecting?: Promise<Client>;
  private sftpPromise?: Promise<SFTPWrapper>;
  private filesPromise?: Promise<FileOps>;
  private lost?: ConnectionLostError;
  /** Counts connections: a dropped one's late events must not mark its successor lost (reconnect). */
  private generation = 0;
  private becomeFailure?: BecomeError;
  private closed = false;
  private active = 0;
  /** Channels open at once: MAX_CHANNELS, lowered when the server refuses sessions (a lower MaxSessions). */
  private channelLimit = MAX_CHANNELS;
  private waiting: Array<() => void> = [];
  private lostWaiters = new Set<(e: Error) => void>();
  private readonly accounts: AccountCache;
  private factsPromise?: Promise<Facts>;
  /** Whether commands and files go through sudo (become to a user other than the login user). */
  readonly viaSudo: boolean;
  private readonly sudoPrompt = `[${uniqueToken('sudo')}] `;
  private shells: SudoShell[] = [];
  /**
   * stat and readFile results since the last operation that could change
   * something (any command, any write): a task's plan and the next task's
   * often look at the same paths, and each look is a round trip.
   */
  private observed = new Map<string, Promise<unknown>>();
  /** Counts the changes begun and ended: a look that saw the host before one is not remembered after it. */
  private epoch = 0;

  constructor(private readonly opts: SshHostOptions) {
    this.name = opts.name;
    this.viaSudo = opts.become !== undefined && opts.become.user !== opts.user;
    this.accounts = new AccountCache({ readFile: (p) => this.readFile(p), run: (a) => this.run(a) }, true);
  }

  /** Where this host connects, for messages: user@host:port. */
  get address(): string {
    return `${this.opts.user}@${this.opts.host}:${this.opts.port}`;
  }

  /** Everything that decides where and as whom this host connects: equal targets are the same connection. */
  get target(): string {
    return JSON.stringify(this.opts);
  }

  /**
   * Starts the connection and, through sudo, the first privileged shell, without waiting for either:
   * the server's part (key exchange, the session's start, sudo) then overlaps the caller's own work.
   * A failure is met again, and reported, by the first operation.
   */
  prepare(): void {
    this.connection().then((c) => { if (this.viaSudo && !this.closed) this.shell(c).warm(); }, () => {});
  }

  /** Opens the connection now (otherwise the first operation does). HostUnreachableError on failure. */
  async connect(): Promise<void> {
    await this.connection();
  }

  private connection(): Promise<Client> {
    if (this.lost) return Promise.reject(this.lost);
    if (this.closed) return Promise.reject(new ConnectionLostError(this.name, `connection to ${this.address} was closed`));
    const gen = this.generation;
    if (!this.connecting && tracing) trace(this.name, 'connect', this.address);
    this.connecting ??= openSshConnection(this.opts).then((c) => {
      if (tracing) trace(this.name, 'connected', this.address);
      this.client = c;
      // Requests and answers are small and often pipelined: do not let Nagle hold them back.
      c.setNoDelay(true);
      // Start the SFTP session alongside whatever runs first: it costs a remote process start.
      if (!this.viaSudo) setImmediate(() => { this.sftp().catch(() => {}); });
      const onGone = (why: string) => {
        if (this.closed || this.lost || gen !== this.generation) return;
        this.lost = new ConnectionLostError(this.name, `connection to ${this.opts.host}:${this.opts.port} lost: ${why}`);
        for (const w of this.lostWaiters) w(this.lost);
        this.lostWaiters.clear();
      };
      c.on('error', (e: Error) => onGone(e.message.split('\n')[0]));
      c.on('close', () => onGone('closed by the remote side'));
      c.on('end', () => onGone('closed by the remote side'));
      return c;
    });
    return this.connecting;
  }

  /**
   * Runs an operation; if the connection drops meanwhile (or has dropped), the
   * result is a ConnectionLostError, whatever error the operation itself saw.
   */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.becomeFailure) throw this.becomeFailure;
    await this.connection();
    let off!: () => void;
    const lostP = new Promise<never>((_, reject) => {
      const w = (e: Error) => reject(e);
      this.lostWaiters.add(w);
      off = () => this.lostWaiters.delete(w);
    });
    try {
      return await Promise.race([fn(), lostP]);
    } catch (e) {
      if (e instanceof HostUnreachableError || e instanceof BecomeError) throw e;
      // ssh2 may fail pending requests just before it reports the close: give it a turn.
      await new Promise((r) => setImmediate(r));
      if (this.lost) throw this.lost;
      throw e;
    } finally {
      off();
    }
  }

  /**
   * Runs fn (which opens one channel) when fewer than channelLimit are open.
   * A refused session never ran anything, so it is tried again once another of
   * ours has closed; with none of ours open, the refusal is the answer.
   */
  private async channelSlot<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      while (this.active >= this.channelLimit) await new Promise<void>((r) => this.waiting.push(r));
      this.active++;
      try {
        return await fn();
      } catch (e) {
        const othersOpen = this.active - 1;
        if (!sessionRefused(e) || attempt >= SESSION_RETRIES || (othersOpen === 0 && attempt >= 2)) throw e;
        if (othersOpen > 0) this.channelLimit = Math.max(1, Math.min(this.channelLimit, othersOpen));
      } finally {
        this.active--;
        this.waiting.shift()?.();
      }
      await new Promise((r) => setTimeout(r, Math.min(200, 10 * (attempt + 1))));
    }
  }

  /** Runs argv (as the become user when set) and returns raw bytes. */
  private async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecOutcome> {
    return this.guard(async () => {
      const client = await this.connection();
      // The remote side enforces the time limit: OpenSSH does not deliver signal requests
      // to root logins ("session signalling requires privilege separation").
      const limited = opts.timeoutMs ? ['timeout', '-k', '2', (opts.timeoutMs / 1000).toFixed(3), ...argv] : argv;
      const full = withCwdEnv(limited, opts);
      const t0 = Date.now();
      if (this.viaSudo) {
        try {
          return await this.execInShell(client, full, opts);
        } finally {
          if (tracing) trace(this.name, 'shell-run', full.join(' '), t0);
        }
      }
      if (tracing) trace(this.name, 'exec', full.join(' '));
      const outcome = await this.channelSlot(() => execOnClient(client, {
        command: commandLine(full),
        stdin: opts.stdin,
        // Backstop for a remote without a working `timeout`.
        timeoutMs: opts.timeoutMs ? opts.timeoutMs + 5000 : undefined,
      }).catch((e: Error) => {
        throw new HostOperationError(`cannot start a command on ${this.address}: ${e.message}`);
      }));
      // timeout(1): 124 after TERM, 137 when it had to KILL. LocalHost says 124 for both.
      if (opts.timeoutMs && outcome.rc === 137) outcome.rc = 124;
      if (outcome.noExitStatus) {
        await new Promise((r) => setImmediate(r));
        if (this.lost) throw this.lost;
      }
      return outcome;
    });
  }

  /**
   * An idle privileged shell, a new one while there are fewer than MAX_SHELLS, else the least busy.
   * While a shell is still starting (sudo), requests queue on it instead of starting more: a sudo
   * start costs far more than the short requests queued behind it (the facts' three at once).
   */
  private shell(client: Client): SudoShell {
    this.shells = this.shells.filter((s) => !s.dead);
    const idle = this.shells.find((s) => s.queued === 0);
    if (idle) return idle;
    const starting = this.shells.find((s) => !s.started);
    if (starting) return starting;
    // A shell whose one request began moments ago is about to be free: most requests take a few
    // milliseconds, a new shell's session and sudo far more. Long commands still get shells of their own.
    const briefly = this.shells.find((s) => s.queued === 1 && s.runningSince > 0 && Date.now() - s.runningSince < SHORT_REQUEST_MS);
    if (briefly) return briefly;
    if (this.shells.length < MAX_SHELLS) {
      const s = new SudoShell(client, this.opts.become!, this.sudoPrompt, this.opts.connectTimeoutMs, [...SUDO_SCRIPTS], SUDO_IN_SHELL);
      if (tracing) trace(this.name, 'shell-start', String(this.shells.length + 1));
      this.shells.push(s);
      return s;
    }
    return this.shells.reduce((a, b) => (b.queued < a.queued ? b : a));
  }

  /** A helper script of SudoFiles, run as the shell's function of that script. */
  private helper(script: string, args: string[], stdin?: Buffer | ContentStream): Promise<ExecOutcome> {
    return this.guard(async () => {
      const client = await this.connection();
      const index = SUDO_SCRIPTS.indexOf(script);
      if (index < 0) throw new Error('not one of the helper scripts');
      const t0 = Date.now();
      try {
        return await this.execInShell(client, [], {}, (sh) => sh.call(index, args, stdin));
      } finally {
        if (tracing) trace(this.name, 'helper', `${SUDO_SCRIPT_NAMES[index]} ${args.join(' ')}`, t0);
      }
    });
  }

  private async execInShell(client: Client, argv: string[], opts: ExecOptions,
    how?: (sh: SudoShell) => Promise<ShellReply>): Promise<ExecOutcome> {
    const stdin = typeof opts.stdin === 'string' ? Buffer.from(opts.stdin, 'utf8') : opts.stdin;
    const sh = this.shell(client);
    try {
      const r = await (how ? how(sh) : sh.run(argv, stdin, opts.timeoutMs ? opts.timeoutMs + 5000 : undefined));
      return { rc: opts.timeoutMs && r.rc === 137 ? 124 : r.rc, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      if (e instanceof ShellSudoFailure) {
        this.becomeFailure ??= new BecomeError(this.name, `become ${this.opts.become!.user} on ${this.address}: ${e.message}`);
        throw this.becomeFailure;
      }
      await new Promise((r) => setImmediate(r));
      if (this.lost) throw this.lost;
      // The backstop fired: the command outlived its time limit and took its shell with it.
      if (opts.timeoutMs && /no answer within/.test((e as Error).message)) return { rc: 124, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
      throw new HostOperationError(`command on ${this.address} through sudo: ${(e as Error).message}`);
    }
  }

  /** What was observed is forgotten when something may change: before the change and after it. */
  private async changing<T>(fn: () => Promise<T>): Promise<T> {
    this.observed.clear();
    this.epoch++;
    try {
      return await fn();
    } finally {
      this.observed.clear();
      this.epoch++;
    }
  }

  private remembered<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (!this.opts.rememberObservations) return fn();
    let p = this.observed.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      this.observed.set(key, p);
      // A failed look (connection trouble) is not remembered.
      p.catch(() => { if (this.observed.get(key) === p) this.observed.delete(key); });
    }
    return p;
  }

  remember<T>(key: string, observe: () => Promise<T>): Promise<T> {
    return this.remembered(`task:${key}`, observe);
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<CommandResult> {
    if (argv.length === 0) return { rc: 127, stdout: '', stderr: 'empty command' };
    const o = opts.observeOnly ? await this.exec(argv, opts) : await this.changing(() => this.exec(argv, opts));
    return { rc: o.rc, stdout: o.stdout.toString('utf8'), stderr: o.stderr.toString('utf8') };
  }

  private sftp(): Promise<SFTPWrapper> {
    this.sftpPromise ??= this.connection().then((c) => new Promise<SFTPWrapper>((resolve, reject) => {
      c.sftp((err, s) => (err ? reject(new HostOperationError(`cannot open SFTP on ${this.address}: ${err.message}`)) : resolve(s)));
    }));
    return this.sftpPromise;
  }

  private files(): Promise<FileOps> {
    // Helper scripts run through exec(), hence through sudo when viaSudo.
    const helpers = () => new SudoFiles(async (script, args, stdin) => {
      const o = this.viaSudo ? await this.helper(script, args, stdin) : await this.exec(['sh', '-c', script, 'sh', ...args], { stdin });
      return { rc: o.rc, stdout: o.stdout, stderr: o.stderr.toString('utf8') };
    });
    this.filesPromise ??= this.viaSudo
      ? Promise.resolve(helpers())
      // A server without an SFTP subsystem still gets files, one command per operation.
      : this.sftp().then((s) => new SftpFiles(s, (argv) => this.run(argv), (argv) => this.run(argv, { observeOnly: true })), (e) => {
        if (this.lost) throw this.lost;
        if (e instanceof HostUnreachableError) throw e;
        return helpers();
      });
    return this.filesPromise;
  }

  private async onFiles<T>(fn: (f: FileOps) => Promise<T>): Promise<T> {
    return this.guard(async () => fn(await this.files()));
  }

  private ids(own: Ownership): Promise<{ uid: number; gid: number }> {
    return this.accounts.ids(own);
  }

  async readFile(path: string): Promise<Buffer | null> {
    // A copy each time: the caller may change the buffer it gets.
    const key = `read:${path}`;
    const b = await this.remembered(key, async () => {
      const l = await this.look(path);
      if (l && !l.stat.exists) return null;
      return l?.content ?? this.onFiles((f) => f.readFile(path));
    });
    // Large files are not kept: memory, and they are rarely read twice.
    if (b && b.length > REMEMBERED_FILE_BYTES) this.observed.delete(key);
    return b === null ? null : Buffer.from(b);
  }

  async stat(path: string): Promise<FileStat> {
    return { ...(await this.remembered(`stat:${path}`, async () => (await this.look(path))?.stat ?? this.onFiles((f) => f.stat(path)))) };
  }

  /**
   * Through sudo, in a run that remembers: one request sees a path, its parent
   * directory and (a small regular file) its content, since a task that looks
   * at one usually looks at the others next (copy, template, lineinfile:
   * the file, then its directory, then its content). What it saw besides the
   * path itself is remembered unless something changed meanwhile.
   * undefined where looks are not made this way (the caller asks as before).
   */
  private look(path: string): Promise<Look | undefined> {
    if (!this.viaSudo || !this.opts.rememberObservations) return Promise.resolve(undefined);
    const key = `look:${path}`;
    const known = this.observed.get(key) as Promise<Look | undefined> | undefined;
    if (known) return known;
    const parent = normalPath(path) && !this.observed.has(`stat:${posix.dirname(path)}`) ? posix.dirname(path) : undefined;
    const epoch = this.epoch;
    const p = this.onFiles((f) => (f as SudoFiles).look(path, parent, LOOK_CONTENT_BYTES)).then((l) => {
      // Something changed on the host since the look began: only the caller's own answer is used.
      if (!l || epoch !== this.epoch) return l;
      if (l.parent && l.parent.type !== 'link' && parent !== undefined && !this.observed.has(`stat:${parent}`)) {
        this.observed.set(`stat:${parent}`, Promise.resolve(l.parent));
      }
      if (!this.observed.has(`stat:${path}`)) this.observed.set(`stat:${path}`, Promise.resolve(l.stat));
      if (!this.observed.has(`read:${path}`) && (l.content || (!l.stat.exists))) {
        this.observed.set(`read:${path}`, Promise.resolve(l.content ?? null));
      }
      return l;
    });
    this.observed.set(key, p);
    p.catch(() => { if (this.observed.get(key) === p) this.observed.delete(key); });
    return p;
  }

  /**
   * Through sudo, in a run that remembers: the lstat of every path and its parent directory in one
   * request, then the content of the small regular files among the paths in a second one, remembered
   * as stat and readFile would remember them (links are left to look, which brings their target).
   * Nothing is kept if something changed on the host meanwhile; a failure only means the tasks ask
   * for themselves.
   */
  async prefetch(paths: string[]): Promise<void> {
    if (!this.viaSudo || !this.opts.rememberObservations) return;
    // The account files: owner and group names of the tasks' files are looked up in them.
    const asked = new Set([...paths, '/etc/passwd', '/etc/group'].filter(normalPath));
    const want = new Set<string>();
    for (const p of asked) {
      for (const q of [p, posix.dirname(p)]) if (q !== '/' && !this.observed.has(`stat:${q}`)) want.add(q);
    }
    const list = [...want].slice(0, PREFETCH_PATHS);
    if (!list.length) return;
    const epoch = this.epoch;
    const stats = await this.onFiles((f) => (f as SudoFiles).stats(list)).catch(() => undefined);
    if (!stats || epoch !== this.epoch) return;
    const small: string[] = [];
    const sizes = new Map<string, number>();
    const seen = new Map(list.map((p, i) => [p, stats[i]]));
    // Content only under directories seen as directories: a link among them leads elsewhere.
    const plainDirs = (p: string) => {
      for (let d = posix.dirname(p); d !== '/'; d = posix.dirname(d)) if (seen.has(d) && seen.get(d)!.type !== 'directory') return false;
      return true;
    };
    list.forEach((p, i) => {
      const st = stats[i];
      if (st.type === 'link' || this.observed.has(`stat:${p}`)) return;
      this.observed.set(`stat:${p}`, Promise.resolve(st));
      if (!st.exists) {
        if (!this.observed.has(`read:${p}`)) this.observed.set(`read:${p}`, Promise.resolve(null));
      } else if (st.type === 'file' && asked.has(p) && plainDirs(p) && (st.size ?? Infinity) <= LOOK_CONTENT_BYTES && !this.observed.has(`read:${p}`)) {
        small.push(p);
        sizes.set(p, st.size!);
      }
    });
    if (!small.length) return;
    const contents = await this.onFiles((f) => (f as SudoFiles).reads(small, LOOK_CONTENT_BYTES)).catch(() => undefined);
    if (!contents || epoch !== this.epoch) return;
    small.forEach((p, i) => {
      const c = contents[i];
      // Another size than the stat saw: the file changed between the two requests; the task reads it itself.
      if (c && c.length === sizes.get(p) && !this.observed.has(`read:${p}`)) this.observed.set(`read:${p}`, Promise.resolve(c));
    });
  }

  async checksum(path: string): Promise<string | null> {
    return this.remembered(`sum:${path}`, () => this.onFiles((f) => f.checksum(path)));
  }

  async writeFile(path: string, content: FileContent, opts: WriteOptions = {}): Promise<void> {
    const { uid, gid } = await this.ids(opts);
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    return this.changing(() => this.onFiles((f) => f.writeFile(path, data, { mode: opts.mode, uid, gid })));
  }

  mkdir(path: string, mode = 0o755): Promise<void> { return this.changing(() => this.onFiles((f) => f.mkdir(path, mode))); }
  chmod(path: string, mode: number): Promise<void> { return this.changing(() => this.onFiles((f) => f.chmod(path, mode))); }

  async chown(path: string, own: Ownership): Promise<void> {
    const { uid, gid } = await this.ids(own);
    return this.changing(() => this.onFiles((f) => f.chown(path, uid, gid)));
  }

  symlink(target: string, path: string): Promise<void> { return this.changing(() => this.onFiles((f) => f.symlink(target, path))); }
  link(target: string, path: string): Promise<void> { return this.changing(() => this.onFiles((f) => f.link(target, path))); }
  remove(path: string): Promise<void> { return this.changing(() => this.onFiles((f) => f.remove(path))); }
  readdir(path: string): Promise<string[]> { return this.onFiles((f) => f.readdir(path)); }

  /** Through sudo only (over SFTP a walk is one request per path anyway). */
  async statTree(path: string): Promise<Array<{ path: string; stat: FileStat }> | undefined> {
    if (!this.viaSudo) return undefined;
    return this.onFiles((f) => (f as SudoFiles).tree(path));
  }

  uidOf(user: string) { return this.accounts.uidOf(user); }
  gidOf(group: string) { return this.accounts.gidOf(group); }
  userName(uid: number) { return this.accounts.nameOf('passwd', uid); }
  groupName(gid: number) { return this.accounts.nameOf('group', gid); }

  facts(): Promise<Facts> {
    this.factsPromise ??= gatherFacts(this);
    return this.factsPromise;
  }

  async reconnect(): Promise<void> {
    const old = this.client;
    this.generation++;
    for (const s of this.shells) s.close();
    this.shells = [];
    this.client = undefined; this.connecting = undefined; this.sftpPromise = undefined; this.filesPromise = undefined;
    this.lost = undefined; this.factsPromise = undefined;
    this.observed.clear();
    this.epoch++;
    try { old?.end(); } catch { /* already gone */ }
    await this.connect();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.shells) s.close();
    const c = this.client ?? (this.connecting ? await this.connecting.catch(() => undefined) : undefined);
    if (!c) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      c.once('close', () => { clearTimeout(t); resolve(); });
      c.end();
    });
  }
}
