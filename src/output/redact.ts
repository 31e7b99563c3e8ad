// The one redaction point between the data of a run and everything converge
// prints or stores (console, --json, history, the agent's journal, unit and
// vars files): no_log tasks keep only their name and status, and the values
// of variables named like secrets are replaced by a marker wherever they show.
//
// Secret values are learned as the run goes: from every variable source
// before the first host is contacted (noteSecretsIn), and from each variable
// the engine resolves (VarScope notes secret-named ones), so a password
// rendered from a template or a lookup is known before any event can carry it.

import { types } from 'node:util';
import type { Reporter, TaskEvent, HostSummary } from '../engine/events.js';

export const NO_LOG_TEXT = "(output hidden: the task has 'no_log: true')";
export const SECRET_MARK = '********';

/** Names that say a value is secret: *password*, *secret*, *token*, *_key, and Ansible's *_pass. */
const SECRET_NAME = /password|passwd|passphrase|secret|token|_key$|(^|_)pass$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Shorter values would blank ordinary words ("yes", "on") everywhere. */
const MIN_SECRET = 3;

const known = new Set<string>();
/** Longest first, so that a secret containing another is replaced whole. */
let ordered: string[] | null = null;

function add(s: string, derived = false): void {
  if (s.length < MIN_SECRET || s === SECRET_MARK || known.has(s)) return;
  known.add(s);
  ordered = null;
  if (derived) return;
  // The forms a value takes in output: JSON-escaped (debug var=, --json), shell-quoted (command lines).
  const json = JSON.stringify(s).slice(1, -1);
  if (json !== s) add(json, true);
  if (s.includes("'")) add(s.replace(/'/g, `'\\''`), true);
  // A multi-line secret (a key) shows line by line in a diff.
  if (s.includes('\n')) for (const line of s.split(/\r?\n/)) if (line.trim().length >= 6) add(line, true);
}

/** Records a secret value (a string, or the strings inside a list or mapping). */
export function noteSecret(value: unknown, depth = 0): void {
  if (typeof value === 'string') add(value);
  else if (typeof value === 'number' && Number.isFinite(value) && String(value).length >= 6) add(String(value));
  else if (value && typeof value === 'object' && depth < 6 && !types.isProxy(value)) {
    for (const v of Array.isArray(value) ? value : Object.values(value)) noteSecret(v, depth + 1);
  }
}

/** Records the values of the secret-named keys of a mapping of variables (and of mappings inside it). */
export function noteSecretVars(vars: unknown, depth = 0): void {
  if (!vars || typeof vars !== 'object' || types.isProxy(vars) || depth > 6) return;
  for (const [k, v] of Object.entries(vars)) {
    if (isSecretName(k)) noteSecret(v);
    else if (v && typeof v === 'object') noteSecretVars(v, depth + 1);
  }
}

/** Forgets every learned secret (tests that run several playbooks in one process). */
export function forgetSecrets(): void {
  known.clear();
  ordered = null;
}

export function knownSecretCount(): number {
  return known.size;
}

/** The text with every known secret value replaced by the marker. */
export function redactText(text: string): string {
  if (known.size === 0 || !text) return text;
  ordered ??= [...known].sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join(SECRET_MARK);
  return out;
}

/** A copy of a value with every string in it redacted. */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (!value || typeof value !== 'object' || depth > 20 || known.size === 0) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out as T;
}

/** The event as it may be shown or stored: a no_log task keeps only its name and status; secrets are masked. */
export function redactEvent(ev: TaskEvent): TaskEvent {
  const hidden = !ev.noLog ? ev : {
    ...ev,
    message: ev.message === undefined ? undefined : NO_LOG_TEXT,
    item: ev.item === undefined ? undefined : '(item hidden: no_log)',
    changes: ev.changes.map((c) => ({ property: c.property, summary: NO_LOG_TEXT, afterTask: c.afterTask, ...(c.repeats ? { repeats: true } : {}) })),
  };
  return redactDeep(hidden);
}

/**
 * Every reporter of a run sits behind this one: the console, the --json
 * document, the history recorder and the agent's log see only redacted events.
 */
export class RedactingReporter implements Reporter {
  constructor(private readonly target: Reporter) {}
  playStart(name: string, hosts: string[]): void { this.target.playStart(redactText(name), hosts); }
  task(ev: TaskEvent): void { this.target.task(redactEvent(ev)); }
  hostUnreachable(host: string, message: string): void { this.target.hostUnreachable(host, redactText(message)); }
  progress(host: string, message: string): void { this.target.progress(host, redactText(message)); }
  finish(summary: Map<string, HostSummary>, durationMs: number): void { this.target.finish(summary, durationMs); }
}
