// meta: engine actions (flush_handlers, end_play, end_host, noop); the engine acts on them itself.

import type { ModuleDefinition } from '../src/engine/module.js';

export const meta: ModuleDefinition<{ action: string }> = {
  name: 'meta',
  description: 'Engine actions: `flush_handlers` runs notified handlers now; `end_play` and `end_host` stop the play for the host; `noop` does nothing.',
  controllerOnly: true,
  freeForm: 'action',
  freeFormWhole: true,
  runAction: (p) => String(p.action ?? p.free_form ?? ''),
  schema: {
    required: ['action'],
    properties: { action: { enum: ['flush_handlers', 'end_play', 'end_host', 'noop'], description: 'The action.' } },
  },
  async plan() {
    return { changes: [] };
  },
  async apply() {
    return {};
  },
};
