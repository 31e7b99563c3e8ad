// Runs the built converge CLI as a real child process (the tests judge exit
// codes, output and what is left on disk, as an operator would).

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/reliability/x.js -> dist/src/cli/main.js */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult { rc: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Called once the child is spawned (to kill it, or to watch it with ps). */
  onSpawn?: (child: ChildProcess) => void;
  /** Own process group, so that kill(-pid) takes converge and its children together. */
  detached?: boolean;
  /** Runs converge's argv through a wrapper (strace). */
  wrap?: (argv: string[]) => string[];
}

export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const argv = o.wrap ? o.wrap([process.execPath, CLI, ...args]) : [process.execPath, CLI, ...args];
    const child = spawn(argv[0], argv.slice(1), {
      cwd: o.cwd,
      env: { ...process.env, NO_COLOR: '1', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: o.detached,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (rc, signal) => resolve({
      rc, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
    }));
    o.onSpawn?.(child);
  });
}

/** A temp dir for one test, under the reliability prefix; removed by the returned function. */
export function tempDir(tag: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cvg-rel-${tag}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every path under `root` (relative), depth first, sorted. */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = path.join(rel, n);
      out.push(r);
      if (fs.lstatSync(path.join(root, r)).isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

/** The repository (the folder with converge's package.json), found upwards from the compiled test. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj) && (JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: string }).name === 'converge') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('converge repository not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `work` for each item with at most `limit` at once. */
export async function eachLimited<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  }));
}
