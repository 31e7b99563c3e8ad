// What the agent writes to stderr (the journal under systemd): one line per
// run, one line per change found or made, one line per skipped tick. Task by
// task output only with -v.

import type { HostSummary, Reporter, TaskEvent } from '../engine/events.js';
import type { HistoryChange, HistoryRecord } from './history-store.js';
import { redactText } from '../output/redact.js';
import { printable } from '../output/printable.js';

export type Say = (line: string) => void;

/** The journal is a store like the history: masked secrets, no raw control characters. */
export const stderrSay: Say = (line) => { process.stderr.write(`converge agent: ${printable(redactText(line))}\n`); };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function changeLine(host: string, c: HistoryChange): string {
  const verb = c.status === 'failed' ? `failed to correct ${c.kind}` : c.corrected
    ? (c.kind === 'drift' ? 'corrected drift' : c.kind === 'intended' ? 'applied intended change' : 'ran')
    : (c.kind === 'drift' ? 'found drift (not corrected)' : c.kind === 'intended' ? 'would apply intended change' : 'would run');
  const what = c.changes.map((x) => x.summary ?? x.property).join(', ');
  return `${host}: ${verb} in ${c.resource}${what ? `: ${what}` : ''} (${c.source})`;
}

/** The run's line and one line per change. */
export function recordLines(r: HistoryRecord): string[] {
  const hosts = Object.entries(r.hosts).map(([name, h]) => {
    const drift = h.changes.filter((c) => c.kind === 'drift').length;
    const intended = h.changes.filter((c) => c.kind === 'intended').length;
    const parts = [drift ? `${drift} drift` : '', intended ? `${intended} intended` : ''].filter(Boolean);
    return `${name} ${h.status.replace(/_/g, ' ')}${parts.length ? ` (${parts.join(', ')})` : ''}`;
  });
  const head = `run ${r.mode === 'check' ? '(check only) ' : ''}finished in ${seconds(r.duration_ms)}` +
    `${r.interrupted ? ', interrupted' : ''}${r.error ? `, error: ${r.error}` : ''}: ${hosts.join('; ') || 'no hosts'}` +
    ` [fingerprint ${r.fingerprint.slice(0, 12)}]`;
  const lines = [head];
  for (const [name, h] of Object.entries(r.hosts)) {
    for (const c of h.changes) lines.push(changeLine(name, c));
    for (const f of h.failures ?? []) lines.push(`${name}: task ${f.task} '${f.name}' failed: ${f.message ?? ''} (${f.source})`);
    if (h.message) lines.push(`${name}: unreachable: ${h.message}`);
  }
  return lines;
}

/** The agent's main reporter: silent, except task lines with -v. */
export class AgentTaskLog implements Reporter {
  constructor(private readonly say: Say, private readonly verbose: number) {}
  playStart(name: string, hosts: string[]): void {
    if (this.verbose) this.say(`play '${name}' on ${hosts.join(', ') || 'no hosts'}`);
  }
  task(ev: TaskEvent): void {
    if (this.verbose) this.say(`${ev.host}: task ${ev.task} '${ev.name}': ${ev.check && ev.status === 'changed' ? 'would change' : ev.status}`);
  }
  hostUnreachable(): void { /* in the run line */ }
  progress(): void { /* quiet in logs */ }
  finish(_s: Map<string, HostSummary>, _d: number): void { /* the run line comes from the record */ }
}
