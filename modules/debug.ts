// debug: print a message or a variable's value; changes nothing.

import { loneValue, TemplateUndefinedError } from '../src/template/render.js';
import type { ModuleDefinition } from '../src/engine/module.js';

export const debug: ModuleDefinition<{ msg?: unknown; var?: string; verbosity?: number }> = {
  name: 'debug',
  showsMessage: 'always',
  verbosityParam: 'verbosity',
  description: 'Prints a message (`msg`) or the value of a variable (`var`) in the task line. Never changes the host.',
  controllerOnly: true,
  schema: {
    properties: {
      msg: { description: 'Message to print; any value (lists and mappings are shown as JSON).' },
      var: { type: 'string', description: 'Name of a variable (or expression) whose value to print.' },
      verbosity: { type: 'integer', default: 0, description: 'Only print with at least this many -v.' },
    },
  },
  async plan(p, ctx) {
    const value = p.var !== undefined ? { [p.var]: varValue(p.var, (x) => ctx.evaluate(x)) } : p.msg ?? 'Hello world!';
    return { changes: [], result: { msg: typeof value === 'string' ? value : JSON.stringify(value) } };
  },
  async apply() {
    return {};
  },
};

/** `var:` shows an undefined variable, attribute or item as Ansible does (its other errors fail the task). */
function varValue(expr: string, evaluate: (expr: string) => unknown): unknown {
  try {
    return loneValue(expr, evaluate(expr));
  } catch (e) {
    if (e instanceof TemplateUndefinedError) return 'VARIABLE IS NOT DEFINED!';
    throw e;
  }
}
