// A module parameter that only takes text gets Python's str() of a boolean or
// a float, as Ansible's argument spec converts it: `content: "{{ flag }}"`
// writes True, `{{ 8 / 2 }}` writes 4.0. Both tools write the same files.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { project } from '../helpers/cli.js';
import { ansibleAvailable, runAnsible, runConverge } from '../compat/ansible-oracle.js';

const FILES: Array<[string, string]> = [
  ['bool', '{{ flag }}'],
  ['false', '{{ not flag }}'],
  ['float', '{{ 8 / 2 }}'],
  ['yaml-float', '{{ whole }}'],
  ['int', '{{ 6 // 2 }}'],
  ['text', 'flag={{ flag }} ratio={{ 1 / 4 }} list={{ [flag, 1.0] }}'],
];

function playbook(out: string): string {
  return `- hosts: localhost
  gather_facts: false
  vars: { flag: true, whole: 2.0 }
  tasks:
${FILES.map(([name, content]) => `    - copy: { dest: "${out}/${name}", content: ${JSON.stringify(content)} }\n`).join('')}`;
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('copy content from a bool, a float and mixed text is what ansible-playbook writes', () => {
  if (!ansibleAvailable()) throw new Error('ansible-playbook is not installed (scripts/test-packages.txt has ansible-core)');
  const dir = project({}, 'cvg-param-text-');
  dirs.push(dir);
  const a = path.join(dir, 'ansible');
  const c = path.join(dir, 'converge');
  for (const d of [a, c]) mkdirSync(d);
  writeFileSync(path.join(dir, 'a.yaml'), playbook(a));
  writeFileSync(path.join(dir, 'c.yaml'), playbook(c));
  const theirs = runAnsible(dir, 'a.yaml');
  const ours = runConverge(dir, 'c.yaml');
  assert.ok(theirs.every((t) => !t.failed), JSON.stringify(theirs));
  assert.ok(ours.every((t) => !t.failed), JSON.stringify(ours.map((t) => t.raw)));
  const read = (d: string) => FILES.map(([name]) => [name, readFileSync(path.join(d, name), 'utf8')]);
  assert.deepEqual(read(c), read(a));
  assert.deepEqual(Object.fromEntries(read(c)), {
    bool: 'True', false: 'False', float: '4.0', 'yaml-float': '2.0', int: '3', text: 'flag=True ratio=0.25 list=[True, 1.0]',
  });
});
