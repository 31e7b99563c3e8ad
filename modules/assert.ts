// assert: fail the host unless every condition holds.

import type { ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { conditionTruth } from '../src/template/filters.js';

export const assert: ModuleDefinition<{ that: string | string[]; fail_msg?: string; msg?: string; success_msg?: string; quiet?: boolean }> = {
  name: 'assert',
  showsMessage: 'verbose',
  description: 'Checks Jinja conditions (`that`) and fails the host with `fail_msg` when one is false. Changes nothing.',
  controllerOnly: true,
  schema: {
    required: ['that'],
    properties: {
      that: { type: ['string', 'array', 'boolean'], items: { type: ['string', 'boolean'] }, description: 'A condition or list of conditions, as in `when:`.' },
      fail_msg: { type: 'string', description: 'Message when a condition is false.' },
      msg: { type: 'string', description: 'Alias of fail_msg.' },
      success_msg: { type: 'string', description: 'Message when all conditions hold.' },
      quiet: { type: 'boolean', default: false, description: 'Print nothing on success.' },
    },
  },
  async plan(p, ctx) {
    const list = Array.isArray(p.that) ? p.that : [p.that];
    for (const cond of list) {
      const v = typeof cond === 'boolean' ? cond : ctx.evaluate(String(cond));
      if (!conditionTruth(v)) {
        throw new TaskFailedError(p.fail_msg ?? p.msg ?? `assertion failed: ${cond}`, { assertion: cond, evaluated_to: false });
      }
    }
    return { changes: [], result: { msg: p.success_msg ?? 'All assertions passed', ...(p.quiet ? { quiet: true } : {}) } };
  },
  async apply() {
    return {};
  },
};
