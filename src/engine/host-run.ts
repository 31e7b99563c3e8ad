// Everything converge knows about one host during a run: its connection,
// facts, registered results, pending handlers, ledger and counts.

import { pyStr } from '../template/py-values.js';
import * as path from 'node:path';
import type { Play, Task } from '../config/playbook-model.js';
import { connectionKind } from '../host/connect.js';
import { renderDeep, renderValue } from '../template/render.js';
import { runSteps } from './run-steps.js';
import { prefetchPlay } from './prefetch.js';
import { connectionVarsOf, withConnectionKeywords } from './connection-vars.js';
import type { Host } from '../host/host.js';
import { HostUnreachableError } from '../host/host.js';
import { LocalHost } from '../host/local-host.js';
import { ChrootOverHost } from '../host/chroot-over-host.js';
import type { Inventory } from '../inventory/inventory.js';
import type { Lookup } from '../template/render.js';
import { emptySummary, type HostSummary, type Reporter, type TaskEvent } from './events.js';
import { factVariables } from './facts-vars.js';
import { Ledger } from './ledger.js';
import { journaledHost, sweepLeftOverTemps } from './write-journal.js';
import { OMIT, TaskRunner } from './run-task.js';
import { TOP_FRAME, type Frame } from './frame.js';
import type { StepRunHost, TaskRunOutcome } from './task-run-host.js';
import type { RunOptions } from './run-options.js';
import type { EventStatus } from './events.js';
import { dataLayer, VarScope } from './variables.js';

export type { RunOptions } from './run-options.js';

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
  /** The current play's hosts, and those of them still running (not failed or unreachable). */
  playHosts: string[];
  /** run_once tasks of the current play: the first host runs, the others take its result. */
  runOnce: Map<Task, Promise<TaskRunOutcome>>;
  /** meta: end_play ends the play for every host. */
  playEnded: boolean;
  /** Wakes the hosts waiting for a run_once leader (a run_once started, or a host left the play). */
  wake(): void;
  nextWake(): Promise<void>;
  /** --check's predictions for the controller (tasks delegated to a localhost outside the inventory). */
  controllerLedger: Ledger;
  /** throttle: the hosts running each throttled task now, and those waiting for a turn. */
  throttles: Map<Task, { running: number; waiting: Array<() => void> }>;
}

export class HostRun implements StepRunHost {
  summary: HostSummary = emptySummary();
  unreachable?: string;
  failed = false;
  readonly ledger = new Ledger();
  playName = '';
  private hostPromise?: Promise<Host>;
  private host?: Host;
  private factsLayer: Record<string, unknown> = {};
  private setFactLayer: Record<string, unknown> = {};
  /** include_vars: templated when read (not host data), below set_fact as in Ansible's precedence. */
  private includeVarsLayer: Record<string, unknown> = {};
  private playLayers: Array<Record<string, unknown>> = [];
  private notified = new Set<string>();
  /** What the pending-handler store holds for this host's current play. */
  private recorded = new Set<string>();
  /** The running task changed something (or may have, before it failed). */
  private taskTouched = false;
  private notifiers = new Map<string, Task>();
  private readonly runner = new TaskRunner(this);
  private controller?: Host;
  private play?: Play;

  constructor(public readonly name: string, private readonly shared: SharedRun) {}

  get options(): RunOptions { return this.shared.options; }
  get throttles(): SharedRun['throttles'] { return this.shared.throttles; }
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
      ansible_run_tags: this.options.tags.length ? this.options.tags : ['all'],
      ansible_skip_tags: this.options.skipTags,
      ansible_play_name: this.playName,
      ansible_play_hosts_all: this.shared.playHosts,
      ansible_play_hosts: this.activeHosts(),
      ansible_play_batch: this.activeHosts(),
      play_hosts: this.activeHosts(),
      ansible_verbosity: this.options.verbosity,
      omit: OMIT,
      // ansible-core's default for templates' header line.
      ansible_managed: 'Ansible managed',
      ansible_version: ansibleVersion(),
    };
    return [magic, this.play?.roleDefaults ?? {}, invVars, this.factsLayer];
  }

  private activeHosts(): string[] {
    return this.shared.playHosts.filter((h) => {
      const r = this.shared.hosts.get(h);
      return !r || (!r.failed && !r.unreachable);
    });
  }

  get playbookDir(): string { return this.play?.dir ?? this.shared.playbookDir; }

  /** The variables a task sees: role defaults at the bottom, its role's vars over the play's, include and loop layers, extra vars on top. */
  scopeFor(task: Task, layers: Array<Record<string, unknown>>): VarScope {
    const [magic, playDefaults, invVars, facts] = this.baseLayers();
    return new VarScope([magic, playDefaults, task.role?.defaults ?? {}, invVars, facts, ...this.playLayers,
      this.play?.roleVars ?? {}, task.role?.vars ?? {}, this.includeVarsLayer, this.setFactLayer, ...layers, task.vars, this.options.extraVars], this.lookup);
  }

  /** The failed task and its result, for a rescue's ansible_failed_task / ansible_failed_result. */
  lastFailure?: { task: Task; result: Record<string, unknown> };

  noteFailure(task: Task, result: Record<string, unknown>): void {
    this.lastFailure = { task, result };
  }

  /** Done with the current play (finished, failed, ended or unreachable): no longer the one to run a run_once task. */
  leftPlay = false;

  /**
   * run_once: as Ansible, the first host of the play still in it runs the task (another host
   * reaching it first waits for that one, or for it to leave the play); every host gets its
   * registered value and facts, and only the host that ran it counts it in the recap.
   */
  async runOnce(task: Task, run: () => Promise<TaskRunOutcome>): Promise<EventStatus> {
    for (;;) {
      const first = this.shared.runOnce.get(task);
      if (first) {
        const r = await first;
        r.apply(this);
        return r.status === 'failed' ? 'ok' : r.status;
      }
      const leader = this.shared.playHosts.find((h) => !this.shared.hosts.get(h)?.leftPlay);
      if (leader === undefined || leader === this.name) {
        const p = run();
        this.shared.runOnce.set(task, p);
        this.shared.wake();
        return (await p).status;
      }
      await this.shared.nextWake();
    }
  }

  private extraHosts = new Map<string, Promise<Host>>();

  /**
   * The connection a task runs over: delegate_to another host, become/become_user and
   * remote_user of the task (inventory connection variables win, as in Ansible), and
   * the task's environment added to every command.
   */
  async hostFor(task: Task, vars: Record<string, unknown>): Promise<Host> {
    let host: Host;
    const delegate = task.delegateTo === undefined ? undefined : String(renderValue(task.delegateTo, vars, 'delegate_to'));
    if (delegate !== undefined && delegate !== this.name) {
      if (this.shared.inventory.hosts.has(delegate)) host = await this.shared.hostRun(delegate).connectAs(task);
      else if (/^(localhost|127\.0\.0\.1|::1)$/.test(delegate)) host = this.controllerAs(task);
      else throw new HostUnreachableError(this.name, `delegate_to: no host '${delegate}' in the inventory`);
    } else host = await this.connectAs(task);
    if (!task.environment.length) return host;
    const env: Record<string, string> = {};
    for (const e of task.environment) {
      const v = renderDeep(e, vars, 'environment');
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`environment must be a mapping of names to values, got ${JSON.stringify(v)}`);
      for (const [k, x] of Object.entries(v)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`environment: '${k}' is not a variable name`);
        // Python's str() of the value, as Ansible puts it in the environment (True, 4.0, [1, 2]).
        env[k] = x === null || x === undefined ? '' : pyStr(x);
      }
    }
    return withEnvironment(host, env);
  }

  /** A local connection cannot change user: become to another user is refused, never ignored. */
  private checkLocalBecome(task: Task, connVars: Record<string, unknown>): void {
    const become = connVars.ansible_become === true || /^(yes|true|on|1)$/i.test(String(connVars.ansible_become ?? ''));
    const me = process.getuid?.() === 0 ? 'root' : (process.env.USER ?? '');
    const target = become ? String(connVars.ansible_become_user ?? 'root') : me;
    if (target !== me) throw new Error(`${sourceOfTask(task)}: become_user '${target}' on a local connection is not supported (converge runs as ${me || 'this user'}); run the task over ssh or drop become_user`);
    const user = connVars.ansible_user;
    if (user !== undefined && String(user) !== me && task.remoteUser !== undefined) throw new Error(`${sourceOfTask(task)}: remote_user '${String(user)}' on a local connection is not supported`);
  }

  private controllerAs(task: Task): Host {
    this.checkLocalBecome(task, this.taskConnVars(task, { ansible_connection: 'local' }));
    return this.controllerHost();
  }

  /** Connection variables for a task: the inventory's, else the task's and play's keywords. */
  private taskConnVars(task: Task | undefined, base?: Record<string, unknown>): Record<string, unknown> {
    return withConnectionKeywords(base ?? connectionVarsOf(this.scope()), {
      become: task?.become ?? (this.playBecome || undefined),
      becomeUser: task?.becomeUser ?? this.playBecomeUser,
      remoteUser: task?.remoteUser ?? this.play?.remoteUser,
      connection: this.play?.connection,
    });
  }

  /** This host's connection for a task whose become/remote_user may differ from the play's. */
  async connectAs(task: Task): Promise<Host> {
    const want = this.taskConnVars(task);
    if (connectionKind(this.name, want) === 'local') {
      this.checkLocalBecome(task, want);
      return this.connect();
    }
    // Without become, become_user or remote_user of its own a task uses the play's connection.
    if (task.become === undefined && task.becomeUser === undefined && task.remoteUser === undefined) return this.connect();
    const dflt = this.taskConnVars(undefined);
    const key = JSON.stringify([want.ansible_become, want.ansible_become_user, want.ansible_user]);
    if (key === JSON.stringify([dflt.ansible_become, dflt.ansible_become_user, dflt.ansible_user])) return this.connect();
    let p = this.extraHosts.get(key);
    if (!p) {
      p = Promise.resolve(this.options.connect(this.name, want));
      this.extraHosts.set(key, p);
    }
    return p;
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
    return new VarScope([...this.baseLayers(), ...this.playLayers, this.includeVarsLayer, this.setFactLayer], this.lookup).proxy;
  }

  scope(): VarScope {
    return new VarScope([...this.baseLayers(), ...this.playLayers, this.includeVarsLayer, this.setFactLayer, this.options.extraVars], this.lookup);
  }

  isCheck(task: Task): boolean {
    return task.checkMode ?? this.playCheck ?? this.options.check;
  }

  private playCheck?: boolean;
  private playBecome = false;
  private playBecomeUser?: string;

  /** `count`: false for the items of a loop, which count once as a whole (countTask), as in Ansible's recap. */
  report(ev: TaskEvent, count = true): void {
    if (ev.status === 'changed' || (ev.status === 'failed' && ev.changes.length > 0)) this.taskTouched = true;
    if (count) this.countTask(ev);
    this.shared.reporter.task(ev);
  }

  countTask(ev: Pick<TaskEvent, 'status' | 'ignored' | 'rescued' | 'changedToo'>): void {
    const s = this.summary;
    if (ev.status === 'failed' && ev.ignored) {
      s.ignored++;
      if (ev.changedToo) { s.changed++; s.changedIgnored = (s.changedIgnored ?? 0) + 1; }
    }
    else if (ev.rescued) s.rescued = (s.rescued ?? 0) + 1;
    else if (ev.status === 'unreachable') s.unreachable++;
    else s[ev.status]++;
  }

  progress(message: string): void {
    this.shared.reporter.progress(this.name, message);
  }

  register(name: string, value: Record<string, unknown>): void {
    this.setFactLayer = dataLayer({ ...this.setFactLayer, [name]: value });
  }

  /**
   * Facts a module returned (setup, service_facts, hostname ...), as Ansible
   * keeps them: each name as returned at top level (services, ansible_hostname)
   * and under ansible_facts without its ansible_ prefix (ansible_facts.hostname).
   */
  addHostFacts(facts: Record<string, unknown>): void {
    const old = this.factsLayer.ansible_facts;
    const ns: Record<string, unknown> = old && typeof old === 'object' ? { ...(old as Record<string, unknown>) } : {};
    for (const [k, v] of Object.entries(facts)) ns[k.replace(/^ansible_/, '')] = v;
    this.factsLayer = dataLayer({ ...this.factsLayer, ...facts, ansible_facts: ns });
  }

  setFacts(facts: Record<string, unknown>): void {
    this.setFactLayer = dataLayer({ ...this.setFactLayer, ...facts });
  }

  includeVars(vars: Record<string, unknown>): void {
    this.includeVarsLayer = { ...this.includeVarsLayer, ...vars };
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

  /**
   * The ledger of the machine a task acts on: a delegated task's predicted changes are the
   * delegate's (another host's delegated task then sees them), as its changes would be.
   */
  ledgerFor(task: Task, vars: Record<string, unknown>, controllerOnly: boolean): Ledger {
    if (controllerOnly) return this.shared.controllerLedger;
    if (task.delegateTo === undefined) return this.ledger;
    const delegate = String(renderValue(task.delegateTo, vars, 'delegate_to'));
    if (delegate === this.name) return this.ledger;
    if (this.shared.inventory.hosts.has(delegate)) return this.shared.hostRun(delegate).ledger;
    return this.shared.controllerLedger;
  }

  controllerHost(): Host {
    this.controller ??= new LocalHost('localhost');
    return this.controller;
  }

  async connect(): Promise<Host> {
    if (this.unreachable) throw new HostUnreachableError(this.name, this.unreachable);
    this.hostPromise ??= (async () => {
      const connVars = this.taskConnVars(undefined);
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

  /** An image tree reached through a host this run is already connected to (ansible_chroot_via): connecting costs nothing. */
  private onConnectedHost(): boolean {
    try {
      const c = this.taskConnVars(undefined);
      if (c.ansible_connection !== 'chroot' || c.ansible_chroot_via === undefined) return false;
      return this.shared.hosts.get(String(c.ansible_chroot_via))?.host !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.host?.close().catch(() => {});
    for (const p of this.extraHosts.values()) await p.then((h) => h.close()).catch(() => {});
  }

  tagged(task: { tags: string[] }): boolean {
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
    this.play = play;
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
    // A host already connected (facts, an earlier play, or a tree on such a host) has its tasks' paths
    // looked at together first.
    const host = this.host ?? (this.onConnectedHost() ? await this.connect().catch(() => undefined) : undefined);
    if (host) await prefetchPlay(this, play, host);
    const flow = await runSteps(this, play, play.steps, TOP_FRAME);
    if (flow === 'failed') {
      this.failed = true;
      return;
    }
    if (flow === 'stopped') return;
    await this.runHandlers(play);
  }

  /** One task of the play: tags, meta actions, notifications kept until their handlers ran. */
  async runPlayTask(play: Play, task: Task, frame: Frame): Promise<'ok' | 'failed' | 'ended' | 'stopped'> {
    if (this.options.stopRequested() || this.shared.playEnded) return 'stopped';
    if (!this.tagged(task)) return 'ok';
    if (task.meta !== undefined && task.meta !== 'noop') {
      // A meta action runs only when its `when` holds (Ansible 2.14 skips it otherwise).
      const holds = this.runner.conditionHolds(task, frame);
      if (holds === 'skipped') return 'ok';
      if (holds === 'failed') return task.ignoreErrors ? 'ok' : 'failed';
      if (task.meta === 'flush_handlers') return (await this.runHandlers(play)) ? 'ok' : 'failed';
      if (task.meta === 'end_play') this.shared.playEnded = true;
      if (task.meta === 'end_play' || task.meta === 'end_host') return 'ended';
      return 'ok';
    }
    // Recorded before the task changes anything (beforeTaskChanges: its plan found something to
    // apply): a kill or a lost connection between its change and the end of the task must not lose
    // the notification. A task that changes nothing writes no record.
    const marks = task.notify.filter((n) => !n.includes('{{') && !this.notified.has(n));
    this.taskMarks = marks;
    this.taskTouched = false;
    const status = await this.runner.run(task, false, frame).finally(() => { this.taskMarks = []; });
    if (marks.length) {
      // A failed (even ignored) or cut-off task may have changed something: keep its notifications.
      if (this.taskTouched || status === 'unreachable') for (const n of marks) this.notified.add(n);
      this.savePending();
    }
    return status === 'failed' || status === 'unreachable' ? 'failed' : 'ok';
  }

  /** A task, block or include of the play reports a skip or an include (counted as Ansible counts them). */
  reportStep(name: string, status: 'skipped' | 'ok', message: string, source: string, count = true): void {
    this.report({
      host: this.name, play: this.playName, task: 0, name, module: 'include', status, check: this.options.check,
      changes: [], message, noLog: false, showDiff: false, handler: false, durationMs: 0, source,
    }, count);
  }

  get taskRunner(): TaskRunner { return this.runner; }

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

  /** The notifications of the play task now running, recorded once it is about to change the host. */
  private taskMarks: string[] = [];

  beforeTaskChanges(): void {
    if (this.taskMarks.length) this.savePending(this.taskMarks);
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

/**
 * `ansible_version`: the ansible-core whose playbook language converge speaks, the one its
 * differential tests run against (2.14). Playbooks guard on it
 * (`ansible_version.full is version('2.9', '>=')`); guards for 2.15 and later features are false.
 */
export const COMPATIBLE_ANSIBLE = '2.14.18';

function ansibleVersion(): Record<string, unknown> {
  const [major, minor, revision] = COMPATIBLE_ANSIBLE.split('.').map(Number);
  return { full: COMPATIBLE_ANSIBLE, major, minor, revision, string: COMPATIBLE_ANSIBLE };
}

function sourceOfTask(task: Task): string {
  const pos = task.origin.source.posOf(task.origin.path);
  return `${pos.file}:${pos.line ?? '?'}`;
}

/** A Host whose commands all get `env` added (the task's `environment:`). */
function withEnvironment(host: Host, env: Record<string, string>): Host {
  return new Proxy(host, {
    get(target, k, receiver) {
      if (k === 'run') {
        return (argv: string[], opts: import('../host/host.js').RunOptions = {}) => target.run(argv, { ...opts, env: { ...env, ...(opts.env ?? {}) } });
      }
      const v = Reflect.get(target, k, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
