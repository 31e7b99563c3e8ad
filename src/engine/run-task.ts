// One task on one host: loop, when, templating of parameters, schema check,
// plan/apply/verify, changed_when/failed_when, register, notify.

import type { Task } from '../config/playbook-model.js';
import { validateModuleParams, ModuleParamsError } from '../config/module-params.js';
import { ConnectionLostError, HostOperationError, HostUnreachableError } from '../host/host.js';
import { renderDeep, renderValue, TemplateError } from '../template/render.js';
import { conditionTruth } from '../template/filters.js';
import { makeModuleContext } from './context.js';
import { convergeTask, type TaskOutcome } from './converge-task.js';
import type { EventStatus, TaskEvent } from './events.js';
import type { HostRun } from './host-run.js';
import type { Change } from './module.js';
import type { VarScope } from './variables.js';

export const OMIT = '__converge_omit_place_holder__';

function stripOmit(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== OMIT).map(stripOmit);
  if (v && typeof v === 'object') {
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
    const where = e.source.startsWith('variable') || e.source === 'expression' ? sourceOf(task) : `${e.source}${e.line ? ':' + e.line : ''}`;
    return `${where}: ${e.message}${e.source.startsWith('variable') ? ` (in ${e.source})` : ''}`;
  }
  if (e instanceof ModuleParamsError) return e.problems.map((p) => {
    const pos = task.origin.source.posOf(task.paramPath(p.path[0] ?? ''), p.atKey);
    return `${pos.file}:${pos.line}:${pos.col}: ${p.message}`;
  }).join('; ');
  return e instanceof Error ? e.message : String(e);
}

interface ItemOutcome extends TaskOutcome {
  item?: unknown;
}

export class TaskRunner {
  constructor(private readonly hr: HostRun) {}

  private truthy(task: Task, exprs: string[], scope: Record<string, unknown>): boolean {
    for (const w of exprs) {
      const v = renderValue(`{{ ${w} }}`, scope, `when: ${w}`);
      if (!conditionTruth(v)) return false;
    }
    return true;
  }

  /** Runs the task (all loop items) and reports; returns the combined status. */
  async run(task: Task, handler = false): Promise<EventStatus> {
    const start = Date.now();
    const scope = this.hr.scope().with(task.vars);
    const emit = (status: EventStatus, changes: Change[], message?: string, item?: string, ignored?: boolean) => {
      const ev: TaskEvent = {
        host: this.hr.name, play: this.hr.playName, task: task.number, name: task.name, module: task.module.name,
        status, check: this.hr.isCheck(task), changes, message, item, ignored, noLog: task.noLog,
        showDiff: task.diff ?? (this.hr.options.diff || this.hr.options.check), handler,
        durationMs: Date.now() - start, source: sourceOf(task),
      };
      this.hr.report(ev);
    };

    let items: unknown[] | undefined;
    try {
      if (task.loop !== undefined) {
        const l = typeof task.loop === 'string' ? renderValue(task.loop, scope.proxy, `loop of task '${task.name}'`) : renderDeep(task.loop, scope.proxy, 'loop');
        if (!Array.isArray(l)) throw new TemplateError(`loop must be a list, got ${typeof l}`, 'expression');
        items = l;
      }
    } catch (e) {
      emit('failed', [], locate(task, e));
      return task.ignoreErrors ? 'ok' : 'failed';
    }

    const outcomes: ItemOutcome[] = [];
    const list = items ?? [undefined];
    for (const [index, item] of list.entries()) {
      const itemScope = items ? scope.withData({ [task.loopControl.loop_var]: item, ansible_loop_var: task.loopControl.loop_var, ...(task.loopControl.index_var ? { [task.loopControl.index_var]: index } : {}) }) : scope;
      const label = items ? this.label(task, itemScope, item) : undefined;
      // A task still running after a second says so on a terminal (image builds, installs).
      const slow = setTimeout(() => this.hr.progress(`[${task.number}] ${task.name}${label ? ` (${label})` : ''} …`), 1000);
      const o = await this.runOne(task, itemScope).finally(() => clearTimeout(slow));
      if (!this.hr.unreachable) outcomes.push({ ...o, item });
      if (this.hr.unreachable) {
        emit('unreachable', [], o.message, label);
        outcomes.push({ ...o, item });
        break;
      }
      const ignored = o.status === 'failed' && task.ignoreErrors;
      const shown = task.module.name === 'debug' && o.status === 'ok' ? String(o.result.msg ?? '') : o.message;
      emit(o.status, o.changes, shown, label, ignored);
      if (o.status === 'failed' && !task.ignoreErrors && !items) break;
      if (this.hr.unreachable) break;
    }

    const any = (s: string) => outcomes.some((o) => o.status === s);
    const status: EventStatus = this.hr.unreachable ? 'unreachable' : any('failed') ? 'failed' : any('changed') ? 'changed' : outcomes.every((o) => o.status === 'skipped') ? 'skipped' : 'ok';
    if (task.register) {
      const base = items
        ? { results: outcomes.map((o) => this.registered(o, task)), changed: status === 'changed', failed: status === 'failed', skipped: status === 'skipped' }
        : this.registered(outcomes[0], task);
      this.hr.register(task.register, base);
    }
    for (const o of outcomes) {
      const facts = o.result.ansible_facts;
      if (task.module.name === 'set_fact' && o.status !== 'failed' && o.status !== 'skipped' && facts && typeof facts === 'object') this.hr.setFacts(facts as Record<string, unknown>);
    }
    if (status === 'changed') for (const n of task.notify) this.hr.notify(n, task);
    if (status === 'failed' && task.ignoreErrors) return 'ok';
    return status;
  }

  private label(task: Task, scope: VarScope, item: unknown): string {
    if (task.loopControl.label) {
      try { return String(renderValue(task.loopControl.label, scope.proxy, 'loop_control.label')); } catch { /* fall through */ }
    }
    if (task.noLog) return '(item hidden: no_log)';
    return typeof item === 'object' ? JSON.stringify(item) : String(item);
  }

  private registered(o: ItemOutcome, task: Task): Record<string, unknown> {
    const r: Record<string, unknown> = { ...o.result, changed: o.status === 'changed', failed: o.status === 'failed', skipped: o.status === 'skipped' };
    if (o.message !== undefined) r.msg = o.message;
    if (o.item !== undefined) r[task.loopControl.loop_var] = o.item;
    return r;
  }

  private async runOne(task: Task, scope: VarScope): Promise<TaskOutcome> {
    const vars = scope.proxy;
    let params: Record<string, unknown>;
    try {
      if (task.when.length && !this.truthy(task, task.when, vars)) return { status: 'skipped', changes: [], result: {}, message: 'condition false' };
      params = stripOmit(renderDeep(task.params, vars, `task '${task.name}'`)) as Record<string, unknown>;
      if ('_raw_params' in params) {
        return { status: 'failed', changes: [], result: {}, message: `${sourceOf(task)}: expected key=value parameters for '${task.moduleKey}', found '${params._raw_params}'` };
      }
      params = task.module.name === 'set_fact' ? params : validateModuleParams(task.module, params);
    } catch (e) {
      return { status: 'failed', changes: [], result: {}, message: locate(task, e) };
    }

    const check = this.hr.isCheck(task);
    let outcome: TaskOutcome;
    try {
      const host = task.module.controllerOnly ? this.hr.controllerHost() : await this.hr.connect();
      const ctx = makeModuleContext({
        host, check, baseDir: task.baseDir, ledger: this.hr.ledger, taskNumber: task.number, vars,
        lookup: this.hr.lookup, taskSource: sourceOf(task), progress: (m) => this.hr.progress(m),
      });
      outcome = await convergeTask(task.module, params, ctx);
    } catch (e) {
      if (e instanceof HostUnreachableError || e instanceof ConnectionLostError) {
        this.hr.markUnreachable(e.message, true);
        return { status: 'failed', changes: [], result: {}, message: e.message };
      }
      if (check && (e instanceof HostOperationError) && !this.hr.ledger.empty) {
        return this.predicted(e.message);
      }
      return { status: 'failed', changes: [], result: {}, message: locate(task, e) };
    }
    if (check && outcome.status === 'failed' && !this.hr.ledger.empty && /not found|No such file|ENOENT|command not found|not installed|could not be found/i.test(outcome.message ?? '')) {
      return this.predicted(outcome.message ?? '');
    }
    return this.applyConditions(task, outcome, scope);
  }

  /** --check: the task cannot be judged before an earlier predicted change is made. */
  private predicted(message: string): TaskOutcome {
    const after = this.hr.ledger.lastTask();
    return {
      status: 'changed',
      changes: [{ property: 'depends', summary: `cannot be checked before task ${after} runs (${message.split('\n')[0]})`, afterTask: after }],
      result: {},
    };
  }

  private applyConditions(task: Task, o: TaskOutcome, scope: VarScope): TaskOutcome {
    if (!task.changedWhen && !task.failedWhen) return o;
    if (o.status === 'skipped') return o;
    const extra = { ...o.result, changed: o.status === 'changed', failed: o.status === 'failed' };
    const s = scope.withData({ ...(task.register ? { [task.register]: extra } : {}), result: extra, ...o.result });
    try {
      let out = o;
      if (task.failedWhen) {
        const failed = task.failedWhen.length > 0 && this.truthy(task, task.failedWhen, s.proxy);
        out = failed ? { ...out, status: 'failed', message: out.message ?? `failed_when: ${task.failedWhen.join(' and ')}` } : out.status === 'failed' ? { ...out, status: 'ok', message: undefined } : out;
      }
      if (task.changedWhen && out.status !== 'failed') {
        const changed = task.changedWhen.length > 0 && this.truthy(task, task.changedWhen, s.proxy);
        out = { ...out, status: changed ? 'changed' : 'ok', changes: changed ? out.changes : [] };
      }
      return out;
    } catch (e) {
      return { status: 'failed', changes: [], result: o.result, message: locate(task, e) };
    }
  }
}
