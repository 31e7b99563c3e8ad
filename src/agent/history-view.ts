// `converge history` and `converge status`: the history store read back for a
// person (or, with --json, a program).

import { UsageError } from '../config/errors.js';
import type { HistoryRecord, HostRunStatus, StateFile } from './history-store.js';
import { changeLine } from './agent-log.js';
import type { LockOwner } from './lock.js';
import type { AgentInfo } from './run-guard.js';

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** "30m", "2h", "7d", "1w", "90s" ago, or a date/time Date.parse understands. */
export function parseSince(s: string, now = Date.now()): Date {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(s.trim());
  if (m) return new Date(now - Number(m[1]) * UNIT_MS[m[2]]);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new UsageError(`--since '${s}' is neither a duration (30m, 2h, 7d, 1w) nor a date (2026-01-31, 2026-01-31T12:00:00Z)`);
  return new Date(t);
}

export interface HistoryFilter {
  since?: Date;
  host?: string;
}

/** Records at or after `since`; with `host`, only that host's part of each record that has it. */
export function filterHistory(records: HistoryRecord[], f: HistoryFilter): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  for (const r of records) {
    if (f.since && Date.parse(r.time) < f.since.getTime()) continue;
    if (f.host) {
      const h = r.hosts[f.host];
      if (!h) continue;
      out.push({ ...r, hosts: { [f.host]: h } });
    } else out.push(r);
  }
  return out;
}

function indent(text: string, by: string): string {
  return text.split('\n').map((l) => by + l).join('\n');
}

function quiet(r: HistoryRecord): boolean {
  return !r.error && !r.interrupted && Object.values(r.hosts).every((h) => h.status === 'in_sync' && h.changes.length === 0);
}

export function formatHistory(records: HistoryRecord[], showDiff: boolean): string {
  if (records.length === 0) return 'no runs recorded';
  const out: string[] = [];
  // Runs that found everything in sync are the agent's common case: one line per stretch of them.
  let calm: HistoryRecord[] = [];
  const flushCalm = () => {
    if (calm.length === 1) out.push(`${calm[0].time}  ${calm[0].source} ${calm[0].mode === 'check' ? 'check-only' : 'apply'}  in sync: ${Object.keys(calm[0].hosts).join(', ') || 'no hosts'}`);
    else if (calm.length > 1) out.push(`${calm[0].time} .. ${calm[calm.length - 1].time}  ${calm.length} runs, all in sync: ${[...new Set(calm.flatMap((r) => Object.keys(r.hosts)))].join(', ') || 'no hosts'}`);
    calm = [];
  };
  for (const r of records) {
    if (quiet(r)) { calm.push(r); continue; }
    flushCalm();
    out.push(`${r.time}  ${r.source} ${r.mode === 'check' ? 'check-only' : 'apply'}  ${(r.duration_ms / 1000).toFixed(1)}s` +
      `${r.interrupted ? '  interrupted' : ''}${r.error ? `  error: ${r.error}` : ''}${r.skipped_ticks ? `  (${r.skipped_ticks} tick(s) skipped before)` : ''}` +
      `  fingerprint ${r.fingerprint.slice(0, 12)}`);
    for (const [name, h] of Object.entries(r.hosts)) {
      const s = h.summary;
      out.push(`  ${name}: ${h.status.replace(/_/g, ' ')} (ok ${s.ok}, changed ${s.changed}, failed ${s.failed}${s.unreachable ? `, unreachable` : ''})`);
      for (const c of h.changes) {
        out.push(`    ${c.kind.padEnd(8)} ${changeLine(name, c).slice(name.length + 2)}`);
        if (!showDiff) continue;
        for (const x of c.changes) {
          if (x.diff) out.push(indent(x.diff.replace(/\n$/, ''), '        '));
          else if (x.before !== undefined || x.after !== undefined) out.push(`        ${x.property}: ${JSON.stringify(x.before)} -> ${JSON.stringify(x.after)}`);
        }
      }
      for (const f of h.failures ?? []) out.push(`    failed   task ${f.task} '${f.name}': ${f.message ?? ''} (${f.source})`);
      if (h.message) out.push(`    unreachable: ${h.message}`);
    }
  }
  flushCalm();
  return out.join('\n');
}

export interface ResourceDrift {
  resource: string;
  /** Times drift was found. */
  drift: number;
  /** Of those, corrected. */
  corrected: number;
  last: string;
}

export interface HostStatus {
  last_converged: string | null;
  last_run: string | null;
  last_status: HostRunStatus | null;
  in_sync: boolean;
  drift_found: number;
  drift_corrected: number;
  intended_changes: number;
  resources: ResourceDrift[];
}

export interface StatusReport {
  state_dir: string;
  /** The last agent started on this state directory, and whether it still runs. */
  agent: (AgentInfo & { running: boolean }) | null;
  /** The process converging right now, if any. */
  running: LockOwner | null;
  runs: number;
  first_run: string | null;
  hosts: Record<string, HostStatus>;
}

export function buildStatus(stateDir: string, state: StateFile, records: HistoryRecord[], running: LockOwner | null, agent: (AgentInfo & { running: boolean }) | null = null): StatusReport {
  const hosts: Record<string, HostStatus> = {};
  const get = (name: string): HostStatus => (hosts[name] ??= {
    last_converged: state.hosts[name]?.last_converged ?? null,
    last_run: state.hosts[name]?.last_run ?? null,
    last_status: state.hosts[name]?.last_status ?? null,
    in_sync: false, drift_found: 0, drift_corrected: 0, intended_changes: 0, resources: [],
  });
  for (const name of Object.keys(state.hosts)) get(name);
  const perResource = new Map<string, Map<string, ResourceDrift>>();
  for (const r of records) {
    for (const [name, h] of Object.entries(r.hosts)) {
      const hs = get(name);
      if (!hs.last_run || r.time > hs.last_run) { hs.last_run = r.time; hs.last_status = h.status; }
      for (const c of h.changes) {
        if (c.kind === 'intended') hs.intended_changes++;
        if (c.kind !== 'drift') continue;
        hs.drift_found++;
        if (c.corrected) hs.drift_corrected++;
        const m = perResource.get(name) ?? new Map<string, ResourceDrift>();
        perResource.set(name, m);
        const rd = m.get(c.resource) ?? { resource: c.resource, drift: 0, corrected: 0, last: r.time };
        rd.drift++;
        if (c.corrected) rd.corrected++;
        if (r.time > rd.last) rd.last = r.time;
        m.set(c.resource, rd);
      }
    }
  }
  for (const [name, hs] of Object.entries(hosts)) {
    hs.in_sync = hs.last_status === 'in_sync' || hs.last_status === 'changed';
    hs.resources = [...(perResource.get(name)?.values() ?? [])].sort((a, b) => b.drift - a.drift || a.resource.localeCompare(b.resource));
  }
  return { state_dir: stateDir, agent, running, runs: records.length, first_run: records[0]?.time ?? null, hosts };
}

export function formatStatus(s: StatusReport): string {
  const out: string[] = [];
  const a = s.agent;
  out.push(a ? `agent: ${a.running ? `running (pid ${a.pid})` : 'not running'}, ${a.playbook} on '${a.schedule}'${a.check_only ? ', check only' : ''}, started ${a.started}` : 'agent: never started on this state directory');
  out.push(s.running ? `converging now: pid ${s.running.pid} (converge ${s.running.command}, since ${s.running.since})` : 'no converge run in progress');
  out.push(`${s.runs} run(s) in the history${s.first_run ? ` since ${s.first_run}` : ''} (${s.state_dir})`);
  const names = Object.keys(s.hosts).sort();
  if (names.length === 0) out.push('no host has been converged yet');
  for (const name of names) {
    const h = s.hosts[name];
    out.push('');
    out.push(`${name}: ${h.in_sync ? 'in sync' : `NOT in sync (last run: ${(h.last_status ?? 'none').replace(/_/g, ' ')})`}`);
    out.push(`  last converged: ${h.last_converged ?? 'never'}; last run: ${h.last_run ?? 'never'}`);
    out.push(`  drift: found ${h.drift_found} time(s), corrected ${h.drift_corrected}; intended changes: ${h.intended_changes}`);
    for (const r of h.resources) out.push(`    ${r.resource}: drifted ${r.drift} time(s), corrected ${r.corrected}, last ${r.last}`);
  }
  return out.join('\n');
}
