// The engine and the config loader know modules only by what they declare
// (issue 17): no module is a special case by its name in src/engine/ or
// src/config/. What counts as a special case, in those files with comments
// removed:
//   1. a module's name compared or switched on: `module.name ===`, `!==`,
//      `== ` / `!=`, `[...].includes(x.module.name)`, `switch (x.module.name)`;
//   2. a string literal equal to a registered module name (short name, alias,
//      ansible.builtin.X, converge.X) compared with ===, !==, == or != to an
//      expression ending in `name`, `moduleKey`, `module` or `action`;
//   3. an import of a module's file (anything under modules/ but modules/index.js,
//      the registry's list), which would let the engine test identity instead.
// Printing a name (events, messages) is not a special case and is allowed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allModules } from '../../src/engine/registry.js';
import { tsFiles } from './import-graph.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIRS = ['src/engine', 'src/config'];

const NAME_COMPARED = /\bmodule\.name\s*[!=]==?|[!=]==?\s*[\w.]*\bmodule\.name\b|\.includes\(\s*[\w.]*\bmodule\.name\s*\)|switch\s*\(\s*[\w.]*\bmodule\.name\s*\)/;
const LITERAL_COMPARED = /\b(?:name|moduleKey|module|action)\s*[!=]==?\s*(['"`])([\w.]+)\1|(['"`])([\w.]+)\3\s*[!=]==?\s*[\w.]*\b(?:name|moduleKey|module|action)\b/g;
const MODULE_IMPORT = /from\s+['"]((?:\.\.\/)+modules\/[^'"]+)['"]/g;

function registeredNames(): Set<string> {
  const names = new Set<string>();
  for (const m of allModules()) {
    for (const n of [m.name, ...(m.aliases ?? [])]) names.add(n);
    for (const p of ['ansible.builtin.', 'ansible.legacy.', 'converge.']) names.add(p + m.name);
  }
  return names;
}

const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** file:line: text of every special case in the given source text. */
export function specialCases(file: string, text: string, names: Set<string>): string[] {
  const found: string[] = [];
  withoutComments(text).split('\n').forEach((line, i) => {
    const at = `${file}:${i + 1}: ${line.trim()}`;
    if (NAME_COMPARED.test(line)) found.push(at);
    else if ([...line.matchAll(LITERAL_COMPARED)].some((m) => names.has(m[2] ?? m[4]))) found.push(at);
    else if ([...line.matchAll(MODULE_IMPORT)].some((m) => !/\/modules\/index\.js$/.test(m[1]))) found.push(at);
  });
  return found;
}

test('no module name is a special case in src/engine/ or src/config/', () => {
  const names = registeredNames();
  const found = DIRS.flatMap((d) => tsFiles(`${ROOT}${d}`)).flatMap((f) => specialCases(relative(ROOT, f), readFileSync(f, 'utf8'), names));
  assert.deepEqual(found, [], `module names used as special cases (declare a module property instead):\n${found.join('\n')}`);
});

test('the check sees each kind of special case, and not a printed name', () => {
  const names = new Set(['debug', 'meta', 'copy']);
  const seen = (src: string) => specialCases('x.ts', src, names).length;
  assert.equal(seen("if (task.module.name === 'debug') {"), 1);
  assert.equal(seen("const q = ['command', 'shell'].includes(task.module.name);"), 1);
  assert.equal(seen("switch (t.module.name) {"), 1);
  assert.equal(seen("if (m.name === 'meta') return;"), 1);
  assert.equal(seen("if ('copy' !== moduleKey) return;"), 1);
  assert.equal(seen("import { debug } from '../../modules/debug.js';"), 1);
  assert.equal(seen("import { modules } from '../../modules/index.js';"), 0);
  assert.equal(seen("const ev = { module: task.module.name, status };"), 0);
  assert.equal(seen("// task.module.name === 'debug' is how it was done"), 0);
  assert.equal(seen("if (lookupName === 'file') {"), 0, "a lookup plugin's name is not a module's");
});
