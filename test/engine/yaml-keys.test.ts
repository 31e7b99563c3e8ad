// A list or mapping as a mapping key is refused, as PyYAML refuses it
// ("found unhashable key"), wherever the text writes one; texts that cannot
// hold one are not walked for it (src/config/yaml-source.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYaml } from '../../src/config/yaml-source.js';
import { ConfigError } from '../../src/config/errors.js';

const refused = (text: string, line: number) => assert.throws(() => parseYaml(`/t/keys-${line}-${text.length}.yml`, text), (e: unknown) => {
  assert.ok(e instanceof ConfigError, String(e));
  assert.match(e.message, /a list or mapping cannot be a mapping key \(found unhashable key\)/);
  assert.equal(e.pos?.line, line, text);
  return true;
});

test('collections as mapping keys are refused with their line, however they are written', () => {
  refused('a: 1\n[x, y]: 2\n', 2);
  refused('a: 1\nb:\n  {k: v} : 3\n', 3);
  refused('- name: t\n  vars: {[1]: x}\n', 2);
  refused('a: 1\n? [x, y]\n: 2\n', 2);
  refused('a: 1\n? - x\n  - y\n: 2\n', 2);
  refused('- ? {a: 1}\n  : v\n', 1);
});

test('texts with brackets, braces, colons and question marks elsewhere load as they are', () => {
  const value = (text: string) => parseYaml('/t/plain.yml', text).value;
  assert.deepEqual(value('msg: "{{ x }}"\nlist: [a, b]\nmap: {a: 1}\nq: why?\nurl: http://h/?a=1\n"[k]": 1\n'),
    { msg: '{{ x }}', list: ['a', 'b'], map: { a: 1 }, q: 'why?', url: 'http://h/?a=1', '[k]': 1 });
});
