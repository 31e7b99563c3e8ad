// What the engine tells the outside world (console, JSON report, agent
// history). One event per task per host (per loop item).

import type { Change } from './module.js';

export type EventStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface TaskEvent {
  host: string;
  play: string;
  task: number;
  name: string;
  module: string;
  status: EventStatus;
  /** True in --check (changed means "would change"). */
  check: boolean;
  changes: Change[];
  message?: string;
  /** The loop item's label, for looped tasks. */
  item?: string;
  ignored?: boolean;
  /** A failed task whose module changed something all the same (a command that ran and exited non-zero). */
  changedToo?: boolean;
  /** Failed inside a block whose rescue runs next: counted as rescued, not failed. */
  rescued?: boolean;
  /** Parameters, results and diffs are hidden. */
  noLog: boolean;
  /** Show content diffs for this task (--diff, --check, unless the task says diff: false). */
  showDiff: boolean;
  handler: boolean;
  durationMs: number;
  /** Source location of the task, "file:line". */
  source: string;
}

export interface HostSummary {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  ignored: number;
  rescued?: number;
  /**
   * Ignored failures that changed something: counted in both changed and ignored, as Ansible's
   * recap counts them (ok + changed + ignored - changedIgnored is Ansible's ok).
   */
  changedIgnored?: number;
}

export interface Reporter {
  playStart(name: string, hosts: string[]): void;
  task(event: TaskEvent): void;
  hostUnreachable(host: string, message: string): void;
  /** A short line of progress for long work; only shown on a terminal. */
  progress(host: string, message: string): void;
  finish(summary: Map<string, HostSummary>, durationMs: number): void;
}

export function emptySummary(): HostSummary {
  return { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, ignored: 0, rescued: 0 };
}
