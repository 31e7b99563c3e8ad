// Plain YAML scalars resolve as ansible-playbook resolves them (PyYAML's YAML
// 1.1 resolver): both tools load the same playbook and print the same values,
// and the results are compared here.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { project } from '../helpers/cli.js';
import { runAnsible, runConverge, type TaskResult } from './ansible-oracle.js';

// Every scalar is written plain (unquoted) into the playbook.
const SCALARS = [
  'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'oFF', 'true', 'True',
  'TRUE', 'false', 'False', 'FALSE', 'tRUE', 'e0', 'E5', '1e3', '1.5e3', '1.5e+3', '1.5E-3', '.', '-.5', '.5', '+.5', '1.',
  '1.25', '-2.5', '0.1_2', '.inf', '-.Inf', '+.INF', '09', '0644', '-0644', '0o644', '0b101', '0b1_1', '0x1F', '0x_ff',
  '0X1F', '1:30', '-1:30', '0:30', '1:30.5', '190:20:30', '1_000', '0', '-0', '00', '+1', '-1', '007', '08', '12345678901',
  '~', 'null', 'Null', 'NULL', 'nULL', '2001-12-14', '2001-1-5', '1.2.3', '10.0.0.1', '0.0.0.0/0', 'fc:ab:14:e8:66:01',
  '12:34:56:78:9a:bc', '22:00', '1:60', 'ABC', 'no_proxy', 'onboot', '0.5_0', '1__0', '_1', '1_', '0_7', '+0x10',
  '-0b11', '3.', '-3.', '+3.5', '6.02e+23', '1e+3', '1.0e3',
];
const KEYS = ['2', 'yes', '0644', 'y', '1.5', 'off', '0x10'];

function playbook(): string {
  const lines = [
    '- hosts: localhost',
    '  gather_facts: false',
    '  vars:',
    '    unsafe_var: !unsafe "{{ not_defined_anywhere }}"',
    '  tasks:',
    '    - name: scalars',
    '      debug:',
    '        msg:',
    ...SCALARS.map((s, i) => `          k${i}: ${s}`),
    '    - name: keys',
    '      debug:',
    '        msg:',
    ...KEYS.map((k, i) => `          ${k}: v${i}`),
    '    - name: unsafe',
    '      debug:',
    '        msg:',
    '          direct: !unsafe "{{ lookup(\'pipe\', \'id\') }}"',
    '          via_var: "{{ unsafe_var }}"',
    '          list: "{{ [unsafe_var] }}"',
    '    - name: infinities',
    '      vars: { pos: .inf, neg: -.Inf, plus: +.INF }',
    '      debug:',
    '        msg: "{{ [pos > 10 ** 300, neg < -(10 ** 300), plus > 10 ** 300, pos == plus] }}"',
    '    - name: e0',
    '      debug: { msg: { name: done } }',
  ];
  return lines.join('\n') + '\n';
}

let dir: string;
let ansible: TaskResult[];
let ours: TaskResult[];

before(() => {
  dir = project({ 'pb.yaml': playbook() }, 'cvg-compat-yaml-');
  ansible = runAnsible(dir, 'pb.yaml');
  ours = runConverge(dir, 'pb.yaml');
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('every plain scalar loads as ansible-playbook loads it', () => {
  const a = ansible[0].msg as Record<string, unknown>;
  const c = ours[0].msg as Record<string, unknown>;
  const differ: string[] = [];
  SCALARS.forEach((s, i) => {
    const k = `k${i}`;
    // JSON writes Python's 1500.0 as 1500.0 and converge's float box as 1500: compared by value.
    // Infinities are not JSON; the next test compares them.
    if (/inf/i.test(s)) return;
    if (JSON.stringify(a[k]) !== JSON.stringify(c[k]) && !(typeof a[k] === 'number' && a[k] === c[k])) {
      differ.push(`${s}: ansible ${JSON.stringify(a[k])}, converge ${JSON.stringify(c[k])}`);
    }
  });
  assert.deepEqual(differ, []);
  assert.equal(Object.keys(a).length, SCALARS.length);
  assert.equal(Object.keys(c).length, SCALARS.length);
});

test('mapping keys resolve the same way (shown as strings, as in JSON)', () => {
  assert.deepEqual(ours[1].msg, ansible[1].msg);
});

test('!unsafe values are never templated, directly or through a variable', () => {
  assert.equal(ansible[2].failed, false);
  assert.deepEqual(ours[2].msg, ansible[2].msg);
  assert.deepEqual((ours[2].msg as { direct: string }).direct, "{{ lookup('pipe', 'id') }}");
});

test('.inf, -.Inf and +.INF are infinities', () => {
  assert.deepEqual(ansible[3].msg, [true, true, true, true]);
  assert.deepEqual(ours[3].msg, ansible[3].msg);
});

test('a task named e0 is called e0', () => {
  assert.equal(ours[4].name, ansible[4].name);
  assert.equal(ours[4].name, 'e0');
});
