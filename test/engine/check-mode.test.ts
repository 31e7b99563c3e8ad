// --check is honest: on an empty directory it creates nothing and predicts
// exactly the changes the real run then makes; a second run changes nothing.
// A failing validator is reported with its own message, in both modes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';

const PLAYBOOK = `
- hosts: localhost
  gather_facts: false
  vars:
    root: "{{ playbook_dir }}/tree"
  tasks:
    - name: make the tree
      file: { path: "{{ root }}/etc", state: directory, mode: "0750" }
    - name: a copied file inside the directory the first task makes
      copy: { content: "static\\n", dest: "{{ root }}/etc/static.conf", mode: "0600" }
    - name: a templated file
      template: { src: app.conf.j2, dest: "{{ root }}/etc/app.conf" }
    - name: a line in a file that lineinfile creates
      lineinfile: { path: "{{ root }}/etc/lines.conf", line: "key=value", create: true }
    - name: look at the template's output
      stat: { path: "{{ root }}/etc/app.conf" }
      register: st
    - name: a command that creates its marker once
      command: touch {{ root }}/marker
      args: { creates: "{{ root }}/marker" }
`;

function changedTasks(json: any): string[] {
  return json.hosts.localhost.tasks.filter((t: any) => t.status === 'changed').map((t: any) => `${t.task} ${t.name}`);
}

test('--check predicts exactly what the real run changes, and creates nothing', () => {
  const dir = project({ 'pb.yaml': PLAYBOOK, 'templates/app.conf.j2': 'port={{ 8000 + 80 }}\nhost={{ inventory_hostname }}\n' });
  const pb = path.join(dir, 'pb.yaml');
  const before = readdirSync(dir).sort();

  const check = converge([pb, '--check', '--json']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.deepEqual(readdirSync(dir).sort(), before, '--check created nothing');
  assert.ok(check.json.check);
  const predicted = changedTasks(check.json);
  const failedInCheck = check.json.hosts.localhost.tasks.filter((t: any) => t.status === 'failed');
  assert.deepEqual(failedInCheck, [], 'no task fails in --check because an earlier task has not run');
  // The copy into a directory that task 1 would make says so.
  const copy = check.json.hosts.localhost.tasks.find((t: any) => t.task === 2);
  assert.ok(copy.changes.length > 0);

  const real = converge([pb, '--json']);
  assert.equal(real.code, 0, real.stdout + real.stderr);
  assert.deepEqual(changedTasks(real.json), predicted, 'the real run changed exactly the predicted tasks');
  assert.equal(readFileSync(path.join(dir, 'tree/etc/app.conf'), 'utf8'), 'port=8080\nhost=localhost\n');

  const again = converge([pb, '--json']);
  assert.equal(again.code, 0);
  assert.deepEqual(changedTasks(again.json), [], 'second run: 0 changed');
  const againCheck = converge([pb, '--check', '--json']);
  assert.deepEqual(changedTasks(againCheck.json), [], 'second --check: 0 would change');
  rmSync(dir, { recursive: true, force: true });
});

test('a failing validator leaves the old file byte-identical and shows its own message, in --check and for real', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - template:
        src: cfg.j2
        dest: "{{ playbook_dir }}/service.conf"
        validate: grep -q "^valid$" %s
`,
    'templates/cfg.j2': 'broken\n',
  });
  const target = path.join(dir, 'service.conf');
  writeFileSync(target, 'valid\n');
  const pb = path.join(dir, 'pb.yaml');
  for (const mode of [['--check'], []]) {
    const r = converge([pb, ...mode, '--json']);
    assert.equal(r.code, 2, `${mode.join(' ') || 'real run'} fails: ${r.stdout}${r.stderr}`);
    const t = r.json.hosts.localhost.tasks[0];
    assert.equal(t.status, 'failed');
    assert.match(t.message, /validat/i);
    assert.equal(readFileSync(target, 'utf8'), 'valid\n');
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('converge')), [], 'no temp file left behind');
  rmSync(dir, { recursive: true, force: true });
});
