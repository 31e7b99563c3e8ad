// Runs the built converge CLI as a child process, as a user would.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// The bundle that `converge` runs as installed (scripts/bundle.mjs).
export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../converge.mjs');

export interface CliResult { code: number; stdout: string; stderr: string; json?: any }

export function converge(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', ...opts.env }, input: opts.input, encoding: 'utf8', timeout: 120_000,
  });
  const out: CliResult = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  if (args.includes('--json')) {
    try { out.json = JSON.parse(r.stdout); } catch { /* left undefined: the test says so */ }
  }
  return out;
}

/** A temp directory with the given files (relative path -> content). */
export function project(files: Record<string, string>, prefix = 'cvg-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}

/** (task number, status) pairs of one host in a --json report. */
export function statuses(json: any, host = 'localhost'): Array<[number, string]> {
  return (json?.hosts?.[host]?.tasks ?? []).map((t: any) => [t.task, t.status]);
}
