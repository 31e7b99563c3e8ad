// The look-ahead before a play's tasks (src/engine/prefetch.ts) renders the
// tasks' path parameters early to guess what they will look at. It must never
// act: a lookup in such a parameter (pipe runs a command) runs exactly as
// often as without the look-ahead, once per use by the task itself, and a
// parameter that cannot be rendered yet changes nothing about the run.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project, statuses } from '../helpers/cli.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('lookups in path parameters run once per task, never for the look-ahead; paths known only later still work', () => {
  const dir = project({ 'made/.keep': '', 'looped/.keep': '', 'conditional/.keep': '', 'templated/.keep': '', 'templates/.keep': '' });
  dirs.push(dir);
  const made = path.join(dir, 'made');
  const looped = path.join(dir, 'looped');
  const conditional = path.join(dir, 'conditional');
  const templated = path.join(dir, 'templated');
  // A template lookup may run ahead (it only reads); the pipe inside it may not.
  writeFileSync(path.join(dir, 'templates', 'made.j2'), `{{ lookup('pipe', 'mktemp -p ${templated}') }}\n`);
  const pb = path.join(dir, 'pb.yml');
  // Each mktemp makes a new file and prints its name: the files left count the lookups that ran.
  writeFileSync(pb, `- hosts: localhost
  tasks:
    - name: a path made by a command
      file:
        path: "{{ lookup('pipe', 'mktemp -p ${made}') }}"
        state: file
    - name: a loop made by a command
      stat:
        path: "{{ item }}"
      loop: "{{ query('pipe', 'mktemp -p ${looped}') }}"
    - name: a lookup with errors ignored
      stat:
        path: "{{ lookup('pipe', 'mktemp -p ${conditional}', errors='ignore') }}"
    - name: a loop whose items come from a template that runs a command
      stat:
        path: "{{ item }}"
      loop: "{{ [lookup('template', 'made.j2') | trim] }}"
    - name: a path set by an earlier task
      set_fact:
        later: "${dir}/later"
    - name: touch it
      file:
        path: "{{ later }}"
        state: touch
`);
  const r = converge([pb, '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(statuses(r.json).map(([, s]) => s), ['ok', 'ok', 'ok', 'ok', 'ok', 'changed']);
  const count = (d: string) => readdirSync(d).filter((f) => f !== '.keep').length;
  assert.equal(count(made), 1, 'the pipe of the file task ran once');
  assert.equal(count(looped), 1, 'the pipe of the loop ran once');
  assert.equal(count(conditional), 1, 'the pipe with errors ignored ran once');
  assert.equal(count(templated), 1, 'the pipe inside a template lookup ran once');
  assert.ok(existsSync(path.join(dir, 'later')));
});

