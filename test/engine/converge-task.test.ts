// The module contract as the engine enforces it: plan -> apply -> re-plan.
// The modules here are fakes of the contract itself (they touch no host).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convergeTask } from '../../src/engine/converge-task.js';
import { makeModuleContext } from '../../src/engine/context.js';
import { LocalHost } from '../../src/host/local-host.js';
import type { Change, ModuleDefinition } from '../../src/engine/module.js';

/** A fake module whose observed state is a counter in memory. */
function fakeCounterModule(opts: { convergesAfterApply: boolean; repeatsChange?: boolean }) {
  let applied = 0;
  const def: ModuleDefinition<{ want: number }> = {
    name: 'fake_counter',
    description: 'test double of the module contract',
    schema: { properties: { want: { type: 'integer' } } },
    async plan(p) {
      const changes: Change[] = [];
      const have = opts.convergesAfterApply ? Math.min(applied, p.want) : 0;
      if (have !== p.want) changes.push({ property: 'count', before: have, after: p.want });
      if (opts.repeatsChange) changes.push({ property: 'restart', summary: 'restart', repeats: true });
      return { changes };
    },
    async apply(p) {
      applied = p.want;
      return {};
    },
  };
  return { def, appliedCount: () => applied };
}

const ctx = (check = false) => makeModuleContext({ host: new LocalHost('localhost'), check });

test('a module that converges: changed, and the second run is ok', async () => {
  const { def } = fakeCounterModule({ convergesAfterApply: true });
  assert.equal((await convergeTask(def, { want: 3 }, ctx())).status, 'changed');
  assert.equal((await convergeTask(def, { want: 3 }, ctx())).status, 'ok');
});

test('a module whose re-plan still differs fails the task as not converged', async () => {
  const { def } = fakeCounterModule({ convergesAfterApply: false });
  const out = await convergeTask(def, { want: 3 }, ctx());
  assert.equal(out.status, 'failed');
  assert.match(out.message ?? '', /^not converged: after apply, still differs in count/);
});

test('every-time actions (repeats) do not count as not converged, other properties still do', async () => {
  const ok = fakeCounterModule({ convergesAfterApply: true, repeatsChange: true });
  assert.equal((await convergeTask(ok.def, { want: 1 }, ctx())).status, 'changed');
  const bad = fakeCounterModule({ convergesAfterApply: false, repeatsChange: true });
  assert.equal((await convergeTask(bad.def, { want: 1 }, ctx())).status, 'failed');
});

test('--check plans and records, and never applies', async () => {
  const { def, appliedCount } = fakeCounterModule({ convergesAfterApply: true });
  const c = ctx(true);
  const out = await convergeTask(def, { want: 5 }, c);
  assert.equal(out.status, 'changed');
  assert.equal(appliedCount(), 0);
  assert.equal(c.ledger.lastTask(), 1);
});
