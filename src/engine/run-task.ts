// One task on one host: loop, when, templating of parameters, schema check,
// plan/apply/verify, changed_when/failed_when, register, notify.

import type { Task } from '../config/playbook-model.js';
import { validateModuleParams, ModuleParamsError } from '../config/module-params.js';
import { ConnectionLostError, HostOperationError, HostUnreachableError } from '../host/host.js';
import { renderDeep, renderValue, TemplateError, TemplateUndefinedError } from '../template/render.js';
import type { Ledger } from './ledger.js';
import { conditionTruth } from '../template/filters.js';
import { makeModuleContext } from './context.js';
import { convergeTask, type TaskOutcome } from './converge-task.js';
import type { EventStatus, TaskEvent } from './events.js';
import type { TaskRunHost, TaskRunOutcome } from './task-run-host.js';
import { TaskFailedError, type Change } from './module.js';
import type { VarScope } from './variables.js';
import { loopItems } from './loops.js';
import * as path from 'node:path';

import { TOP_FRAME, type Frame } from './frame.js';

/** Whether an item's result says changed (a failed one may have changed something too). */
const changedOf = (o: TaskOutcome): boolean => o.status === 'changed' || (o.status === 'failed' && o.changed === true);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Directories with_first_found / with_fileglob look in, as Ansible's lookups do for the task's action. */
export function searchDirs(task: Task, playbookDir: string): string[] {
  const sub = task.module.searchDir ?? 'files';
  const dirs = [path.join(task.baseDir, sub), task.baseDir];
  if (task.role) dirs.push(path.join(task.role.dir, 'tasks'), path.join(playbookDir, sub), playbookDir);
  return [...new Set(dirs)];
}

export const OMIT = '__converge_omit_place_holder__';

function stripOmit(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== OMIT).map(stripOmit);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== OMIT) out[k] = stripOmit(x);
    return out;
  }
  return v;
}

export function sourceOf(task: Task): string {
  const pos = task.origin.source.posOf(task.origin.path);
  return `${pos.file}:${pos.line ?? '?'}`;
}

function locate(task: Task, e: unknown): string {
  if (e instanceof TemplateError) {
    // A template file names itself; a task's parameter, condition or variable is placed at the task.
    if (path.isAbsolute(e.source)) return `${e.source}${e.line ? ':' + e.line : ''}: ${e.message}`;
    const inTask = e.source.startsWith('variable') || e.source === 'expression' || e.source.startsWith('task ') ? '' : ` (in ${e.source})`;
    return `${sourceOf(task)}: ${e.message}${e.source.startsWith('variable') ? ` (in ${e.source})` : inTask}`;
  }
  if (e instanceof ModuleParamsError) return e.problems.map((p) => {
    const pos = task.origin.source.posOf(task.paramPath(p.path[0] ?? ''), p.atKey);
    return `${pos.file}:${pos.line}:${pos.col}: ${p.message}`;
  }).join('; ');
  return e instanceof Error ? e.message : String(e);
}

interface ItemOutcome extends TaskOutcome {
  item?: unknown;
  /** An undefined in a template of the task for this item: as in Ansible, the loop stops and the whole task fails. */
  aborts?: boolean;
}

export class TaskRunner {
  constructor(private readonly hr: TaskRunHost) {}

  private truthy(task: Task, exprs: string[], scope: Record<string, unknown>): boolean {
    for (const w of exprs) {
      const v = renderValue(`{{ ${w} }}`, scope, `when: ${w}`);
      if (!conditionTruth(v)) return false;
    }
    return true;
  }

  /** Runs the task (all loop items) and reports; returns the combined status. */
  async run(task: Task, handler = false, frame: Frame = TOP_FRAME): Promise<EventStatus> {
    if (task.runOnce) return this.hr.runOnce(task, () => this.runTask(task, handler, frame));
    const limit = task.throttle ?? 0;
    if (!limit) return (await this.runTask(task, handler, frame)).status;
    // throttle: as Ansible, at most `limit` hosts run this task at the same time (run_once wins over it).
    const slots = this.hr.throttles;
    let gate = slots.get(task);
    if (!gate) { gate = { running: 0, waiting: [] }; slots.set(task, gate); }
    const g = gate;
    // A host that finishes hands its slot straight to the next one waiting.
    if (g.running >= limit) await new Promise<void>((resolve) => g.waiting.push(resolve));
    else g.running++;
    try {
      return (await this.runTask(task, handler, frame)).status;
    } finally {
      const next = g.waiting.shift();
      if (next) next(); else g.running--;
    }
  }

  /** The task on this host; `apply` replays its registered value and facts on another host (run_once). */
  async runTask(task: Task, handler: boolean, frame: Frame): Promise<TaskRunOutcome> {
    const start = Date.now();
    const freshScope = () => this.hr.scopeFor(task, frame.layers);
    const scope = freshScope();
    const emit = (status: EventStatus, changes: Change[], message?: string, item?: string, ignored?: boolean, changedToo?: boolean) => {
      const ev: TaskEvent = {
        host: this.hr.name, play: this.hr.playName, task: task.number, name: task.name, module: task.module.name,
        status, check: this.hr.isCheck(task), changes, message, item, ignored, noLog: task.noLog,
        ...(status === 'failed' && changedToo ? { changedToo: true } : {}),
        showDiff: task.diff ?? (this.hr.options.diff || this.hr.options.check), handler,
        durationMs: Date.now() - start, source: sourceOf(task),
        ...(status === 'failed' && !ignored && frame.rescuable ? { rescued: true } : {}),
      };
      this.hr.report(ev, item === undefined);
    };
    const noop = (_other: TaskRunHost) => {};
    if (task.ignoreErrorsTemplate !== undefined) {
      const tpl = task.ignoreErrorsTemplate;
      try {
        task = { ...task, ignoreErrors: conditionTruth(renderValue(tpl, scope.proxy, `ignore_errors: ${tpl}`)) };
      } catch (e) {
        emit('failed', [], locate(task, e));
        this.hr.noteFailure(task, { failed: true, msg: locate(task, e) });
        return { status: 'failed', apply: noop };
      }
    }

    let items: unknown[] | undefined;
    try {
      // Ansible evaluates `when` before the loop only to skip a task whose loop is undefined; the loop itself comes first.
      if (task.loop !== undefined) {
        items = loopItems({ kind: task.loopKind ?? 'loop', raw: task.loop, vars: scope.proxy, searchDirs: searchDirs(task, this.hr.playbookDir), what: `loop of task '${task.name}'` });
      }
    } catch (e) {
      if (task.when.length) {
        // A task skipped by `when` does not need its loop: `when: x is defined` with `loop: "{{ x }}"`.
        try { if (!this.truthy(task, task.when, scope.proxy)) { emit('skipped', [], 'condition false'); return { status: 'skipped', apply: noop }; } } catch { /* report the loop's error */ }
      }
      emit('failed', [], locate(task, e), undefined, task.ignoreErrors || undefined);
      this.hr.noteFailure(task, { failed: true, msg: locate(task, e) });
      return { status: task.ignoreErrors ? 'ok' : 'failed', apply: noop };
    }

    const outcomes: ItemOutcome[] = [];
    let aborted: ItemOutcome | undefined;
    const list = items ?? [undefined];
    const lc = task.loopControl;
    const appliedFacts: Array<Record<string, unknown>> = [];
    for (const [index, item] of list.entries()) {
      if (index > 0 && lc.pause) await sleep(lc.pause * 1000);
      // Each item sees what the items before it set (set_fact in a loop accumulates).
      const base = index === 0 ? scope : freshScope();
      const loopVars: Record<string, unknown> = items ? { [lc.loop_var]: item, ansible_loop_var: lc.loop_var } : {};
      if (items && lc.index_var) { loopVars[lc.index_var] = index; loopVars.ansible_index_var = lc.index_var; }
      if (items && lc.extended) {
        loopVars.ansible_loop = {
          allitems: list, index: index + 1, index0: index, revindex: list.length - index, revindex0: list.length - index - 1,
          first: index === 0, last: index === list.length - 1, length: list.length,
          ...(index > 0 ? { previtem: list[index - 1] } : {}), ...(index < list.length - 1 ? { nextitem: list[index + 1] } : {}),
        };
      }
      const itemScope = items ? base.withData(loopVars) : base;
      const label = items ? this.label(task, itemScope, item) : undefined;
      // A task still running after a second says so on a terminal (image builds, installs).
      const slow = setTimeout(() => this.hr.progress(`[${task.number}] ${task.name}${label ? ` (${label})` : ''} …`), 1000);
      const o = await this.runWithRetries(task, itemScope).finally(() => clearTimeout(slow));
      if (!this.hr.unreachable) outcomes.push({ ...o, item });
      if (this.hr.unreachable) {
        emit('unreachable', [], o.message, label);
        outcomes.push({ ...o, item });
        break;
      }
      const ignored = o.status === 'failed' && task.ignoreErrors;
      // debug's message always shows; assert's success message with -v unless quiet, as in Ansible.
      const shows = task.module.showsMessage;
      const quiet = shows === 'verbose' && (this.hr.options.verbosity < 1 || o.result.quiet === true);
      const shown = shows && o.status === 'ok'
        ? (o.result.msg === undefined || quiet ? undefined : String(o.result.msg)) : o.message;
      emit(o.status, o.changes, shown, label, ignored, o.changed);
      const facts = o.result.ansible_facts;
      if (task.module.setsVariables && o.status !== 'failed' && o.status !== 'skipped' && facts && typeof facts === 'object') {
        if (task.module.setsVariables === 'included') this.hr.includeVars(facts as Record<string, unknown>);
        else this.hr.setFacts(facts as Record<string, unknown>);
        appliedFacts.push(facts as Record<string, unknown>);
      } else if (o.status !== 'failed' && o.status !== 'skipped' && facts && typeof facts === 'object' && !Array.isArray(facts)) {
        this.hr.addHostFacts(facts as Record<string, unknown>);
      }
      if (o.status === 'failed' && !task.ignoreErrors && !items) break;
      if (this.hr.unreachable) break;
      if ((o as ItemOutcome).aborts && items) { aborted = o; break; }
    }

    const any = (st: string) => outcomes.some((o) => o.status === st);
    const status: EventStatus = this.hr.unreachable ? 'unreachable' : any('failed') ? 'failed' : any('changed') ? 'changed' : outcomes.every((o) => o.status === 'skipped') ? 'skipped' : 'ok';
    if (items) {
      // A loop counts once in the recap, as in Ansible; an empty loop is a skip.
      const st = items.length === 0 ? 'skipped' : status;
      if (items.length === 0) emit('skipped', [], 'no items');
      else this.hr.countTask({ status: st, ignored: st === 'failed' && task.ignoreErrors, rescued: st === 'failed' && !task.ignoreErrors && frame.rescuable, changedToo: outcomes.some(changedOf) });
    }
    let registered: Record<string, unknown> | undefined;
    if (task.register || status === 'failed') {
      registered = aborted
        ? { changed: false, failed: true, msg: aborted.message }
        : items
        ? { results: outcomes.map((o) => this.registered(o, task)), changed: outcomes.some(changedOf), failed: status === 'failed', skipped: status === 'skipped', ...(status === 'failed' ? { msg: 'One or more items failed' } : {}) }
        : this.registered(outcomes[0], task);
    }
    if (task.register && registered) this.hr.register(task.register, registered);
    if (status === 'failed') this.hr.noteFailure(task, registered ?? {});
    if (status === 'changed') for (const n of this.notifyNames(task, scope)) this.hr.notify(n, task);
    const apply = (other: TaskRunHost) => {
      if (task.register && registered) other.register(task.register, registered);
      for (const f of appliedFacts) { if (task.module.setsVariables === 'included') other.includeVars(f); else other.setFacts(f); }
    };
    if (status === 'failed' && task.ignoreErrors) return { status: 'ok', apply };
    return { status, apply };
  }

  /** A task's `when` on its own (meta actions): reports the skip; 'failed' when the condition cannot be evaluated. */
  conditionHolds(task: Task, frame: Frame): 'yes' | 'skipped' | 'failed' {
    if (!task.when.length) return 'yes';
    const ev = (status: EventStatus, message: string): TaskEvent => ({
      host: this.hr.name, play: this.hr.playName, task: task.number, name: task.name, module: task.module.name,
      status, check: this.hr.isCheck(task), changes: [], message, noLog: task.noLog, showDiff: false, handler: false,
      durationMs: 0, source: sourceOf(task), ...(status === 'failed' && task.ignoreErrors ? { ignored: true } : {}),
    });
    try {
      if (this.truthy(task, task.when, this.hr.scopeFor(task, frame.layers).proxy)) return 'yes';
      // Shown, but not counted: Ansible's recap leaves a skipped meta out.
      this.hr.report(ev('skipped', 'condition false'), false);
      return 'skipped';
    } catch (e) {
      this.hr.report(ev('failed', locate(task, e)));
      return 'failed';
    }
  }

  /** notify: names may be templates (`notify: "restart {{ svc }}"`). */
  private notifyNames(task: Task, scope: VarScope): string[] {
    return task.notify.map((n) => {
      try { return String(renderValue(n, scope.proxy, 'notify')); } catch { return n; }
    });
  }

  /** until/retries/delay: the task again until the condition holds, with the result as the registered variable. */
  private async runWithRetries(task: Task, scope: VarScope): Promise<TaskOutcome> {
    let o = await this.runOne(task, scope);
    const u = task.until;
    // In --check the task did not run: there is nothing to wait for.
    if (!u || o.status === 'skipped' || this.hr.isCheck(task)) return o;
    for (let attempt = 1; ; attempt++) {
      const result = { ...this.registered({ ...o }, task), attempts: attempt };
      let done: boolean;
      try {
        const s = scope.withData({ ...(task.register ? { [task.register]: result } : {}), __converge_result: result });
        done = this.truthy(task, u.until, s.proxy);
      } catch (e) {
        return { status: 'failed', changes: o.changes, result: o.result, message: locate(task, e) };
      }
      if (done) return { ...o, result: { ...o.result, attempts: attempt } };
      if (attempt > u.retries) {
        return { ...o, status: 'failed', result: { ...o.result, attempts: attempt }, message: `${o.message ? o.message + '; ' : ''}retried ${u.retries} times and the until condition still does not hold: ${u.until.join(' and ')}` };
      }
      if (this.hr.options.stopRequested()) return o;
      this.hr.progress(`[${task.number}] ${task.name}: retrying (${attempt}/${u.retries})`);
      await sleep(u.delay * 1000);
      o = await this.runOne(task, scope);
    }
  }

  private label(task: Task, scope: VarScope, item: unknown): string {
    if (task.loopControl.label) {
      try { return String(renderValue(task.loopControl.label, scope.proxy, 'loop_control.label')); } catch { /* fall through */ }
    }
    if (task.noLog) return '(item hidden: no_log)';
    return typeof item === 'object' ? JSON.stringify(item) : String(item);
  }

  private registered(o: ItemOutcome, task: Task): Record<string, unknown> {
    const r: Record<string, unknown> = { ...o.result, changed: changedOf(o), failed: o.status === 'failed', skipped: o.status === 'skipped' };
    if (o.message !== undefined) r.msg = o.message;
    if (o.item !== undefined) r[task.loopControl.loop_var] = o.item;
    return r;
  }

  private async runOne(task: Task, scope: VarScope): Promise<ItemOutcome> {
    const vars = scope.proxy;
    let params: Record<string, unknown>;
    try {
      if (task.when.length && !this.truthy(task, task.when, vars)) return { status: 'skipped', changes: [], result: {}, message: 'condition false' };
      if (task.module.verbosityParam) {
        const param = task.module.verbosityParam;
        const v = renderValue(String(task.params[param] ?? 0), vars, param);
        if (Number(v) > this.hr.options.verbosity) return { status: 'skipped', changes: [], result: { skipped_reason: 'Verbosity threshold not met.' }, message: `needs -${'v'.repeat(Number(v))}` };
      }
      params = stripOmit(renderDeep(task.params, vars, `task '${task.name}'`)) as Record<string, unknown>;
      if ('_raw_params' in params) {
        return { status: 'failed', changes: [], result: {}, message: `${sourceOf(task)}: expected key=value parameters for '${task.moduleKey}', found '${params._raw_params}'` };
      }
      params = task.module.paramsAreVariables ? params : validateModuleParams(task.module, params);
    } catch (e) {
      return { status: 'failed', changes: [], result: {}, message: locate(task, e), ...(e instanceof TemplateUndefinedError ? { aborts: true } : {}) };
    }

    const check = this.hr.isCheck(task);
    let outcome: TaskOutcome;
    let ledger = this.hr.ledger;
    try {
      // The module's own host-free checks (mgmt's Validate): a wrong combination fails before any connection.
      task.module.validate?.(params);
    } catch (e) {
      if (!(e instanceof TaskFailedError)) throw e;
      return this.applyConditions(task, { status: 'failed', changes: [], result: e.result ?? {}, message: e.message }, scope);
    }
    try {
      const host = task.module.controllerOnly ? this.hr.controllerHost() : await this.hr.hostFor(task, vars);
      ledger = this.hr.ledgerFor(task, vars, !!task.module.controllerOnly);
      const ctx = makeModuleContext({
        host, check, baseDir: task.baseDir, ledger, taskNumber: task.number, vars,
        lookup: this.hr.lookup, taskSource: sourceOf(task), progress: (m) => this.hr.progress(m),
      });
      outcome = await convergeTask(task.module, params, ctx, () => this.hr.beforeTaskChanges());
    } catch (e) {
      if (e instanceof HostUnreachableError || e instanceof ConnectionLostError) {
        this.hr.markUnreachable(e.message, true);
        return { status: 'failed', changes: [], result: {}, message: e.message };
      }
      if (check && (e instanceof HostOperationError) && !ledger.empty) {
        return this.predicted(e.message, ledger);
      }
      return { status: 'failed', changes: [], result: {}, message: locate(task, e) };
    }
    if (check && outcome.status === 'failed' && !ledger.empty && /not found|No such file|ENOENT|command not found|not installed|could not be found/i.test(outcome.message ?? '')) {
      return this.predicted(outcome.message ?? '', ledger);
    }
    // As Ansible: in --check a command or shell without creates/removes is skipped (it cannot say what it
    // would do); its plan still shows what would run.
    const judgedBy = task.module.checkSkipsUnless;
    if (check && judgedBy && judgedBy.every((k) => params[k] === undefined) && outcome.status === 'changed') {
      // What it registers is Ansible's: rc 0, empty output.
      const result = { ...outcome.result, rc: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [], start: null, end: null, delta: null };
      return { ...outcome, result, status: 'skipped', message: 'Command would have run if not in check mode' };
    }
    return this.applyConditions(task, outcome, scope);
  }

  /** --check: the task cannot be judged before an earlier predicted change is made. */
  private predicted(message: string, ledger: Ledger): TaskOutcome {
    const after = ledger.lastTask();
    return {
      status: 'changed',
      changes: [{ property: 'depends', summary: `cannot be checked before task ${after} runs (${message.split('\n')[0]})`, afterTask: after }],
      result: {},
    };
  }

  private applyConditions(task: Task, o: TaskOutcome, scope: VarScope): TaskOutcome {
    if (!task.changedWhen && !task.failedWhen) return o;
    if (o.status === 'skipped') return o;
    const extra = { ...o.result, changed: o.status === 'changed' || (o.status === 'failed' && o.changed === true), failed: o.status === 'failed' };
    const s = scope.withData({ ...(task.register ? { [task.register]: extra } : {}), result: extra, ...o.result });
    try {
      // As Ansible: changed_when decides changed, failed_when decides failed, each on its own (a command that
      // ran and failed is changed unless changed_when says otherwise).
      let changed = extra.changed;
      if (task.changedWhen) changed = task.changedWhen.length > 0 && this.truthy(task, task.changedWhen, s.proxy);
      let failed = o.status === 'failed';
      if (task.failedWhen) failed = task.failedWhen.length > 0 && this.truthy(task, task.failedWhen, s.proxy);
      if (failed) {
        const message = o.status === 'failed' ? o.message : `failed_when: ${task.failedWhen!.join(' and ')}`;
        return { ...o, status: 'failed', message: message ?? `failed_when: ${(task.failedWhen ?? []).join(' and ')}`, changed };
      }
      return { ...o, status: changed ? 'changed' : 'ok', changes: changed ? o.changes : [], message: o.status === 'failed' ? undefined : o.message, changed: undefined };
    } catch (e) {
      return { status: 'failed', changes: [], result: o.result, message: locate(task, e) };
    }
  }
}
