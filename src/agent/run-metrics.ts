// The agent's last run as node_exporter textfile metrics (converge_agent.prom
// in --metrics-dir): when it ran, how long, what it found per host and how it
// ended, for Prometheus alerts on drift and failures.

import type { HistoryRecord } from './history-store.js';
import { writeTextfile, type MetricFamily } from '../metrics/textfile.js';

const TASK_STATUSES = ['ok', 'changed', 'failed', 'skipped', 'unreachable'] as const;
const HOST_STATUSES = ['in_sync', 'changed', 'out_of_sync', 'failed', 'unreachable', 'interrupted'] as const;

export function runFamilies(rec: HistoryRecord): MetricFamily[] {
  const hosts = Object.entries(rec.hosts).sort(([a], [b]) => a.localeCompare(b));
  const run = { playbook: rec.playbook, mode: rec.mode };
  return [
    { name: 'converge_agent_last_run_timestamp_seconds', type: 'gauge', help: 'Start of the last run (Unix time).',
      samples: [{ labels: run, value: Date.parse(rec.time) / 1000 }] },
    { name: 'converge_agent_last_run_finished_timestamp_seconds', type: 'gauge', help: 'End of the last run (Unix time).',
      samples: [{ labels: run, value: Date.parse(rec.finished) / 1000 }] },
    { name: 'converge_agent_last_run_duration_seconds', type: 'gauge', help: 'Wall time of the last run.',
      samples: [{ labels: run, value: rec.duration_ms / 1000 }] },
    { name: 'converge_agent_last_run_exit_code', type: 'gauge',
      help: 'Exit code of the last run (0 ok, 2 failed tasks, 3 unreachable hosts, 99 interrupted; Puppet codes with --detailed-exitcodes); absent when the run ended in an error.',
      samples: rec.exit_code === undefined ? [] : [{ labels: run, value: rec.exit_code }] },
    { name: 'converge_agent_last_run_error', type: 'gauge', help: '1 when the last run could not be carried out (playbook or inventory error).',
      samples: [{ labels: run, value: rec.error ? 1 : 0 }] },
    { name: 'converge_agent_last_run_interrupted', type: 'gauge', help: '1 when the last run was stopped before its end.',
      samples: [{ labels: run, value: rec.interrupted ? 1 : 0 }] },
    { name: 'converge_agent_last_run_tasks', type: 'gauge', help: 'Task results of the last run per host and status.',
      samples: hosts.flatMap(([host, h]) => TASK_STATUSES.map((status) => ({ labels: { host, status }, value: h.summary[status] }))) },
    { name: 'converge_agent_last_run_drift', type: 'gauge',
      help: 'Resources found drifted (the host moved away from an unchanged playbook) in the last run, corrected or not.',
      samples: hosts.map(([host, h]) => ({ labels: { host }, value: h.changes.filter((c) => c.kind === 'drift').length })) },
    { name: 'converge_agent_last_run_intended_changes', type: 'gauge', help: 'Changes the last run made or found because the playbook or inventory changed.',
      samples: hosts.map(([host, h]) => ({ labels: { host }, value: h.changes.filter((c) => c.kind === 'intended').length })) },
    { name: 'converge_agent_last_run_host_status', type: 'gauge', help: 'How the last run left each host: 1 for its status, 0 for the others.',
      samples: hosts.flatMap(([host, h]) => HOST_STATUSES.map((status) => ({ labels: { host, status }, value: h.status === status ? 1 : 0 }))) },
  ];
}

/** Writes DIR/converge_agent.prom for this record. */
export function writeRunMetrics(dir: string, rec: HistoryRecord): string {
  return writeTextfile(dir, 'converge_agent', runFamilies(rec));
}

/** The agent's hook: a metrics file that cannot be written is said in the log, never stops the agent. */
export function recordRunMetrics(dir: string | undefined, rec: HistoryRecord, say: (line: string) => void): void {
  if (!dir) return;
  try {
    writeRunMetrics(dir, rec);
  } catch (e) {
    say(`metrics not written to ${dir}: ${(e as Error).message}`);
  }
}
