// Playbooks written the way public ones are (the Rocky 8 PXE playbook's
// style): key=value arguments coerced as Ansible coerces module arguments,
// set_fact flag=yes a boolean, with_items, copy from a path an earlier task of
// the same run creates, creates=; an unbalanced quote is a parse error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';

test('key=value in the PXE playbook style validates, converges, and converges again with nothing to do', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: no
  vars:
    root: "{{ playbook_dir }}/srv"
    want_backup: "yes"
  tasks:
    - name: directories
      file: path={{ root }}/{{ item }} state=directory mode=0755 recurse=no
      with_items:
        - cluster
        - tftpboot
    - name: download the boot binary (made by this run)
      command: cp /bin/true {{ root }}/cluster/busybox.bin creates={{ root }}/cluster/busybox.bin
    - name: copy it where tftp serves it, from the controller path the task above made
      copy: src={{ root }}/cluster/busybox.bin dest={{ root }}/tftpboot/busybox.bin mode=0644 backup={{ want_backup }}
    - set_fact: pxe_ready=yes count=3
    - name: a boolean fact is a boolean, not the text yes
      copy: content="{{ 'bool' if pxe_ready == true else 'text' }} {{ count }}" dest={{ root }}/fact.txt force=yes
    - lineinfile: path={{ root }}/tftpboot/menu create=yes line="label linux" state=present
`,
  });
  const pb = path.join(dir, 'pb.yaml');
  const v = converge(['validate', pb]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  let r = converge([pb, '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(path.join(dir, 'srv/fact.txt'), 'utf8'), 'bool 3');
  assert.equal(statSync(path.join(dir, 'srv/tftpboot/busybox.bin')).mode & 0o777, 0o644);
  assert.equal(existsSync(path.join(dir, 'srv/tftpboot/menu')), true);
  r = converge([pb, '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const changed = (r.json.hosts.localhost.tasks as Array<{ status: string; name: string }>).filter((t) => t.status === 'changed');
  assert.deepEqual(changed.map((t) => t.name), [], 'second run changes nothing');
  rmSync(dir, { recursive: true, force: true });
});

test('templated "yes" for a boolean parameter is coerced at run time; a word that is no boolean is refused', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  vars: { yes_text: "yes", bad: "perhaps" }
  tasks:
    - file: path={{ playbook_dir }}/d state=directory
    - copy: content=x dest={{ playbook_dir }}/d/a force={{ yes_text }}
    - copy: content=x dest={{ playbook_dir }}/d/b force={{ bad }}
`,
  });
  const r = converge([path.join(dir, 'pb.yaml'), '--json']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const tasks = r.json.hosts.localhost.tasks as Array<{ status: string; message?: string }>;
  assert.deepEqual(tasks.map((t) => t.status), ['changed', 'changed', 'failed']);
  assert.match(tasks[2].message ?? '', /force' must be boolean/);
  rmSync(dir, { recursive: true, force: true });
});

test('an unbalanced quote in key=value is a parse error naming the line, not a crash', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - debug: msg=fine
    - copy: content="unterminated dest=/tmp/x
`,
  });
  const r = converge(['validate', path.join(dir, 'pb.yaml')]);
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.match(r.stderr, /pb\.yaml:6:\d+: cannot parse the key=value arguments of 'copy': unterminated double quote/);
  rmSync(dir, { recursive: true, force: true });
});

test('a copy src outside the playbook that no earlier task makes is still refused before the run', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - copy: src=/nonexistent/cvg-none.bin dest={{ playbook_dir }}/x
`,
  });
  const r = converge(['validate', path.join(dir, 'pb.yaml')]);
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.match(r.stderr, /copy src not found: '\/nonexistent\/cvg-none.bin'/);
  rmSync(dir, { recursive: true, force: true });
});
