// Every module that plans changes has a table of its planning in test/unit/
// (issue 17): a `planTable(xModule, ...)` in some test/unit/*.test.ts, xModule
// imported from modules/. The modules listed below change nothing on a host,
// so they have no plan to tabulate; each says why. A new module fails this
// test until it has a table or a line here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModuleDefinition } from '../../src/engine/module.js';
import { modules } from '../../modules/index.js';

const UNIT = fileURLToPath(new URL('../../../test/unit/', import.meta.url));

const NO_TABLE: Record<string, string> = {
  debug: 'prints a message',
  assert: 'evaluates expressions on the controller',
  fail: 'fails the task with a message',
  set_fact: 'sets variables on the controller',
  meta: 'acts on the run itself (handlers, end of play)',
  include_vars: 'reads variables from controller files',
  stat: 'only reads a path',
  slurp: 'only reads a file',
  find: 'only lists files',
  setup: 'only gathers facts',
  service_facts: 'only gathers facts',
  package_facts: 'only gathers facts',
  ping: 'only answers',
  pause: 'only waits',
  wait_for: 'only waits for a port or path',
};

/** Names of the modules some test/unit table plans with, by importing what each table names. */
async function tabled(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const file of readdirSync(UNIT).filter((f) => f.endsWith('.test.ts'))) {
    const src = readFileSync(UNIT + file, 'utf8');
    for (const [, id] of src.matchAll(/planTable\((\w+)/g)) {
      const from = new RegExp(`import\\s*\\{[^}]*\\b${id}\\b[^}]*\\}\\s*from\\s*'(\\.\\./\\.\\./modules/[^']+)'`).exec(src);
      assert.ok(from, `test/unit/${file}: planTable(${id}) but ${id} is not imported from modules/`);
      const mod = (await import(new URL(from[1], new URL('../unit/', import.meta.url)).href)) as Record<string, ModuleDefinition>;
      assert.ok(mod[id]?.name, `test/unit/${file}: ${from[1]} exports no module ${id}`);
      found.set(mod[id].name, file);
    }
  }
  return found;
}

test('every module that plans changes has a table in test/unit/', async () => {
  const tables = await tabled();
  const missing = modules.map((m) => m.name).filter((n) => !tables.has(n) && !(n in NO_TABLE));
  assert.deepEqual(missing, [], 'modules without a table (add test/unit/<module>.test.ts, or a line in NO_TABLE if it changes nothing)');
});

test('the modules said to change nothing are registered and have no table', async () => {
  const tables = await tabled();
  const names = new Set(modules.map((m) => m.name));
  for (const n of Object.keys(NO_TABLE)) {
    assert.ok(names.has(n), `NO_TABLE names ${n}, which is not a registered module`);
    assert.ok(!tables.has(n), `${n} has a table (${tables.get(n)}): remove it from NO_TABLE`);
  }
});
