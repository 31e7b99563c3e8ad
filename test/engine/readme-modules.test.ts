// The README's module reference is generated from the schemas; this keeps it
// from going stale (regenerate with `node scripts/update-readme-modules.mjs`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { modulesMarkdown } from '../../src/cli/doc.js';

test('README module reference matches the module schemas', () => {
  const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
  const m = /<!-- modules:begin -->\n([\s\S]*)\n<!-- modules:end -->/.exec(readme);
  assert.ok(m, 'README has the modules markers');
  assert.equal(m[1], modulesMarkdown().trim(), 'run: node scripts/update-readme-modules.mjs');
});
