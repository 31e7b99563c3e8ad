// `converge PLAYBOOK`: load, validate everything, then converge the hosts.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadPlaybook } from '../config/load-playbook.js';
import { preloadPlaybookFiles } from '../config/preload-files.js';
import { validatePlaybook, validatePlaybookYielding } from '../config/validate-playbook.js';
import { checkVarsSchema } from '../config/vars-schema.js';
import type { Playbook } from '../config/playbook-model.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { connectHost } from '../host/connect.js';
import type { Host } from '../host/host.js';
import { EarlyConnections } from './early-connect.js';
import { runPlaybook } from '../engine/run-playbook.js';
import type { Reporter } from '../engine/events.js';
import { ConsoleReporter } from '../output/console-reporter.js';
import { JsonReporter, TeeReporter } from '../output/json-reporter.js';
import { RedactingReporter } from '../output/redact.js';
import { noteSecretsOfRun } from '../output/secret-sources.js';
import { noteSecretVars, redactText } from '../output/redact.js';
import { printable } from '../output/printable.js';
import { UsageError } from '../config/errors.js';
import { exitCodeFor } from './exit-codes.js';
import { parseExtraVars } from './extra-vars.js';
import { manualRunGuard, stateDirOf, type RunGuardFactory, type StateDirOptions } from '../agent/run-guard.js';
import { PendingHandlerStore } from '../engine/pending-handlers.js';
import { WriteJournal } from '../engine/write-journal.js';
import type { Loaded, RunCliOptions } from './run-options.js';
import { trace, traceReporter, tracing } from '../host/host-trace.js';

export type { Loaded, RunCliOptions } from './run-options.js';

/** Everything that can be checked without a host; throws ConfigError(s) or UsageError. */
export function loadAndValidate(playbookFile: string, o: RunCliOptions): Loaded {
  const loaded = load(playbookFile, o);
  validate(loaded);
  return loaded;
}

function load(playbookFile: string, o: RunCliOptions): Loaded {
  const extraVars = parseExtraVars(o.extraVars ?? []);
  noteSecretVars(extraVars);
  const playbook = loadPlaybook(playbookFile);
  const inventory = loadInventory(o.inventory, playbook.dir);
  // Before validation: an error message that quotes a secret value is masked too.
  noteSecretsOfRun(playbook, inventory, extraVars);
  return { playbook, inventory, extraVars };
}

/**
 * load() for a run: the inventory first, so that the first play's connections start (`early`), then
 * the playbook's files read with pauses for them. The playbook's errors are still reported first.
 */
async function loadConnecting(playbookFile: string, o: RunCliOptions,
  early: (inventory: Loaded['inventory'], extraVars: Record<string, unknown>) => boolean): Promise<Loaded> {
  const extraVars = parseExtraVars(o.extraVars ?? []);
  noteSecretVars(extraVars);
  let inventory: Loaded['inventory'] | undefined;
  let inventoryError: unknown;
  try { inventory = loadInventory(o.inventory, path.dirname(path.resolve(playbookFile))); } catch (e) { inventoryError = e; }
  if (inventory && early(inventory, extraVars)) await preloadPlaybookFiles(playbookFile, turn);
  const playbook = loadPlaybook(playbookFile);
  if (inventoryError !== undefined) throw inventoryError;
  noteSecretsOfRun(playbook, inventory!, extraVars);
  return { playbook, inventory: inventory!, extraVars };
}

function validate({ playbook, inventory, extraVars }: Loaded): void {
  validatePlaybook(playbook, inventory, extraVars);
  checkVarsSchema(playbook.file, inventory, extraVars);
}

/** Lets the connections opened early take their next step (validation is synchronous work). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The loader's remarks (a module of another platform), on stderr, masked like every error. */
export function printWarnings(playbook: Playbook): void {
  for (const w of playbook.warnings ?? []) process.stderr.write(printable(redactText(`warning: ${w.located}\n`)));
}

export function useColor(opt: string | undefined, stream: NodeJS.WriteStream): boolean {
  if (opt === 'always') return true;
  if (opt === 'never') return false;
  if (opt !== undefined && opt !== 'auto') throw new UsageError(`--color must be auto, always or never, got '${opt}'`);
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return !!stream.isTTY;
}

export function parseList(s: string | undefined): string[] {
  return (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
}

export interface RunHooks {
  /** Extra reporters (the agent's history). */
  reporters?: Reporter[];
  stopRequested?: () => boolean;
  /** Lock and history around the run (src/agent/run-guard.ts); manual runs get manualRunGuard. */
  guard?: RunGuardFactory;
  /** Replaces the console/JSON reporter (the agent logs its own lines). */
  mainReporter?: Reporter;
}

export async function runCommand(playbookFile: string, o: RunCliOptions, hooks: RunHooks = {}): Promise<number> {
  const forks = o.forks === undefined ? 50 : Number(o.forks);
  if (!Number.isInteger(forks) || forks < 1) throw new UsageError(`--forks must be a positive whole number, got '${o.forks}'`);
  const connectOpts = { acceptNewHostKeys: o.acceptNewHostKeys, knownHostsFile: o.knownHostsFile, rememberObservations: true };
  const early = new EarlyConnections(connectOpts);
  // A bad --limit is reported after the playbook's own errors, as before.
  let limitFn: ((hosts: string[]) => string[]) | undefined;
  let limitError: unknown;
  try {
    const loaded = await loadConnecting(playbookFile, o, (inventory, extraVars) => {
      try { limitFn = limitOf(o.limit, inventory); } catch (e) { limitError = e; return false; }
      // accept-new records a new host's key when it connects: not before the playbook is known to be good.
      return !o.acceptNewHostKeys && early.start(playbookFile, inventory, extraVars, limitFn);
    });
    const { playbook, inventory, extraVars } = loaded;
    await turn();
    if (tracing) trace('-', 'validate', playbook.file);
    await validatePlaybookYielding(playbook, inventory, extraVars, turn);
    checkVarsSchema(playbook.file, inventory, extraVars);
    if (tracing) trace('-', 'validated', playbook.file);
    if (limitError !== undefined) throw limitError;
    await turn();
    return await runValidated(loaded, o, hooks, forks, limitFn, (name, vars) => early.take(name, connectHost(name, vars, connectOpts)));
  } finally {
    await early.close();
  }
}

function limitOf(limit: string | undefined, inventory: Loaded['inventory']): ((hosts: string[]) => string[]) | undefined {
  if (!limit) return undefined;
  const allowed = new Set(inventory.match(limit.replace(/,/g, ':')));
  if (allowed.size === 0 && !/^(localhost|127\.0\.0\.1)$/.test(limit)) throw new UsageError(`--limit '${limit}' matches no host in the inventory`);
  return (hosts) => hosts.filter((h) => allowed.has(h) || (h === 'localhost' && limit === 'localhost'));
}

async function runValidated(loaded: Loaded, o: RunCliOptions, hooks: RunHooks, forks: number,
  limitFn: ((hosts: string[]) => string[]) | undefined, connect: (name: string, vars: Record<string, unknown>) => Host): Promise<number> {
  const { playbook, inventory, extraVars } = loaded;
  if (!hooks.mainReporter) printWarnings(playbook);
  const check = !!o.check;
  const main: Reporter = hooks.mainReporter ?? (o.json
    ? new JsonReporter(playbook.file, check, process.stdout)
    : new ConsoleReporter({ color: useColor(o.color, process.stdout), verbose: o.verbose ?? 0, out: process.stdout, tty: !!process.stderr.isTTY }));

  const guard = await (hooks.guard ?? manualRunGuard)(loaded, o);
  const extra = [...(hooks.reporters ?? []), ...(guard?.reporters ?? []), ...(tracing ? [traceReporter()] : [])];
  // The one way out of a run for its events: console, --json, history and the agent's log all get them redacted.
  const reporter = new RedactingReporter(extra.length ? new TeeReporter([main, ...extra]) : main);
  // Pending handlers and the write journal live in the state directory when it is given
  // (--state-dir, CONVERGE_STATE_DIR) or exists (the agent made it); a run never creates
  // /var/lib/converge on its own.
  const sd = stateDirOf(o as StateDirOptions);
  const state = sd.explicit || existsSync(sd.dir) ? sd.dir : undefined;
  let stop = false;
  const onSignal = () => { stop = true; };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let outcome: { interrupted: boolean; exitCode?: number; error?: string } = { interrupted: false };
  try {
    const result = await runPlaybook(playbook, inventory, {
      check,
      diff: !!o.diff,
      tags: parseList(o.tags),
      skipTags: parseList(o.skipTags),
      extraVars,
      forks,
      verbosity: o.verbose ?? 0,
      connect,
      stopRequested: () => stop || (hooks.stopRequested?.() ?? false),
      // Notifications survive a failed or killed run: kept in the state directory until their handlers ran.
      pendingHandlers: state ? new PendingHandlerStore(state, playbook.file) : undefined,
      // Temp files of a write that a killed run never finished are swept when the host is next connected.
      writeJournal: state && !check ? new WriteJournal(state) : undefined,
    }, reporter, limitFn);
    const code = exitCodeFor(result.summary, result.interrupted, !!o.detailedExitcodes);
    outcome = { interrupted: result.interrupted, exitCode: code };
    return code;
  } catch (e) {
    outcome = { interrupted: false, error: e instanceof Error ? e.message : String(e) };
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    guard?.end(outcome);
  }
}
