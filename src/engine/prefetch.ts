// Looking ahead: before a play's tasks run on a host, the host paths they will
// look at are gathered (each module names the parameters that hold them:
// ModuleDefinition.observedPaths) and handed to the host in one go
// (Host.prefetch), so that a no-change run over SSH costs a couple of requests
// for the play instead of one per path.
//
// Only a guess, never a result: a parameter is rendered here with the
// variables known before the play starts, lookups refused (a lookup may act:
// pipe runs a command), errors ignored. A path that differs when the task
// really runs (it depends on a registered value, a set_fact) is simply looked
// at again then, and the host forgets everything it saw at the first change.

import { isTask, type Play, type Step, type Task } from '../config/playbook-model.js';
import type { Host } from '../host/host.js';
import { renderDeep, renderValue, withoutLookups } from '../template/render.js';
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
  withoutLookups(() => {
    for (const task of plainTasks(play.steps)) {
      const m = task.module;
      const names = m.observedPaths?.filter((n) => typeof task.params[n] === 'string') ?? [];
      const ahead = m.observeAhead?.params.filter((n) => task.params[n] !== undefined) ?? [];
      if ((!names.length && !ahead.length) || !hr.tagged(task)) continue;
      try {
        const scope = hr.scopeFor(task, []);
        let items: unknown[] = [undefined];
        if (task.loop !== undefined) {
          if (!PURE_LOOPS.has(task.loopKind ?? 'loop')) continue;
          items = loopItems({ kind: task.loopKind ?? 'loop', raw: task.loop, vars: scope.proxy, searchDirs: [hr.playbookDir], what: 'look-ahead' });
        }
        const lv = task.loopControl.loop_var;
        for (const item of items) {
          const vars = task.loop === undefined ? scope.proxy : scope.withData({ [lv]: item, ansible_loop_var: lv }).proxy;
          for (const n of names) {
            try {
              const v = renderValue(task.params[n] as string, vars, 'look-ahead');
              if (typeof v === 'string' && v.startsWith('/')) paths.add(v);
            } catch { /* known only when the task runs */ }
          }
          if (ahead.length) {
            try {
              const params: Record<string, unknown> = {};
              for (const n of ahead) params[n] = renderDeep(task.params[n], vars, 'look-ahead');
              const list = observations.get(m) ?? [];
              list.push(params);
              observations.set(m, list);
            } catch { /* known only when the task runs */ }
          }
          if (paths.size >= MAX_PATHS) return;
        }
      } catch { /* the loop is known only when the task runs */ }
    }
  });
  return { paths: [...paths], observations };
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
