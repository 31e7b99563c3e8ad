// A `converge agent` child process whose stderr log lines a test can wait
// for. Waits end on the line, on the process exiting, or on a generous guard
// timeout that only turns a hang into a failure (no assertion is timed).

import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../helpers/cli.js';

const GUARD_MS = 60_000;

export class AgentProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;
  private waiters: Array<() => void> = [];

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [CLI, 'agent', ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
      this.notify();
    };
    this.child.stderr!.on('data', onData);
    this.child.stdout!.on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        this.notify();
        resolve(this.exitCode);
      });
    });
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Index of the first line at or after `from` matching `re`; waits for it. */
  async waitFor(re: RegExp, from = 0): Promise<number> {
    const deadline = Date.now() + GUARD_MS;
    for (;;) {
      const i = this.lines.findIndex((l, k) => k >= from && re.test(l));
      if (i >= 0) return i;
      if (!this.running) throw new Error(`agent exited (${this.exitCode}) before logging ${re}:\n${this.lines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no line ${re} in the agent's log:\n${this.lines.join('\n')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  /** Sends a signal and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    // An agent that ignores the signal is killed so the test ends; -2 fails its exit-code assertion.
    const guard = setTimeout(() => { this.hung = true; this.child.kill('SIGKILL'); }, GUARD_MS);
    const code = await this.exited;
    clearTimeout(guard);
    return this.hung ? -2 : code;
  }

  private hung = false;

  log(): string {
    return this.lines.join('\n');
  }
}
