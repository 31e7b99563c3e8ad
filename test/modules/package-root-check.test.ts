// --check with a package root that does not exist yet (a compute image the
// run would build): the plan says every package would be installed and the
// directory stays absent. dnf and zypper asked about such a root create its
// rpmdb, logs and cache, so they are not asked.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';

test('dnf installroot and zypper root that do not exist: --check writes nothing there', () => {
  const dir = project({
    'pb.yml': `- hosts: localhost
  gather_facts: false
  tasks:
    - dnf: name=bash,coreutils installroot={{ out }}/rocky releasever=8 disablerepo=*
    - zypper:
        name: bash
        root: "{{ out }}/suse"
`,
  });
  try {
    const r = converge([path.join(dir, 'pb.yml'), '--check', '--json', '-e', `out=${dir}/img`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const tasks = r.json.hosts.localhost.tasks as Array<{ status: string; changes: Array<{ summary: string }> }>;
    assert.deepEqual(tasks.map((t) => t.status), ['changed', 'changed']);
    assert.match(JSON.stringify(tasks[0].changes), /install bash into .*\/img\/rocky/);
    assert.match(JSON.stringify(tasks[0].changes), /install coreutils/);
    assert.ok(!existsSync(path.join(dir, 'img')), 'the check run created the image directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
