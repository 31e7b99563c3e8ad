// A Reporter that turns one run's events into a history record: each change
// with before/after and diff (redacted before they get here), classed as drift,
// intended or action against the host's baseline fingerprint.

import type { Playbook, Task } from '../config/playbook-model.js';
import type { HostSummary, Reporter, TaskEvent } from '../engine/events.js';
import { emptySummary } from '../engine/events.js';
import { sourceOf } from '../engine/run-task.js';
import type { ChangeKind, HistoryChange, HistoryRecord, HostRecord, HostRunStatus, StateFile } from './history-store.js';

/** Caps that keep one record readable and the history bounded even for huge files. */
const MAX_DIFF = 64 * 1024;
const MAX_VALUE = 4 * 1024;

function capText(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}\n... (${s.length - max} more characters not kept in the history)`;
}

function capValue(v: unknown): unknown {
  if (v === undefined || v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return capText(v, MAX_VALUE);
  const json = JSON.stringify(v) ?? '';
  return json.length <= MAX_VALUE ? v : capText(json, MAX_VALUE);
}

/** The parameter that names what a task manages, per the Ansible conventions. */
const TARGET_PARAMS = ['dest', 'path', 'name', 'src', 'unit', 'key'];

function staticTarget(task: Task | undefined): string | undefined {
  if (!task) return undefined;
  for (const k of TARGET_PARAMS) {
    const v = task.params[k];
    if (typeof v === 'string' && v && !v.includes('{{') && !v.includes('{%')) return v;
    if (Array.isArray(v) && v.length && v.every((x) => typeof x === 'string' && !x.includes('{{'))) return v.join(',');
  }
  return undefined;
}

export interface RecorderOptions {
  playbook: Playbook;
  inventoryFiles: string[];
  fingerprint: string;
  /** Per-host baselines at the start of the run (state.json). */
  baseline: StateFile;
  check: boolean;
  source: 'agent' | 'manual';
  skippedTicks?: number;
}

export class HistoryRecorder implements Reporter {
  private readonly start = new Date();
  private readonly tasks = new Map<string, Task>();
  private readonly hosts = new Map<string, HostRecord>();
  private summary = new Map<string, HostSummary>();

  constructor(private readonly o: RecorderOptions) {
    for (const play of o.playbook.plays) for (const t of [...play.tasks, ...play.handlers]) this.tasks.set(sourceOf(t), t);
  }

  private host(name: string): HostRecord {
    let h = this.hosts.get(name);
    if (!h) { h = { status: 'in_sync', summary: emptySummary(), changes: [] }; this.hosts.set(name, h); }
    return h;
  }

  /** drift when the host's last converged run asked for the same thing. */
  kindFor(ev: TaskEvent, task: Task | undefined): ChangeKind {
    if (ev.handler || task?.module.verify === false) return 'action';
    if (ev.changes.length && ev.changes.every((c) => c.repeats)) return 'action';
    return this.o.baseline.hosts[ev.host]?.fingerprint === this.o.fingerprint ? 'drift' : 'intended';
  }

  playStart(_name: string, hosts: string[]): void {
    for (const h of hosts) this.host(h);
  }

  /** Events arrive redacted (RedactingReporter in runCommand). */
  task(ev: TaskEvent): void {
    if (ev.status === 'failed' && !ev.ignored && !ev.changes.length) {
      const h = this.host(ev.host);
      (h.failures ??= []).push({ task: ev.task, name: ev.name, source: ev.source, message: ev.message === undefined ? undefined : capText(ev.message, MAX_VALUE) });
      return;
    }
    if (ev.status !== 'changed' && ev.status !== 'failed') {
      this.host(ev.host);
      return;
    }
    const task = this.tasks.get(ev.source);
    const target = staticTarget(task) ?? ev.item ?? ev.name;
    const change: HistoryChange = {
      task: ev.task, name: ev.name, module: ev.module, source: ev.source,
      resource: `${ev.module} ${target}`,
      status: ev.status === 'failed' ? 'failed' : 'changed',
      kind: this.kindFor(ev, task),
      corrected: !ev.check && ev.status === 'changed',
      changes: ev.changes.map((c) => ({
        property: c.property,
        ...(c.before !== undefined ? { before: capValue(c.before) } : {}),
        ...(c.after !== undefined ? { after: capValue(c.after) } : {}),
        ...(c.diff !== undefined ? { diff: capText(c.diff, MAX_DIFF) } : {}),
        ...(c.summary !== undefined ? { summary: c.summary } : {}),
      })),
    };
    if (ev.item !== undefined) change.item = ev.item;
    if (ev.handler) change.handler = true;
    if (ev.message) change.message = capText(ev.message, MAX_VALUE);
    this.host(ev.host).changes.push(change);
  }

  hostUnreachable(host: string, message: string): void {
    this.host(host).message = capText(message, MAX_VALUE);
  }

  progress(): void { /* not history */ }

  finish(summary: Map<string, HostSummary>): void {
    this.summary = summary;
  }

  /** The record, once the run has ended (or failed unexpectedly, with `error`). */
  record(end: { interrupted: boolean; exitCode?: number; error?: string }): HistoryRecord {
    const finished = new Date();
    const hosts: Record<string, HostRecord> = {};
    for (const [name, h] of this.hosts) {
      const s = this.summary.get(name) ?? h.summary;
      hosts[name] = { ...h, summary: s, status: statusOf(s, h, this.o.check, end.interrupted || !!end.error) };
    }
    const rec: HistoryRecord = {
      v: 1, time: this.start.toISOString(), finished: finished.toISOString(), duration_ms: finished.getTime() - this.start.getTime(),
      source: this.o.source, mode: this.o.check ? 'check' : 'apply', pid: process.pid,
      playbook: this.o.playbook.file, inventory: this.o.inventoryFiles, fingerprint: this.o.fingerprint,
      interrupted: end.interrupted, hosts,
    };
    if (end.exitCode !== undefined) rec.exit_code = end.exitCode;
    if (end.error) rec.error = end.error;
    if (this.o.skippedTicks) rec.skipped_ticks = this.o.skippedTicks;
    return rec;
  }
}

function statusOf(s: HostSummary, h: HostRecord, check: boolean, interrupted: boolean): HostRunStatus {
  if (s.unreachable > 0) return 'unreachable';
  if (s.failed > 0) return 'failed';
  if (interrupted) return 'interrupted';
  const real = h.changes.filter((c) => c.kind !== 'action');
  if (real.length === 0) return 'in_sync';
  return check || real.some((c) => !c.corrected) ? 'out_of_sync' : 'changed';
}
