// The run history in the state directory: history.jsonl holds one JSON record
// per run, appended; it is trimmed to the newest runs (by count and by size)
// with an atomic rewrite. state.json holds, per host, the fingerprint of the
// last run that left the host converged: the baseline that tells drift from
// intended change, kept apart so that trimming the history never loses it.
// Only the holder of the state directory's lock writes either file; readers
// need no lock (appends are single writes, rewrites are renames).

import * as path from 'node:path';
import { appendFileSafeSync, readFileNoFollowSync, writeFileAtomicSync } from '../state/atomic-file.js';
import type { HostSummary } from '../engine/events.js';

/** drift: the host moved away from an unchanged playbook; intended: the playbook (inventory, vars) changed; action: runs every time (command, restarts, handlers). */
export type ChangeKind = 'drift' | 'intended' | 'action';

export interface HistoryChange {
  task: number;
  name: string;
  module: string;
  /** "file:line" of the task. */
  source: string;
  /** What was changed, for the per-resource counts: "copy /etc/motd", "service nginx". */
  resource: string;
  item?: string;
  handler?: boolean;
  status: 'changed' | 'failed';
  kind: ChangeKind;
  /** Applied (false in check mode: found, not corrected). */
  corrected: boolean;
  message?: string;
  changes: Array<{ property: string; before?: unknown; after?: unknown; diff?: string; summary?: string }>;
}

export type HostRunStatus = 'in_sync' | 'changed' | 'out_of_sync' | 'failed' | 'unreachable' | 'interrupted';

export interface HostRecord {
  status: HostRunStatus;
  summary: HostSummary;
  message?: string;
  changes: HistoryChange[];
  /** Tasks that failed without a change to show (their message). */
  failures?: Array<{ task: number; name: string; source: string; message?: string }>;
}

export interface HistoryRecord {
  v: 1;
  /** Start of the run (ISO). */
  time: string;
  finished: string;
  duration_ms: number;
  source: 'agent' | 'manual';
  mode: 'apply' | 'check';
  pid: number;
  playbook: string;
  inventory: string[];
  fingerprint: string;
  interrupted: boolean;
  exit_code?: number;
  /** Agent ticks skipped since the previous record because a run was still going. */
  skipped_ticks?: number;
  error?: string;
  hosts: Record<string, HostRecord>;
}

export interface HostBaseline {
  /** Fingerprint of the last run that left the host converged. */
  fingerprint?: string;
  last_converged?: string;
  last_run?: string;
  last_status?: HostRunStatus;
}

export interface StateFile {
  v: 1;
  hosts: Record<string, HostBaseline>;
}

export const HISTORY_FILE = 'history.jsonl';
export const STATE_FILE = 'state.json';

export interface HistoryLimits {
  maxRuns: number;
  maxBytes: number;
}

export const DEFAULT_LIMITS: HistoryLimits = { maxRuns: 2000, maxBytes: 16 * 1024 * 1024 };

/** Writes a file atomically: temp file in the same directory, fsync, rename. */
/** Whole or not at all, readable by root only (diffs may show configuration). */
export function writeFileAtomic(file: string, content: string): void {
  writeFileAtomicSync(file, content, 0o600);
}

/** Parses history lines; a torn last line (a killed writer) is skipped, not fatal. */
export function parseHistory(text: string): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as HistoryRecord;
      if (r && r.v === 1) out.push(r);
    } catch { /* torn or foreign line */ }
  }
  return out;
}

export function readHistory(stateDir: string): HistoryRecord[] {
  try {
    return parseHistory(readFileNoFollowSync(path.join(stateDir, HISTORY_FILE)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Keeps the newest lines that fit both limits. */
export function trimLines(lines: string[], limits: HistoryLimits): string[] {
  const kept: string[] = [];
  let bytes = 0;
  for (let i = lines.length - 1; i >= 0 && kept.length < limits.maxRuns; i--) {
    const n = Buffer.byteLength(lines[i]) + 1;
    if (bytes + n > limits.maxBytes && kept.length > 0) break;
    bytes += n;
    kept.push(lines[i]);
  }
  return kept.reverse();
}

export interface AppendResult {
  /** Records in the file after the append (before any trimming). */
  records: number;
  /** The history is over its limits and could not be trimmed (a full disk): it keeps every record. */
  trimFailed?: NodeJS.ErrnoException;
}

/**
 * Appends the record, then trims the history to its limits. The append comes
 * first and needs room for one line only: a full disk fails it whole (the file
 * is cut back to its old length) and the history keeps every record it had.
 * Trimming rewrites the file atomically; when there is no room for that
 * rewrite, the history stays over its limits until a later run can trim it.
 */
export function appendHistory(stateDir: string, record: HistoryRecord, limits: HistoryLimits = DEFAULT_LIMITS): AppendResult {
  const file = path.join(stateDir, HISTORY_FILE);
  const line = JSON.stringify(record);
  let existing = '';
  try {
    existing = readFileNoFollowSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // A killed writer may have left a torn last line: readers skip it, the newline keeps it apart.
  const sep = existing.length && !existing.endsWith('\n') ? '\n' : '';
  appendFileSafeSync(file, sep + line + '\n');
  const lines = existing.split('\n').filter((l) => l.trim());
  lines.push(line);
  const bytes = Buffer.byteLength(existing) + Buffer.byteLength(sep + line) + 1;
  if (lines.length <= limits.maxRuns && bytes <= limits.maxBytes) return { records: lines.length };
  try {
    writeFileAtomic(file, trimLines(lines, limits).join('\n') + '\n');
  } catch (e) {
    return { records: lines.length, trimFailed: e as NodeJS.ErrnoException };
  }
  return { records: lines.length };
}

export function readState(stateDir: string): StateFile {
  try {
    const s = JSON.parse(readFileNoFollowSync(path.join(stateDir, STATE_FILE))) as StateFile;
    if (s && s.v === 1 && s.hosts && typeof s.hosts === 'object') return s;
  } catch { /* missing or damaged: no baseline, every change counts as intended */ }
  return { v: 1, hosts: {} };
}

/** Whether a run left the host converged to the run's fingerprint. */
export function convergedBy(record: HistoryRecord, h: HostRecord): boolean {
  if (record.interrupted || record.error) return false;
  if (h.status === 'in_sync') return true;
  return h.status === 'changed' && record.mode === 'apply';
}

/** Records the run's outcome per host in state.json. */
export function updateState(stateDir: string, record: HistoryRecord): StateFile {
  const state = readState(stateDir);
  for (const [name, h] of Object.entries(record.hosts)) {
    const b = (state.hosts[name] ??= {});
    b.last_run = record.time;
    b.last_status = h.status;
    if (convergedBy(record, h)) {
      b.fingerprint = record.fingerprint;
      b.last_converged = record.finished;
    }
  }
  writeFileAtomic(path.join(stateDir, STATE_FILE), JSON.stringify(state, null, 1) + '\n');
  return state;
}
