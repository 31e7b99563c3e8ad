// set_fact: define host variables for the rest of the run.

import type { ModuleDefinition } from '../src/engine/module.js';

export const setFact: ModuleDefinition<Record<string, unknown>> = {
  name: 'set_fact',
  paramsAreVariables: true,
  setsVariables: 'facts',
  variableNames: (params) => Object.keys(params),
  description: 'Sets variables for this host for the rest of the run (any key: value pairs). Changes nothing on the host.',
  controllerOnly: true,
  schema: { additionalProperties: true, properties: { cacheable: { type: 'boolean', description: 'Accepted for compatibility; facts are not cached between runs.' } } },
  async plan(p) {
    const { cacheable: _c, ...given } = p;
    // As Ansible's set_fact: the strings true/false/yes/no (any case) become booleans; on, 1 ... stay text.
    const facts = Object.fromEntries(Object.entries(given).map(([k, v]) =>
      [k, typeof v === 'string' && /^(true|false|yes|no)$/i.test(v) ? /^(true|yes)$/i.test(v) : v]));
    return { changes: [], result: { ansible_facts: facts } };
  },
  async apply() {
    return {};
  },
};
