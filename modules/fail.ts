// fail: stop the host with a message (usually under `when:`).

import type { ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';

export const fail: ModuleDefinition<{ msg?: string }> = {
  name: 'fail',
  description: 'Fails the host with `msg`. Used with `when:` to stop on a condition.',
  controllerOnly: true,
  schema: { properties: { msg: { type: 'string', default: 'Failed as requested from task', description: 'The failure message.' } } },
  async plan(p) {
    throw new TaskFailedError(p.msg ?? 'Failed as requested from task');
  },
  async apply() {
    return {};
  },
};
