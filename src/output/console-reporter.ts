// The run as a person reads it: a line per task per host, diffs under
// changes, a recap per host. Colour only when asked or on a terminal.

import { Chalk, type ChalkInstance } from 'chalk';
import type { HostSummary, Reporter, TaskEvent } from '../engine/events.js';
import type { Change } from '../engine/module.js';
import { NO_LOG_TEXT } from './redact.js';
import { printable, printableLine } from './printable.js';

export interface ConsoleOptions {
  color: boolean;
  verbose: number;
  out: NodeJS.WritableStream;
  /** Progress lines for long work (only on a terminal). */
  tty: boolean;
}

/** Events arrive redacted (RedactingReporter); what came from a host is still made printable here. */
function fmt(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (typeof v === 'string') return printable(v);
  return printable(JSON.stringify(v));
}

export class ConsoleReporter implements Reporter {
  private c: ChalkInstance;
  private lastProgress = 0;

  constructor(private readonly o: ConsoleOptions) {
    this.c = new Chalk({ level: o.color ? 1 : 0 });
  }

  private write(s: string): void {
    if (this.lastProgress) {
      this.o.out.write('\r\x1b[K');
      this.lastProgress = 0;
    }
    this.o.out.write(s + '\n');
  }

  playStart(name: string, hosts: string[]): void {
    this.write(this.c.bold(`\nPLAY ${printableLine(name)} `) + this.c.dim(`(${hosts.length ? hosts.join(', ') : 'no hosts matched'})`));
  }

  private label(ev: TaskEvent): string {
    const c = this.c;
    switch (ev.status) {
      case 'ok': return c.green('ok');
      case 'changed': return ev.check ? c.yellow('would change') : c.yellow('changed');
      case 'failed': return ev.ignored ? c.red('failed (ignored)') : c.red('failed');
      case 'skipped': return unjudged(ev) ? c.yellow('would run') : c.cyan('skipped');
      case 'unreachable': return c.red('unreachable');
    }
  }

  task(ev: TaskEvent): void {
    if (ev.status === 'skipped' && this.o.verbose === 0 && !unjudged(ev)) return;
    const after = ev.changes.find((ch) => ch.afterTask !== undefined)?.afterTask;
    const item = ev.item !== undefined ? this.c.dim(` (item: ${printableLine(ev.item)})`) : '';
    const head = `${this.label(ev).padEnd(this.o.color ? 22 : 12)} ${ev.host}  ${ev.handler ? 'handler ' : ''}[${ev.task}] ${printableLine(ev.name)}${item}`;
    const tail = after !== undefined ? this.c.yellow(` (after task ${after})`) : '';
    this.write(head + tail);
    if (ev.status === 'failed' || (ev.status === 'skipped' && this.o.verbose > 0)) {
      const msg = ev.noLog ? NO_LOG_TEXT : printable(ev.message ?? '');
      if (msg) this.write(this.indent(msg, ev.status === 'failed' ? this.c.red : this.c.dim));
    }
    if (ev.status === 'changed' || unjudged(ev) || (ev.status === 'failed' && ev.changes.length)) {
      if (ev.noLog) {
        this.write(this.indent(NO_LOG_TEXT, this.c.dim));
        return;
      }
      for (const ch of ev.changes) this.change(ch, ev.showDiff || this.o.verbose > 0);
    }
    if ((ev.module === 'debug' || ev.module === 'assert') && ev.status === 'ok' && ev.message) this.write(this.indent(ev.noLog ? NO_LOG_TEXT : printable(ev.message), (s) => s));
  }

  private indent(text: string, paint: (s: string) => string): string {
    return text.split('\n').map((l) => '    ' + paint(l)).join('\n');
  }

  private change(ch: Change, showDiff: boolean): void {
    const c = this.c;
    if (ch.diff !== undefined && showDiff) {
      this.write(`    ${c.bold(printableLine(ch.property))}:`);
      for (const line of ch.diff.replace(/\n+$/, '').split('\n')) {
        if (line.startsWith('Index:') || line.startsWith('====')) continue;
        const paint = line.startsWith('+++') || line.startsWith('---') ? c.bold : line.startsWith('+') ? c.green : line.startsWith('-') ? c.red : line.startsWith('@@') ? c.cyan : (s: string) => s;
        this.write('      ' + paint(printable(line)));
      }
      return;
    }
    if (ch.summary) this.write(`    ${printable(ch.summary)}`);
    else if (ch.before !== undefined || ch.after !== undefined) this.write(`    ${printableLine(ch.property)}: ${c.red(fmt(ch.before))} -> ${c.green(fmt(ch.after))}`);
    else this.write(`    ${printableLine(ch.property)}`);
  }

  hostUnreachable(host: string, message: string): void {
    this.write(`${this.c.red('unreachable'.padEnd(this.o.color ? 22 : 12))} ${host}  ${printable(message)}`);
  }

  progress(host: string, message: string): void {
    if (!this.o.tty) return;
    this.o.out.write(`\r\x1b[K${this.c.dim(`… ${host}: ${printableLine(message)}`.slice(0, 120))}`);
    this.lastProgress = Date.now();
  }

  finish(summary: Map<string, HostSummary>, durationMs: number): void {
    const c = this.c;
    this.write(c.bold('\nRECAP') + c.dim(` (${(durationMs / 1000).toFixed(2)} s)`));
    const width = Math.max(4, ...[...summary.keys()].map((h) => h.length));
    for (const [h, s] of summary) {
      const bad = s.failed > 0 || s.unreachable > 0;
      const name = bad ? c.red(h.padEnd(width)) : s.changed ? c.yellow(h.padEnd(width)) : c.green(h.padEnd(width));
      this.write(`${name}  ok=${s.ok} changed=${s.changed} failed=${s.failed} skipped=${s.skipped} unreachable=${s.unreachable} ignored=${s.ignored}`);
    }
  }
}

/**
 * A command --check skipped (as Ansible counts it) but whose plan says it would run: shown without -v,
 * because what --check must show is everything a real run would do.
 */
function unjudged(ev: TaskEvent): boolean {
  return ev.status === 'skipped' && ev.check && ev.changes.length > 0;
}
