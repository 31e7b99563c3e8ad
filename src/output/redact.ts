// What output must never show: no_log tasks and connection secrets.

import type { TaskEvent } from '../engine/events.js';

export const NO_LOG_TEXT = "(output hidden: the task has 'no_log: true')";

/** The event as it may be shown or stored: a no_log task keeps only its name and status. */
export function redactEvent(ev: TaskEvent): TaskEvent {
  if (!ev.noLog) return ev;
  return {
    ...ev,
    message: ev.message === undefined ? undefined : NO_LOG_TEXT,
    item: ev.item === undefined ? undefined : '(hidden)',
    changes: ev.changes.map((c) => ({ property: c.property, summary: NO_LOG_TEXT, afterTask: c.afterTask })),
  };
}

/** Replaces each secret value in a text (error messages) with a marker. */
export function scrubSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('********');
  return out;
}
