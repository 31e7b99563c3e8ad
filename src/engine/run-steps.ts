// A play's steps on one host: tasks, blocks (rescue after a failure, always
// in any case) and include_tasks/include_role, decided when reached (their
// own `when`, a loop over the include, a templated file name).

import { isTask, type BlockStep, type IncludeStep, type Play, type Step, type Task } from '../config/playbook-model.js';
import { renderValue } from '../template/render.js';
import { conditionTruth } from '../template/filters.js';
import type { StepRunHost } from './task-run-host.js';
import { loopItems } from './loops.js';
import type { Frame } from './frame.js';
import { dataLayer } from './variables.js';

/** How a list of steps ended for the host: on to the next, failed, ended by meta, or stopped (signal, end_play elsewhere). */
export type Flow = 'ok' | 'failed' | 'ended' | 'stopped';

export async function runSteps(hr: StepRunHost, play: Play, steps: Step[], frame: Frame): Promise<Flow> {
  for (const step of steps) {
    const f = isTask(step) ? await hr.runPlayTask(play, step, frame)
      : step.kind === 'block' ? await runBlock(hr, play, step, frame)
        : await runInclude(hr, play, step, frame);
    if (f !== 'ok') return f;
  }
  return 'ok';
}

async function runBlock(hr: StepRunHost, play: Play, b: BlockStep, frame: Frame): Promise<Flow> {
  let f = await runSteps(hr, play, b.block, { ...frame, rescuable: frame.rescuable || b.rescue.length > 0 });
  if (f === 'failed' && b.rescue.length && !hr.unreachable) {
    const failure = hr.lastFailure;
    const failedVars = dataLayer({
      ansible_failed_task: failure ? { name: failure.task.name, action: failure.task.moduleKey } : {},
      ansible_failed_result: failure?.result ?? {},
    });
    f = await runSteps(hr, play, b.rescue, { layers: [...frame.layers, failedVars], rescuable: frame.rescuable });
  }
  if (b.always.length && f !== 'ended' && f !== 'stopped' && !hr.unreachable) {
    const a = await runSteps(hr, play, b.always, frame);
    if (a !== 'ok') return a;
  }
  return f;
}

function sourceOf(step: IncludeStep): string {
  const pos = step.origin.source.posOf(step.origin.path);
  return `${pos.file}:${pos.line ?? '?'}`;
}

async function runInclude(hr: StepRunHost, play: Play, inc: IncludeStep, frame: Frame): Promise<Flow> {
  if (!hr.tagged(inc)) return 'ok';
  const pseudo = { vars: inc.vars } as unknown as Task;
  const scope = hr.scopeFor(pseudo, frame.layers);
  const fail = (message: string): Flow => {
    hr.report({
      host: hr.name, play: hr.playName, task: 0, name: inc.name, module: inc.keyword, status: 'failed', check: hr.options.check,
      changes: [], message: `${sourceOf(inc)}: ${message}`, noLog: false, showDiff: false, handler: false, durationMs: 0, source: sourceOf(inc),
      ...(frame.rescuable ? { rescued: true } : {}),
    });
    return 'failed';
  };
  try {
    for (const w of inc.when) {
      if (!conditionTruth(renderValue(`{{ ${w} }}`, scope.proxy, `when: ${w}`))) {
        hr.reportStep(inc.name, 'skipped', 'condition false', sourceOf(inc));
        return 'ok';
      }
    }
  } catch (e) {
    return fail((e as Error).message);
  }
  let items: unknown[] | undefined;
  try {
    if (inc.loop !== undefined) items = loopItems({ kind: inc.loopKind ?? 'loop', raw: inc.loop, vars: scope.proxy, searchDirs: [play.dir], what: `loop of ${inc.keyword}` });
  } catch (e) {
    return fail((e as Error).message);
  }
  const lc = inc.loopControl;
  const list = items ?? [undefined];
  for (const [index, item] of list.entries()) {
    const loopVars: Record<string, unknown> = items ? { [lc.loop_var]: item, ansible_loop_var: lc.loop_var } : {};
    if (items && lc.index_var) loopVars[lc.index_var] = index;
    if (items && lc.extended) {
      loopVars.ansible_loop = { allitems: list, index: index + 1, index0: index, revindex: list.length - index, revindex0: list.length - index - 1, first: index === 0, last: index === list.length - 1, length: list.length };
    }
    const layers = [...frame.layers, ...(items ? [dataLayer(loopVars)] : [])];
    let steps = inc.steps;
    if (!steps) {
      try {
        const file = String(renderValue(inc.file ?? '', hr.scopeFor(pseudo, layers).proxy, inc.keyword));
        const loaded = inc.load!(file);
        steps = loaded.steps;
        for (const h of loaded.handlers) if (!play.handlers.includes(h)) play.handlers.push(h);
      } catch (e) {
        return fail((e as Error).message);
      }
    }
    // Ansible counts each inclusion of a task file (each loop item) as ok; an included role is not counted.
    hr.reportStep(inc.name, 'ok', `included${items ? ` (item=${typeof item === 'object' ? JSON.stringify(item) : String(item)})` : ''}`, sourceOf(inc), inc.keyword === 'include_tasks');
    const f = await runSteps(hr, play, steps, { ...frame, layers });
    if (f !== 'ok') return f;
  }
  return 'ok';
}
