// A diagnostic trace of what a run asks its hosts, for profiling (bench/PROFILE.md):
// with CONVERGE_HOST_TRACE=FILE every request to an SSH host (a command, a file
// helper, a new channel) and every task's end are appended to FILE as JSON lines
// ({t, host, op, what, ms}). Off (one variable read) when the variable is not set.

import { appendFileSync } from 'node:fs';

const file = process.env.CONVERGE_HOST_TRACE || undefined;

export const tracing = file !== undefined;

/** Records one event; `startedMs` (Date.now() when it began) gives its duration. */
export function trace(host: string, op: string, what: string, startedMs?: number): void {
  if (!file) return;
  const now = Date.now();
  const line = { t: now, host, op, what: what.length > 160 ? what.slice(0, 160) + '…' : what, ...(startedMs !== undefined ? { ms: now - startedMs } : {}) };
  try { appendFileSync(file, JSON.stringify(line) + '\n'); } catch { /* a trace never fails a run */ }
}

/** A reporter that records each task's end in the trace (what the requests before it belong to). */
export function traceReporter(): import('../engine/events.js').Reporter {
  return {
    playStart(name) { trace('-', 'play', name); },
    task(ev) { trace(ev.host, 'task', `${ev.module} [${ev.task}] ${ev.name}${ev.item ? ` (${ev.item})` : ''} ${ev.status} ${ev.durationMs}ms`); },
    hostUnreachable() {},
    progress() {},
    finish(_s, d) { trace('-', 'finish', `${d}ms`); },
  };
}
