// The static undefined-variable check understands guards: what it accepts
// runs in converge and in ansible-playbook alike, and what it refuses fails in
// ansible-playbook too when the task runs.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';
import { ansibleAvailable, runAnsible, runConverge } from '../compat/ansible-oracle.js';

const GUARDED = `
- hosts: localhost
  gather_facts: false
  vars:
    present: { y: 'Y' }
  tasks:
    - name: and
      debug: { msg: "{{ absent is defined and absent.y }}|{{ present is defined and present.y }}" }
    - name: inline if
      debug: { msg: "{{ absent.y if absent is defined else 'none' }}|{{ 'none' if present is undefined else present.y }}" }
    - name: or
      debug: { msg: "{{ absent is not defined or absent.y }}" }
    - name: if statement
      debug: { msg: "{% if absent is defined %}{{ absent.y }}{% elif present is defined %}{{ present.y }}{% endif %}{% if absent is not defined %}-{% else %}{{ absent.y }}{% endif %}" }
    - name: default
      debug: { msg: "{{ absent.y | default('d') }}" }
    - name: when list
      debug: { msg: "{{ absent.y }}" }
      when:
        - absent is defined
        - absent.y == 'Y'
    - name: when list on a defined name
      debug: { msg: "ran" }
      when:
        - present is defined
        - present.y == 'Y'
`;

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('guarded uses of an undefined variable pass validate and render as ansible-playbook renders them', () => {
  const dir = project({ 'pb.yaml': GUARDED }, 'cvg-guards-');
  dirs.push(dir);
  const v = converge(['validate', path.join(dir, 'pb.yaml')]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  const ours = runConverge(dir, 'pb.yaml').map((t) => [t.name, t.raw.status === 'skipped' ? 'skipped' : t.failed ? 'failed' : String(t.msg)]);
  assert.deepEqual(ours, [
    ['and', 'False|Y'], ['inline if', 'none|Y'], ['or', 'true'], ['if statement', 'Y-'], ['default', 'd'],
    ['when list', 'skipped'], ['when list on a defined name', 'ran'],
  ]);
  if (!ansibleAvailable()) throw new Error('ansible-playbook is not installed (scripts/test-packages.txt has ansible-core)');
  const theirs = runAnsible(dir, 'pb.yaml').map((t) => [t.name, t.raw._status === 'skipped' ? 'skipped' : t.failed ? 'failed' : String(t.msg)]);
  assert.deepEqual(theirs, ours);
});

for (const [what, task] of [
  ['the wrong side of and', `debug: { msg: "{{ absent.y and absent is defined }}" }`],
  ['the else branch of a defined guard', `debug: { msg: "{{ 'x' if absent is defined else absent.y }}" }`],
  ['a when item before its guard', `debug: { msg: "x" }\n      when: [absent.y == 1, absent is defined]`],
] as const) {
  test(`an unguarded use (${what}) is refused before the run, and fails in ansible-playbook`, () => {
    const dir = project({ 'pb.yaml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: t\n      ${task}\n` }, 'cvg-guards-');
    dirs.push(dir);
    const v = converge(['validate', path.join(dir, 'pb.yaml')]);
    assert.equal(v.code, 4, v.stdout + v.stderr);
    assert.match(v.stderr, /pb\.yaml:\d+:\d+: undefined variable 'absent'/);
    const theirs = runAnsible(dir, 'pb.yaml');
    assert.equal(theirs[0]?.failed, true, JSON.stringify(theirs));
  });
}
