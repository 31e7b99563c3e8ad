// plan -> apply -> verify for one task on one host. In --check the plan is
// reported and recorded in the ledger; nothing is applied.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from './module.js';
import { TaskFailedError } from './module.js';

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped';

export interface TaskOutcome {
  status: TaskStatus;
  changes: Change[];
  /** What `register` stores (changed/failed/skipped are added by the engine). */
  result: Record<string, unknown>;
  message?: string;
  /** On a failed outcome: the module changed something all the same (a command that ran and exited non-zero), as Ansible's changed: true. */
  changed?: boolean;
}

function describe(changes: Change[]): string {
  return changes.map((c) => c.summary ?? c.property).join(', ');
}

/** beforeApply: called once a plan has something to apply, just before apply may change the host. */
export async function convergeTask(def: ModuleDefinition, params: unknown, ctx: ModuleContext, beforeApply?: () => void): Promise<TaskOutcome> {
  let plan: PlanResult;
  try {
    plan = await def.plan(params, ctx);
  } catch (e) {
    if (e instanceof TaskFailedError) return { status: 'failed', changes: [], result: e.result ?? {}, message: e.message };
    throw e;
  }
  // creates/removes: Ansible reports the task ok ("skipped, since X exists"), not skipped.
  if (plan.skip !== undefined) return { status: plan.skipAs ?? 'ok', changes: [], result: plan.result ?? {}, message: plan.skip };
  if (ctx.check) {
    if (plan.changes.length) ctx.ledger.noteChanged(ctx.taskNumber);
    if (plan.changes.length && plan.provides) ctx.ledger.record(ctx.taskNumber, plan.provides);
    return { status: plan.changes.length ? 'changed' : 'ok', changes: plan.changes, result: plan.result ?? {} };
  }
  if (plan.changes.length === 0 && def.verify !== false) return { status: 'ok', changes: [], result: plan.result ?? {} };

  let applied;
  try {
    beforeApply?.();
    applied = await def.apply(params, plan, ctx);
  } catch (e) {
    if (e instanceof TaskFailedError) return { status: 'failed', changes: plan.changes, result: e.result ?? {}, message: e.message };
    throw e;
  }
  const result = { ...(plan.result ?? {}), ...(applied.result ?? {}) };
  if (applied.failed) return { status: 'failed', changes: plan.changes, result, message: applied.failed, ...(applied.changed ? { changed: true } : {}) };
  if (def.verify === false) {
    const changed = applied.changed ?? plan.changes.length > 0;
    return { status: changed ? 'changed' : 'ok', changes: changed ? plan.changes : [], result };
  }
  const again = await def.plan(params, ctx);
  // Every-time actions (a restart) are planned again by design; everything else must be gone.
  const remaining = again.changes.filter((c) => !c.repeats);
  if (remaining.length) {
    return {
      status: 'failed', changes: plan.changes, result,
      message: `not converged: after apply, still differs in ${describe(remaining)}`,
    };
  }
  // The re-plan observes the new state (checksums ...); what apply itself reports (Ansible's msg of the edit) wins over it.
  return { status: 'changed', changes: plan.changes, result: { ...result, ...(again.result ?? {}), ...(applied.result ?? {}) } };
}
