// A cross-platform role's Windows or BSD branch: ansible-playbook accepts the
// playbook (the collections are installed), so `converge validate` accepts it
// with a warning naming file:line; the run fails only when such a task runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';

const PLAYBOOK = `- hosts: localhost
  gather_facts: true
  tasks:
    - name: windows branch
      win_file: path=C:\\\\Temp state=directory
      when: ansible_os_family == "Windows"
    - name: freebsd branch
      community.general.pkgng:
        name: nginx
      when: ansible_system == "FreeBSD"
    - name: linux branch
      file: path={{ out }}/linux state=touch
`;

test('another platform\'s modules in branches that do not run: a warning at load, the run converges', () => {
  const dir = project({ 'pb.yml': PLAYBOOK });
  try {
    const pb = path.join(dir, 'pb.yml');
    const syn = spawnSync('ansible-playbook', ['--syntax-check', pb, '-i', 'localhost,'], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
    assert.equal(syn.status, 0, `ansible-playbook --syntax-check refuses it: ${syn.stdout}${syn.stderr}`);

    const v = converge(['validate', pb, '-e', `out=${dir}`]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stderr, new RegExp(`warning: ${pb.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: 'win_file' is a module for Windows hosts`));
    assert.match(v.stderr, /pb\.yml:8:\d+: 'community\.general\.pkgng' is a module for FreeBSD hosts/);

    const r = converge([pb, '--json', '-e', `out=${dir}`]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const tasks = r.json.hosts.localhost.tasks as Array<{ name: string; status: string }>;
    assert.equal(tasks.find((t) => t.name === 'windows branch')?.status, 'skipped');
    assert.equal(tasks.find((t) => t.name === 'freebsd branch')?.status, 'skipped');
    assert.ok(existsSync(path.join(dir, 'linux')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('another platform\'s module that runs fails its task with the reason; unknown modules are still refused', () => {
  const dir = project({
    'runs.yml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - win_service: name=spooler state=stopped\n    - file: path={{ out }}/after state=touch\n',
    'typo.yml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - win_ping:\n      when: false\n    - fille: path=/x\n',
  });
  try {
    const r = converge([path.join(dir, 'runs.yml'), '--json', '-e', `out=${dir}`]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const t = r.json.hosts.localhost.tasks[0];
    assert.equal(t.status, 'failed');
    assert.match(t.message, /'win_service' is a module for Windows hosts; converge manages Linux hosts/);
    assert.ok(!existsSync(path.join(dir, 'after')), 'the host stopped at the failed task');

    // Only other platforms' modules are let through: a misspelt Linux module is refused as before.
    const v = converge(['validate', path.join(dir, 'typo.yml')]);
    assert.equal(v.code, 4);
    assert.match(v.stderr, /typo\.yml:6:\d+: unknown module 'fille'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
