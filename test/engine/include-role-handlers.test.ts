// A role included by a templated name is loaded when the include runs; its
// handlers join the play then, so a notification from inside it runs them
// (they were silently dropped).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';

test('include_role with a templated name: the role\'s handlers run when notified', () => {
  const dir = project({
    'pb.yml': '- hosts: localhost\n  gather_facts: false\n  vars:\n    r: web\n  tasks:\n    - include_role:\n        name: "{{ r }}"\n    - include_role:\n        name: "{{ r }}"\n',
    'roles/web/tasks/main.yml': '- copy: content=x dest={{ out }}/conf\n  notify: reload web\n',
    'roles/web/handlers/main.yml': '- name: reload web\n  lineinfile: path={{ out }}/reloads line=reloaded create=yes\n',
  });
  try {
    const r = converge([path.join(dir, 'pb.yml'), '--json', '-e', `out=${dir}`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const tasks = r.json.hosts.localhost.tasks as Array<{ name: string; status: string; handler?: boolean }>;
    assert.ok(existsSync(path.join(dir, 'reloads')), `the handler did not run: ${JSON.stringify(tasks)}`);
    assert.equal(tasks.filter((t) => t.name === 'reload web').length, 1, 'the handler runs once, though the role was included twice');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
