// Runs one module the way the engine does (plan -> apply -> verify), without a
// playbook: for table-driven module tests.

import { convergeTask, type TaskOutcome } from '../../src/engine/converge-task.js';
import { makeModuleContext, type ContextOptions } from '../../src/engine/context.js';
import type { ModuleDefinition } from '../../src/engine/module.js';
import { validateModuleParams } from '../../src/config/module-params.js';

/** Validates params against the module's schema (throws on error) and converges. */
export async function runModule(def: ModuleDefinition, params: Record<string, unknown>, opts: ContextOptions): Promise<TaskOutcome> {
  const checked = validateModuleParams(def, params);
  return convergeTask(def, checked, makeModuleContext(opts));
}

/** Plans only: what --check would report. */
export async function planModule(def: ModuleDefinition, params: Record<string, unknown>, opts: ContextOptions) {
  const checked = validateModuleParams(def, params);
  return def.plan(checked, makeModuleContext({ ...opts, check: true }));
}
