// What the package module needs from a package manager: one query for the
// installed versions of all names, one for the available upgrades, and one
// transaction each for install, upgrade and remove. Every command is
// non-interactive and runs with LC_ALL=C so its output can be parsed.

import type { CommandResult, Host } from '../../src/host/host.js';
import { TaskFailedError } from '../../src/engine/module.js';
import type { ManagerName, PackageParams } from './params.js';

export interface PackageBackend {
  readonly manager: ManagerName;
  /** name -> installed version ("1.0-1.noarch"); names that are not installed are absent. */
  installed(names: string[]): Promise<Map<string, string>>;
  /** name -> newer available version, for installed names that have one. */
  upgrades(names: string[]): Promise<Map<string, string>>;
  /**
   * --check only: resolve installing `names` without doing it, so that a name
   * that does not exist fails in the dry run with the manager's own words.
   */
  simulateInstall(names: string[]): Promise<void>;
  /** Installs missing names and upgrades `upgrade` names (one transaction where the manager allows). */
  install(missing: string[], upgrade: string[]): Promise<void>;
  remove(names: string[]): Promise<void>;
  /** Whether update_cache should refresh now (apt honours cache_valid_time). */
  cacheStale(): Promise<boolean>;
  refreshCache(): Promise<void>;
  /** A root that must be created before anything can be installed into it (apt: debootstrap). */
  needsBootstrap?(): Promise<boolean>;
  bootstrap?(names: string[]): Promise<void>;
}

export interface BackendContext {
  host: Host;
  params: PackageParams;
  root?: string;
  progress(message: string): void;
}

export const C_LOCALE = { LC_ALL: 'C', LANG: 'C' };

/** The last lines of a failed command's output, the way the manager said it. */
export function managerText(r: CommandResult, lines = 25): string {
  const text = [r.stderr.trim(), r.stdout.trim()].filter(Boolean).join('\n');
  const all = text.split('\n').filter((l) => l.trim() !== '');
  return all.slice(-lines).join('\n') || '(no output)';
}

export function failed(what: string, argv: string[], r: CommandResult): TaskFailedError {
  return new TaskFailedError(`${what} failed (${argv[0]} rc ${r.rc}):\n${managerText(r)}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr, cmd: argv });
}

/** Runs a command that must succeed; rc values in `ok` count as success. */
export async function runOk(ctx: BackendContext, what: string, argv: string[], ok: number[] = [0], env: Record<string, string> = {}): Promise<CommandResult> {
  const r = await ctx.host.run(argv, { env: { ...C_LOCALE, ...env } });
  if (r.rc === 127) throw new TaskFailedError(`${argv[0]} is not installed on ${ctx.host.name}: ${r.stderr.trim()}`);
  if (!ok.includes(r.rc)) throw failed(what, argv, r);
  return r;
}
