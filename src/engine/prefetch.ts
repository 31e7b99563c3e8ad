// Looking ahead: before a play's tasks run on a host, the host paths they will
// look at are gathered (each module names the parameters that hold them:
// ModuleDefinition.observedPaths) and handed to the host in one go
// (Host.prefetch), so that a no-change run over SSH costs a couple of requests
// for the play instead of one per path.
//
// Only a guess, never a result: a parameter is rendered here with the
// variables known before the play starts, lookups that act refused (pipe and
// lines run commands; those that read files run), errors ignored. A path that differs when the task
// really runs (it depends on a registered value, a set_fact) is simply looked
// at again then, and the host forgets everything it saw at the first change.

import { isTask, type Play, type Step, type Task } from '../config/playbook-model.js';
import type { Host } from '../host/host.js';
import { renderDeep, renderValue, withReadOnlyLookups } from '../template/render.js';
import type { ModuleDefinition } from './module.js';
import { loopItems } from './loops.js';
import type { VarScope } from './variables.js';

/** Loops whose items come from the play's own data (the others read files or run commands). */
const PURE_LOOPS = new Set(['loop', 'items', 'list', 'flattened', 'indexed_items', 'dict', 'together', 'nested']);

/** Paths of one play's tasks, at most this many (a play looping over thousands of files gets no look-ahead). */
const MAX_PATHS = 400;

export interface PrefetchHost {
  scopeFor(task: Task, layers: Array<Record<string, unknown>>): VarScope;
  tagged(task: { tags: string[] }): boolean;
  readonly playbookDir: string;
}

/** The tasks of a play's steps that run on the play's own connection, including blocks and static includes. */
function* plainTasks(steps: Step[]): Generator<Task> {
  for (const s of steps) {
    if (isTask(s)) {
      if (s.delegateTo === undefined && s.remoteUser === undefined && s.becomeUser === undefined && !s.module.controllerOnly) yield s;
    } else if (s.kind === 'block') {
      yield* plainTasks(s.block);
      yield* plainTasks(s.always);
    } else if (s.steps && s.loop === undefined) {
      yield* plainTasks(s.steps);
    }
  }
}

export interface PlayAhead {
  /** Host paths the play's tasks will probably look at. */
  paths: string[];
  /** Per module with observeAhead: the parameters of its tasks, rendered as far as they can be now. */
  observations: Map<ModuleDefinition, Array<Record<string, unknown>>>;
}

/** What a play's tasks will probably observe, as far as it can be known now. */
export function playAhead(hr: PrefetchHost, play: Play): PlayAhead {
  const paths = new Set<string>();
  const observations = new Map<ModuleDefinition, Array<Record<string, unknown>>>();
  withReadOnlyLookups(() => {
    for (const task of plainTasks(play.steps)) {
      if (paths.size >= MAX_PATHS) break;
      const m = task.module;
      const named = typeof m.observedPaths === 'function' ? m.observedPaths(task.params) : m.observedPaths;
      const names = named?.filter((n) => typeof task.params[n] === 'string') ?? [];
      const ahead = m.observeAhead?.params.filter((n) => task.params[n] !== undefined) ?? [];
      if ((!names.length && !ahead.length) || !hr.tagged(task)) continue;
      for (const vars of itemVars(hr, task)) {
        for (const n of names) {
          const v = guess(() => renderValue(task.params[n] as string, vars, 'look-ahead'));
          if (typeof v === 'string' && v.startsWith('/')) paths.add(v);
        }
        const params = ahead.length ? guess(() => Object.fromEntries(ahead.map((n) => [n, renderDeep(task.params[n], vars, 'look-ahead')]))) : undefined;
        if (params) observations.set(m, observations.get(m) ?? []).get(m)!.push(params);
        if (paths.size >= MAX_PATHS) break;
      }
    }
  });
  return { paths: [...paths], observations };
}

/** A render that may fail now and work when the task runs (a registered value, a set_fact): undefined then. */
function guess<T>(render: () => T): T | undefined {
  try {
    return render();
  } catch {
    return undefined;
  }
}

/** The variables of each of a task's items (one set without a loop); none when the loop is known only later. */
function itemVars(hr: PrefetchHost, task: Task): Array<Record<string, unknown>> {
  if (task.loop !== undefined && !PURE_LOOPS.has(task.loopKind ?? 'loop')) return [];
  const scope = guess(() => hr.scopeFor(task, []));
  if (!scope) return [];
  if (task.loop === undefined) return [scope.proxy];
  const items = guess(() => loopItems({ kind: task.loopKind ?? 'loop', raw: task.loop, vars: scope.proxy, searchDirs: [hr.playbookDir], what: 'look-ahead' }));
  const lv = task.loopControl.loop_var;
  return (items ?? []).map((item) => scope.withData({ [lv]: item, ansible_loop_var: lv }).proxy);
}

/** Hands what the play will observe to a host that can observe much at once; never fails the run. */
export async function prefetchPlay(hr: PrefetchHost, play: Play, host: Host): Promise<void> {
  let ahead: PlayAhead;
  try {
    ahead = playAhead(hr, play);
  } catch {
    return;
  }
  if (ahead.paths.length && host.prefetch) await host.prefetch(ahead.paths).catch(() => {});
  for (const [m, tasks] of ahead.observations) await m.observeAhead!.observe(host, tasks).catch(() => {});
}
