// `--json`: one document with every host, task, status, change, diff and
// duration, printed when the run ends. Its shape is documented in the README.

import type { HostSummary, Reporter, TaskEvent } from '../engine/events.js';
import { safeJson } from './printable.js';

export interface JsonReport {
  converge: 1;
  playbook: string;
  check: boolean;
  started: string;
  duration_ms: number;
  plays: Array<{ name: string; hosts: string[] }>;
  hosts: Record<string, { summary: HostSummary; unreachable?: string; tasks: TaskEvent[] }>;
}

export class JsonReporter implements Reporter {
  private report: JsonReport;

  constructor(playbook: string, check: boolean, private readonly out: NodeJS.WritableStream, private readonly onDone?: (r: JsonReport) => void) {
    this.report = { converge: 1, playbook, check, started: new Date().toISOString(), duration_ms: 0, plays: [], hosts: {} };
  }

  private host(name: string) {
    return (this.report.hosts[name] ??= { summary: { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, ignored: 0 }, tasks: [] });
  }

  playStart(name: string, hosts: string[]): void {
    this.report.plays.push({ name, hosts });
  }

  task(ev: TaskEvent): void {
    this.host(ev.host).tasks.push(ev);
  }

  hostUnreachable(host: string, message: string): void {
    this.host(host).unreachable = message;
  }

  progress(): void { /* a document, not a stream */ }

  finish(summary: Map<string, HostSummary>, durationMs: number): void {
    for (const [h, s] of summary) this.host(h).summary = s;
    this.report.duration_ms = durationMs;
    this.onDone?.(this.report);
    this.out.write(safeJson(this.report, 2) + '\n');
  }
}

/** Sends every event to several reporters (console + history, JSON + history). */
export class TeeReporter implements Reporter {
  constructor(private readonly targets: Reporter[]) {}
  playStart(n: string, h: string[]) { for (const t of this.targets) t.playStart(n, h); }
  task(ev: TaskEvent) { for (const t of this.targets) t.task(ev); }
  hostUnreachable(h: string, m: string) { for (const t of this.targets) t.hostUnreachable(h, m); }
  progress(h: string, m: string) { for (const t of this.targets) t.progress(h, m); }
  finish(s: Map<string, HostSummary>, d: number) { for (const t of this.targets) t.finish(s, d); }
}
