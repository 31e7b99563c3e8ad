// No two files of src/ import each other, directly or through others (issue
// 17): a cycle means neither file can be read, tested or moved without the
// other. Reads the sources (src/ and whatever they import, modules/ too), not
// dist/, so a type-only import counts as well.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cycles, importGraph } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('no import cycle between files reachable from src/', () => {
  const found = cycles(importGraph([`${ROOT}src`])).map((c) => c.map((f) => relative(ROOT, f)).join(' <-> '));
  assert.deepEqual(found, [], `import cycles:\n${found.join('\n')}`);
});

test('the walker sees a cycle when there is one', () => {
  const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  assert.deepEqual(cycles(g), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', []]])), []);
});

test('the walker reads import, export-from, type and dynamic imports', () => {
  const deps = importGraph([`${ROOT}src/engine`]).get(`${ROOT}src/engine/run-task.ts`) ?? [];
  const names = deps.map((f) => relative(ROOT, f));
  for (const f of ['src/engine/task-run-host.ts', 'src/engine/frame.ts', 'src/config/playbook-model.ts']) assert.ok(names.includes(f), `${f} in ${names.join(', ')}`);
});
