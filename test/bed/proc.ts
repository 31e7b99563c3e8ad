// Process helpers for the test bed: argv only (never a shell string built
// from data), async for building and booting, sync for teardown (so that an
// exit handler can clean up before the process is gone).

import { spawn, spawnSync } from 'node:child_process';

export interface ProcResult {
  rc: number;
  stdout: string;
  stderr: string;
}

export interface ProcOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Stream output to this function as it comes (long builds). */
  onOutput?: (chunk: string) => void;
}

export class BedCommandError extends Error {
  constructor(readonly argv: string[], readonly result: ProcResult) {
    super(`command failed (rc ${result.rc}): ${argv.join(' ')}\n${tail(result.stderr || result.stdout, 20)}`);
    this.name = 'BedCommandError';
  }
}

export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Runs argv and resolves with its result, whatever the exit code. */
export function run(argv: string[], opts: ProcOptions = {}): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; opts.onOutput?.(d); });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; opts.onOutput?.(d); });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ rc: code ?? (signal ? 128 + 9 : 1), stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** Runs argv and throws BedCommandError unless it exits 0. */
export async function runOk(argv: string[], opts: ProcOptions = {}): Promise<ProcResult> {
  const r = await run(argv, opts);
  if (r.rc !== 0) throw new BedCommandError(argv, r);
  return r;
}

/** Synchronous run for teardown paths; never throws on a non-zero exit. */
export function runSync(argv: string[], input?: string): ProcResult {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  return { rc: r.status ?? (r.error ? 127 : 1), stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

export function runSyncOk(argv: string[], input?: string): ProcResult {
  const r = runSync(argv, input);
  if (r.rc !== 0) throw new BedCommandError(argv, r);
  return r;
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
