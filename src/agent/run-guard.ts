// What surrounds a converge run that changes hosts: the state directory's
// lock (so that the agent and a person never converge at once) and the
// history record. runCommand calls a guard once the playbook is valid and
// before any host is contacted; the agent passes its own, a manual run gets
// manualRunGuard.

import { existsSync, lstatSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Reporter } from '../engine/events.js';
import type { Loaded, RunCliOptions } from '../cli/run-options.js';
import { UsageError } from '../config/errors.js';
import { acquireLock, LockBusyError, type LockOptions } from './lock.js';
import { fingerprint } from './fingerprint.js';
import { HistoryRecorder } from './history-recorder.js';
import { redactDeep } from '../output/redact.js';
import { ensurePrivateDir } from '../state/atomic-file.js';
import { describeFsError, StateWriteError } from '../state/state-write-error.js';

const stderrLine = (m: string) => { process.stderr.write(m + '\n'); };
import { appendHistory, HISTORY_FILE, readState, STATE_FILE, updateState, writeFileAtomic, type HistoryRecord } from './history-store.js';

export const DEFAULT_STATE_DIR = '/var/lib/converge';
/** Written when an agent starts: what it runs, for `converge status`, and the sign that manual runs must lock. */
export const AGENT_FILE = 'agent.json';

export interface AgentInfo {
  pid: number;
  /** Kernel start time of the agent process, to tell a reused pid apart. */
  startTicks: number | null;
  started: string;
  playbook: string;
  schedule: string;
  splay: number;
  check_only: boolean;
}

export function writeAgentInfo(dir: string, info: AgentInfo): void {
  ensurePrivateDir(dir);
  writeFileAtomic(path.join(dir, AGENT_FILE), JSON.stringify(info, null, 1) + '\n');
}

export function readAgentInfo(dir: string): AgentInfo | null {
  try {
    return JSON.parse(readFileSync(path.join(dir, AGENT_FILE), 'utf8')) as AgentInfo;
  } catch {
    return null;
  }
}

/** Options the run and agent commands add to RunCliOptions. */
export interface StateDirOptions {
  stateDir?: string;
  waitLock?: boolean;
}

export interface RunOutcome {
  interrupted: boolean;
  exitCode?: number;
  /** The run ended with an unexpected error. */
  error?: string;
}

export interface RunGuard {
  /** Extra reporters for the run (the history recorder). */
  reporters: Reporter[];
  /** Called exactly once when the run is over, also after an exception: writes the record, releases the lock. */
  end(outcome: RunOutcome): void;
}

export type RunGuardFactory = (loaded: Loaded, o: RunCliOptions) => Promise<RunGuard | undefined>;

export function stateDirOf(o: StateDirOptions): { dir: string; explicit: boolean } {
  const given = o.stateDir ?? process.env.CONVERGE_STATE_DIR;
  return { dir: path.resolve(given || DEFAULT_STATE_DIR), explicit: !!given };
}

export interface GuardSettings {
  dir: string;
  source: 'agent' | 'manual';
  check: boolean;
  lock: LockOptions;
  skippedTicks?: number;
  onRecord?: (r: HistoryRecord) => void;
}

/** A state file that is a link (or not a file) was planted: appending through it would write elsewhere as root. */
function refuseLinkedStateFiles(dir: string): void {
  for (const name of [HISTORY_FILE, STATE_FILE]) {
    let st;
    try { st = lstatSync(path.join(dir, name)); } catch { continue; }
    if (!st.isFile()) {
      throw new StateWriteError(`${path.join(dir, name)} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}: converge does not write its state through it; nothing was run. Remove it (and find out who made it)`);
    }
  }
}

/** Takes the lock (waiting, failing or throwing LockBusyError per `lock`) and prepares the history record. */
export async function lockAndRecord(loaded: Loaded, o: RunCliOptions, s: GuardSettings): Promise<RunGuard> {
  let lock;
  try {
    lock = await acquireLock(s.dir, s.lock);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new UsageError(`cannot take the converge lock in ${s.dir} (${code}): run as root or choose another --state-dir`);
    }
    if (code === 'EPERM_OWNER') throw new UsageError((e as Error).message);
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO') {
      throw new StateWriteError(`cannot take the converge lock in ${s.dir}: ${describeFsError(e)}; nothing was run (a run that cannot be recorded is not started): free space in ${s.dir}`);
    }
    throw e;
  }
  try {
    refuseLinkedStateFiles(s.dir);
    const fp = fingerprint({
      playbookFiles: loaded.playbook.files,
      inventoryFiles: loaded.inventory.files,
      extraVars: loaded.extraVars,
      selection: { tags: o.tags, skipTags: o.skipTags },
    });
    const recorder = new HistoryRecorder({
      playbook: loaded.playbook, inventoryFiles: loaded.inventory.files.map((f) => path.resolve(f)), fingerprint: fp,
      baseline: readState(s.dir), check: s.check, source: s.source, skippedTicks: s.skippedTicks,
    });
    let ended = false;
    return {
      reporters: [recorder],
      end(outcome) {
        if (ended) return;
        ended = true;
        try {
          // Events came redacted; the run's own error text is masked here, at the store.
          const rec = redactDeep(recorder.record(outcome));
          const ran = outcome.error ? `the run ended with an error (${outcome.error})` : `the run ${outcome.interrupted ? 'was interrupted' : 'finished'}${outcome.exitCode !== undefined ? ` (exit code ${outcome.exitCode})` : ''}`;
          const histFile = path.join(s.dir, HISTORY_FILE);
          let appended;
          try {
            appended = appendHistory(s.dir, rec);
          } catch (e) {
            throw new StateWriteError(`${ran}, but it could not be recorded in ${histFile}: ${describeFsError(e)}. The history keeps every earlier record unchanged; free space in ${s.dir}`, outcome.exitCode);
          }
          if (appended.trimFailed) {
            (s.lock.say ?? stderrLine)(`warning: ${histFile} holds ${appended.records} records, over its limit, and could not be trimmed: ${describeFsError(appended.trimFailed)}; no record was lost, a later run trims it`);
          }
          try {
            updateState(s.dir, rec);
          } catch (e) {
            throw new StateWriteError(`${ran} and was recorded in ${histFile}, but ${path.join(s.dir, STATE_FILE)} could not be updated: ${describeFsError(e)}; the next run may count this run's changes as intended, not drift`, outcome.exitCode);
          }
          s.onRecord?.(rec);
        } finally {
          lock.release();
        }
      },
    };
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * Whether an agent started on this directory. Not state.json: a locked manual
 * run writes it, so it would make every later run lock by itself.
 */
export function stateDirInUse(dir: string): boolean {
  return existsSync(path.join(dir, AGENT_FILE));
}

/**
 * A manual `converge PLAYBOOK` run takes the lock of the state directory when
 * one is in use: given with --state-dir (or CONVERGE_STATE_DIR), or the
 * default /var/lib/converge once an agent has started there (agent.json).
 * The directory alone is not
 * enough: other parts of converge keep files there (pending handlers) without
 * any agent. A machine that never ran the agent has nothing to coordinate
 * with, and a dry run (--check) changes nothing, so neither takes a lock nor
 * writes history.
 */
export const manualRunGuard: RunGuardFactory = async (loaded, o) => {
  if (o.check) return undefined;
  const so = o as RunCliOptions & StateDirOptions;
  const { dir, explicit } = stateDirOf(so);
  if (!explicit && !stateDirInUse(dir)) return undefined;
  try {
    return await lockAndRecord(loaded, o, {
      dir, source: 'manual', check: false,
      lock: { command: 'run', playbook: loaded.playbook.file, wait: !!so.waitLock },
    });
  } catch (e) {
    if (e instanceof LockBusyError) throw new LockBusyError(e.lockFile, e.owner, 'wait for it with --wait-lock, or try again later');
    throw e;
  }
};
