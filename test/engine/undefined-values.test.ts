// Undefined values in tasks, side by side with ansible-playbook: a missing
// attribute, key or index fails the task where Ansible fails it (message,
// condition, loop, set_fact), is undefined for `is defined` and `default`,
// and `debug: var=` prints VARIABLE IS NOT DEFINED!; an undefined in one loop
// item stops the loop (later items do not run). converge's failures name the
// playbook's file, the task's line and the expression.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { project } from '../helpers/cli.js';
import { ansibleAvailable, runAnsible, runConverge } from '../compat/ansible-oracle.js';

const PLAYBOOK = `- hosts: localhost
  gather_facts: false
  vars:
    d: {a: 1}
    l: [1, 2]
    items: [{p: a}, {q: b}, {p: c}]
    lazy: "{{ d.missing }}"
  tasks:
    - name: attribute
      debug: { msg: "{{ d.missing }}" }
      ignore_errors: true
    - name: index
      debug: { msg: "{{ l[5] }}" }
      ignore_errors: true
    - name: chain
      debug: { msg: "x {{ d.x.y.z }}" }
      ignore_errors: true
    - name: default
      debug: { msg: "{{ d.missing | default('z') }} {{ d.x.y | default('w') }} {{ l[9] | default(0) }}" }
    - name: defined
      debug: { msg: "{{ d.missing is defined }} {{ d.x.y.z is defined }} {{ d.a is defined }}" }
    - name: when
      debug: { msg: ran }
      when: d.missing == 'x'
      ignore_errors: true
    - name: when guarded
      debug: { msg: ran }
      when: d.missing is defined and d.missing == 'x'
    - name: var
      debug: { var: d.missing }
    - name: var chain
      debug: { var: d.x.y }
    - name: var name
      debug: { var: no_such_variable }
    - name: set_fact
      set_fact: { q: "{{ d.missing }}" }
      ignore_errors: true
    - name: loop undefined
      debug: { msg: "{{ item }}" }
      loop: "{{ d.missing }}"
      ignore_errors: true
    - name: loop default
      debug: { msg: "{{ item }}" }
      loop: "{{ d.missing | default([]) }}"
    - name: loop item
      debug: { msg: "{{ item.p }}" }
      loop: "{{ items }}"
      register: r
      ignore_errors: true
    - name: loop stopped
      debug: { msg: "{{ r.results is defined }} {{ r.failed }}" }
    - name: lazy
      debug: { msg: "{{ lazy | default('lz') }} {{ lazy is defined }}" }
    - name: lazy used
      debug: { msg: "{{ lazy }}" }
      ignore_errors: true
    - name: filter
      debug: { msg: "{{ d.missing | upper }}" }
      ignore_errors: true
    - name: version guard
      debug: { msg: "{{ ansible_version.full is version('2.9', '>=') }} {{ ansible_version.major }}" }
    - name: second tag
      debug: { msg: "{{ d.a }} {{ d.missing | upper }}" }
      ignore_errors: true
`;

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('undefined values: the tasks that fail and what the others print are ansible-playbook\'s', () => {
  if (!ansibleAvailable()) throw new Error('ansible-playbook is not installed (scripts/test-packages.txt has ansible-core)');
  const dir = project({ 'pb.yaml': PLAYBOOK }, 'cvg-undefined-');
  dirs.push(dir);
  const show = (t: { name: string; failed: boolean; msg?: unknown; raw: Record<string, unknown> }) => {
    if (t.failed) return [t.name, 'FAILED'];
    if (t.raw.status === 'skipped' || t.raw._status === 'skipped' || t.raw.skipped === true) return [t.name, 'SKIPPED'];
    const m = t.msg ?? Object.fromEntries(Object.entries(t.raw).filter(([k]) => /^(d\.|no_such)/.test(k)));
    return [t.name, typeof m === 'string' ? m : JSON.stringify(m)];
  };
  const theirs = runAnsible(dir, 'pb.yaml');
  const ours = runConverge(dir, 'pb.yaml');
  // converge reports each loop item; Ansible one result per task: compare per task.
  const perTask = (ts: typeof ours) => [...new Map(ts.map((t) => [t.name, t])).values()];
  const theirShown = theirs.map(show);
  assert.deepEqual(theirShown.filter(([, m]) => m === 'FAILED').map(([n]) => n),
    ['attribute', 'index', 'chain', 'when', 'set_fact', 'loop undefined', 'loop item', 'lazy used', 'filter', 'second tag']);
  const ourByTask = new Map<string, string>();
  for (const t of ours) {
    const [n, m] = show(t);
    if (t.name === 'loop item') { if (t.failed) ourByTask.set(n, 'FAILED'); else if (!ourByTask.has(n)) ourByTask.set(n, 'items'); continue; }
    if (t.name === 'loop default') continue;
    ourByTask.set(n, m);
  }
  for (const [n, m] of theirShown) {
    if (n === 'loop default' || n === 'loop item') continue;
    assert.equal(ourByTask.get(n), m, n);
  }
  assert.equal(ourByTask.get('loop item'), 'FAILED');
  assert.deepEqual(theirShown.find(([n]) => n === 'when guarded'), ['when guarded', 'SKIPPED']);
  assert.deepEqual(theirShown.find(([n]) => n === 'var'), ['var', JSON.stringify({ 'd.missing': 'VARIABLE IS NOT DEFINED!' })]);
  // The third item of 'loop item' never ran (Ansible stops the loop at the second).
  assert.deepEqual(ours.filter((t) => t.name === 'loop item').map((t) => t.failed), [false, true]);
  assert.equal(perTask(ours).length, theirs.length);
  // Each failure names the playbook, the task's line and the expression.
  const failure = (name: string) => String(ours.find((t) => t.name === name && t.failed)?.raw.message);
  assert.match(failure('attribute'), /pb\.yaml:9: 'dict object' has no attribute 'missing' in \{\{ d\.missing \}\}/);
  assert.match(failure('index'), /pb\.yaml:12: list object has no element 5 in \{\{ l\[5\] \}\}/);
  assert.match(failure('when'), /pb\.yaml:\d+: 'dict object' has no attribute 'missing' in \{\{ d\.missing == 'x' \}\}/);
  assert.match(failure('loop item'), /pb\.yaml:\d+: 'dict object' has no attribute 'p' in \{\{ item\.p \}\}/);
  // With several tags on a line, the one holding the missing name (not the line's first).
  assert.match(failure('second tag'), /has no attribute 'missing' in \{\{ d\.missing \| upper \}\}/);
});
