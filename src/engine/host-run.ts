// Everything converge knows about one host during a run: its connection,
// facts, registered results, pending handlers, ledger and counts.

import * as path from 'node:path';
import type { Play, Task } from '../config/playbook-model.js';
import type { Host } from '../host/host.js';
import { HostUnreachableError } from '../host/host.js';
import { LocalHost } from '../host/local-host.js';
import { ChrootOverHost } from '../host/chroot-over-host.js';
import type { Inventory } from '../inventory/inventory.js';
import type { Lookup } from '../template/render.js';
import { emptySummary, type HostSummary, type Reporter, type TaskEvent } from './events.js';
import { factVariables } from './facts-vars.js';
import { Ledger } from './ledger.js';
import type { PendingHandlerStore } from './pending-handlers.js';
import { journaledHost, sweepLeftOverTemps, type WriteJournal } from './write-journal.js';
import { OMIT, TaskRunner } from './run-task.js';
import { dataLayer, VarScope } from './variables.js';

export interface RunOptions {
  check: boolean;
  diff: boolean;
  tags: string[];
  skipTags: string[];
  extraVars: Record<string, unknown>;
  forks: number;
  /** Opens a Host for an inventory host (local, ssh, chroot). */
  connect: (name: string, vars: Record<string, unknown>) => Host;
  /** Set by SIGINT/SIGTERM: stop after the current task. */
  stopRequested: () => boolean;
  /** Keeps notifications until their handlers have run, across runs (pending-handlers.ts). Absent: not kept. */
  pendingHandlers?: PendingHandlerStore;
  /** Notes writes in progress, so that temp files a killed run left are swept (write-journal.ts). */
  writeJournal?: WriteJournal;
}

export interface SharedRun {
  inventory: Inventory;
  playbookDir: string;
  options: RunOptions;
  reporter: Reporter;
  lookup: Lookup;
  /** Every host's state, for `hostvars`. */
  hosts: Map<string, HostRun>;
  /** The state of a host, created on first use (a chroot's parent host). */
  hostRun(name: string): HostRun;
}

export class HostRun {
  summary: HostSummary = emptySummary();
  unreachable?: string;
  failed = false;
  readonly ledger = new Ledger();
  playName = '';
  private hostPromise?: Promise<Host>;
  private host?: Host;
  private factsLayer: Record<string, unknown> = {};
  private setFactLayer: Record<string, unknown> = {};
  private playLayers: Array<Record<string, unknown>> = [];
  private notified = new Set<string>();
  /** What the pending-handler store holds for this host's current play. */
  private recorded = new Set<string>();
  /** The running task changed something (or may have, before it failed). */
  private taskTouched = false;
  private notifiers = new Map<string, Task>();
  private readonly runner = new TaskRunner(this);
  private controller?: Host;

  constructor(public readonly name: string, private readonly shared: SharedRun) {}

  get options(): RunOptions { return this.shared.options; }
  get lookup(): Lookup { return this.shared.lookup; }

  /** Inventory variables and magic variables, without the play's. */
  private baseLayers(): Array<Record<string, unknown>> {
    const inv = this.shared.inventory;
    const invVars = inv.hosts.has(this.name) ? inv.varsOf(this.name) : { ansible_connection: 'local' };
    const magic: Record<string, unknown> = {
      inventory_hostname: this.name,
      inventory_hostname_short: this.name.split('.')[0],
      group_names: inv.hosts.has(this.name) ? inv.groupNames(this.name) : [],
      groups: inv.groupMap(),
      hostvars: this.hostvarsProxy(),
      playbook_dir: this.shared.playbookDir,
      inventory_dir: inv.files[0] ? path.dirname(inv.files[0]) : this.shared.playbookDir,
      ansible_check_mode: this.options.check,
      ansible_diff_mode: this.options.diff,
      omit: OMIT,
    };
    return [magic, invVars, this.factsLayer];
  }

  private hostvarsProxy(): Record<string, unknown> {
    const shared = this.shared;
    return new Proxy({}, {
      get: (_t, k) => (typeof k === 'string' ? shared.hosts.get(k)?.varsView() ?? (shared.inventory.hosts.has(k) ? new VarScope([shared.inventory.varsOf(k)]).proxy : undefined) : undefined),
      has: (_t, k) => typeof k === 'string' && (shared.hosts.has(k) || shared.inventory.hosts.has(k)),
      ownKeys: () => [...shared.inventory.hosts.keys()],
      getOwnPropertyDescriptor: (_t, k) => (typeof k === 'string' && shared.inventory.hosts.has(k) ? { enumerable: true, configurable: true, value: shared.hosts.get(k)?.varsView() } : undefined),
    });
  }

  /** What other hosts see through hostvars[this]. */
  varsView(): Record<string, unknown> {
    return new VarScope([...this.baseLayers(), ...this.playLayers, this.setFactLayer], this.lookup).proxy;
  }

  scope(): VarScope {
    return new VarScope([...this.baseLayers(), ...this.playLayers, this.setFactLayer, this.options.extraVars], this.lookup);
  }

  isCheck(task: Task): boolean {
    return task.checkMode ?? this.playCheck ?? this.options.check;
  }

  private playCheck?: boolean;
  private playBecome = false;
  private playBecomeUser?: string;

  report(ev: TaskEvent): void {
    const s = this.summary;
    if (ev.status === 'changed' || (ev.status === 'failed' && ev.changes.length > 0)) this.taskTouched = true;
    if (ev.status === 'failed' && ev.ignored) s.ignored++;
    else if (ev.status === 'unreachable') s.unreachable++;
    else s[ev.status]++;
    this.shared.reporter.task(ev);
  }

  progress(message: string): void {
    this.shared.reporter.progress(this.name, message);
  }

  register(name: string, value: Record<string, unknown>): void {
    this.setFactLayer = dataLayer({ ...this.setFactLayer, [name]: value });
  }

  setFacts(facts: Record<string, unknown>): void {
    this.setFactLayer = dataLayer({ ...this.setFactLayer, ...facts });
  }

  notify(handler: string, by: Task): void {
    this.notified.add(handler);
    this.notifiers.set(handler, by);
  }

  /** `fromTask`: the task's own event counts it; otherwise (fact gathering) it is counted here. */
  markUnreachable(message: string, fromTask = false): void {
    if (this.unreachable) return;
    this.unreachable = message;
    if (!fromTask) this.summary.unreachable++;
    this.shared.reporter.hostUnreachable(this.name, message);
  }

  controllerHost(): Host {
    this.controller ??= new LocalHost('localhost');
    return this.controller;
  }

  async connect(): Promise<Host> {
    if (this.unreachable) throw new HostUnreachableError(this.name, this.unreachable);
    this.hostPromise ??= (async () => {
      const vars = this.scope();
      const connVars: Record<string, unknown> = {};
      for (const k of vars.keys()) if (k.startsWith('ansible_') && !k.startsWith('ansible_facts')) connVars[k] = vars.get(k);
      // Play-level `become:` escalates the connection unless the inventory decides.
      if (this.playBecome && connVars.ansible_become === undefined) connVars.ansible_become = true;
      if (this.playBecomeUser && connVars.ansible_become_user === undefined) connVars.ansible_become_user = this.playBecomeUser;
      const via = connVars.ansible_chroot_via;
      if (via !== undefined && connVars.ansible_connection === 'chroot') {
        // An image tree on another host: reuse that host's connection.
        const viaName = String(via);
        if (viaName === this.name) throw new HostUnreachableError(this.name, 'ansible_chroot_via names the host itself');
        if (!this.shared.inventory.hosts.has(viaName)) throw new HostUnreachableError(this.name, `ansible_chroot_via: no host '${viaName}' in the inventory`);
        const parent = await this.shared.hostRun(viaName).connect();
        const tree = String(connVars.ansible_chroot_path ?? connVars.ansible_host ?? '');
        const h = new ChrootOverHost(this.name, parent, tree);
        this.host = h;
        return h;
      }
      let h = this.options.connect(this.name, connVars);
      const journal = this.options.writeJournal;
      if (journal && !this.options.check) {
        h = journaledHost(h, journal);
        await sweepLeftOverTemps(h, journal);
      }
      this.host = h;
      return h;
    })();
    return this.hostPromise;
  }

  async close(): Promise<void> {
    await this.host?.close().catch(() => {});
  }

  private tagged(task: Task): boolean {
    const { tags, skipTags } = this.options;
    const t = new Set(task.tags);
    if (t.has('always') && !skipTags.includes('always')) return true;
    if (skipTags.some((x) => t.has(x)) || (t.has('never') && !tags.some((x) => t.has(x)))) return false;
    if (tags.length === 0 || tags.includes('all')) return !t.has('never');
    if (tags.includes('tagged') && t.size) return true;
    if (tags.includes('untagged') && !t.size) return true;
    return tags.some((x) => t.has(x));
  }

  /** Runs a play's tasks and then its notified handlers. */
  async runPlay(play: Play, playVars: (hr: HostRun) => Array<Record<string, unknown>>): Promise<void> {
    this.playName = play.name;
    this.playLayers = [play.vars];
    this.playCheck = play.checkMode;
    this.playBecome = play.become;
    this.playBecomeUser = play.becomeUser;
    this.notified.clear();
    if (this.failed || this.unreachable) return;
    this.loadPending(play);
    if (play.gatherFacts) {
      try {
        const host = await this.connect();
        this.factsLayer = dataLayer(factVariables(await host.facts()));
      } catch (e) {
        this.markUnreachable(e instanceof Error ? e.message : String(e));
        return;
      }
    }
    try {
      this.playLayers = playVars(this);
    } catch (e) {
      this.failed = true;
      this.summary.failed++;
      this.shared.reporter.task({
        host: this.name, play: play.name, task: 0, name: 'vars_files', module: 'vars_files', status: 'failed',
        check: this.options.check, changes: [], message: e instanceof Error ? e.message : String(e), noLog: false,
        showDiff: false, handler: false, durationMs: 0, source: play.origin.source.file,
      });
      return;
    }
    for (const task of play.tasks) {
      if (this.options.stopRequested()) return;
      if (!this.tagged(task)) continue;
      if (task.meta === 'flush_handlers') {
        if (!(await this.runHandlers(play))) return;
        continue;
      }
      if (task.meta === 'end_play' || task.meta === 'end_host') return;
      if (task.meta !== undefined && task.meta !== 'noop') continue;
      // Recorded before the task may change anything: a kill or a lost connection
      // between its change and the end of the task must not lose the notification.
      const marks = task.notify.filter((n) => !this.notified.has(n));
      if (marks.length) this.savePending(marks);
      this.taskTouched = false;
      const status = await this.runner.run(task);
      if (marks.length) {
        // A failed (even ignored) or cut-off task may have changed something: keep its notifications.
        if (this.taskTouched || status === 'unreachable') for (const n of marks) this.notified.add(n);
        this.savePending();
      }
      if (status === 'failed' || status === 'unreachable') {
        this.failed = true;
        return;
      }
    }
    await this.runHandlers(play);
  }

  /** Notified handlers, once each, in definition order. */
  private async runHandlers(play: Play): Promise<boolean> {
    if (this.notified.size === 0) return true;
    const pending = new Set(this.notified);
    this.notified.clear();
    const ran = new Set<string>();
    // Notifications whose handlers have not all run yet stay recorded for the next run.
    const owed = () => [...pending].filter((n) => play.handlers.some((h) => (h.name === n || h.listen.includes(n)) && !ran.has(h.name)));
    const giveUp = () => {
      for (const n of owed()) this.notified.add(n);
      this.savePending();
      return false;
    };
    for (const h of play.handlers) {
      if (!pending.has(h.name) && !h.listen.some((l) => pending.has(l))) continue;
      if (this.options.stopRequested()) return giveUp();
      const status = await this.runner.run(h, true);
      if (status === 'failed' || status === 'unreachable') {
        this.failed = true;
        return giveUp();
      }
      ran.add(h.name);
      this.savePending(owed());
    }
    this.savePending();
    return true;
  }

  /** Starts the play owing the handlers an earlier run notified but never ran. */
  private loadPending(play: Play): void {
    const store = this.options.pendingHandlers;
    this.recorded = new Set();
    if (!store) return;
    const owed = store.load(this.name, play.name);
    this.recorded = new Set(owed);
    // A handler the playbook no longer has cannot run: its record is dropped.
    for (const n of owed) if (play.handlers.some((h) => h.name === n || h.listen.includes(n))) this.notified.add(n);
    if (this.notified.size !== owed.length) this.savePending();
  }

  /** Records `notified` (plus `extra`) for this host's play when it differs from what is recorded. */
  private savePending(extra: string[] = []): void {
    const store = this.options.pendingHandlers;
    if (!store || this.options.check) return;
    const want = new Set([...this.notified, ...extra]);
    if (want.size === this.recorded.size && [...want].every((n) => this.recorded.has(n))) return;
    store.save(this.name, this.playName, want);
    this.recorded = want;
  }

  /** Handler names notified but not run (the run stopped early). */
  pendingHandlers(): string[] {
    return [...this.notified];
  }
}
