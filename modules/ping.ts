// ping: proves the host answers a command (one round trip) and returns
// ping: pong (or data). data=crash fails on purpose, as in Ansible.

import type { ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';

export const pingModule: ModuleDefinition<{ data: string }> = {
  name: 'ping',
  description: "Runs `true` on the host to prove it is reachable and can run commands; returns ping (the data, 'pong' by default). data: crash makes the task fail, for testing failure handling.",
  schema: { properties: { data: { type: 'string', default: 'pong', description: "What ping returns; 'crash' fails the task." } } },
  async plan(p, ctx) {
    if (p.data === 'crash') throw new TaskFailedError('boom');
    const r = await ctx.host.run(['true']);
    if (r.rc !== 0) throw new TaskFailedError(`the host could not run a command (rc ${r.rc}): ${r.stderr.trim()}`);
    return { changes: [], result: { ping: p.data } };
  },
  async apply() {
    return {};
  },
};
