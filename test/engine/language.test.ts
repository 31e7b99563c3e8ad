// The playbook language through the real CLI on localhost: loops, when,
// register, handlers, tags, set_fact, variables, includes, check mode.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';

test('loops, when, register, set_fact and lazy variables', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  vars:
    out: "{{ playbook_dir }}/out"
    names: [alpha, beta, gamma]
    greeting: "hello {{ who }}"
    who: world
  tasks:
    - file: path={{ out }} state=directory
    - name: one file per name, except beta
      copy:
        content: "{{ greeting }} {{ item }}\\n"
        dest: "{{ out }}/{{ item }}.txt"
      loop: "{{ names }}"
      when: item != 'beta'
      register: written
    - set_fact:
        count: "{{ written.results | selectattr('changed') | list | length }}"
    - copy:
        content: "changed={{ count }} skipped={{ written.results | selectattr('skipped') | list | length }}\\n"
        dest: "{{ out }}/summary.txt"
`,
  });
  const r = converge([path.join(dir, 'pb.yaml')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(path.join(dir, 'out/alpha.txt'), 'utf8'), 'hello world alpha\n');
  assert.equal(existsSync(path.join(dir, 'out/beta.txt')), false);
  assert.equal(readFileSync(path.join(dir, 'out/summary.txt'), 'utf8'), 'changed=2 skipped=1\n');
  rmSync(dir, { recursive: true, force: true });
});

test('handlers run once, in definition order, only when notified, and flush_handlers runs them early', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  vars: { d: "{{ playbook_dir }}" }
  tasks:
    - copy: { content: "a\\n", dest: "{{ d }}/a" }
      notify: [second, first]
    - copy: { content: "b\\n", dest: "{{ d }}/b" }
      notify: first
    - meta: flush_handlers
    - copy: { content: "c\\n", dest: "{{ d }}/c" }
      notify: never-changed
  handlers:
    - name: first
      shell: echo first >> {{ d }}/log
    - name: second
      shell: echo second >> {{ d }}/log
    - name: never-changed
      shell: echo third >> {{ d }}/log
`,
  });
  const pb = path.join(dir, 'pb.yaml');
  let r = converge([pb]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(path.join(dir, 'log'), 'utf8'), 'first\nsecond\nthird\n');
  rmSync(path.join(dir, 'log'));
  r = converge([pb]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(existsSync(path.join(dir, 'log')), false, 'no handler runs when nothing changed');
  rmSync(dir, { recursive: true, force: true });
});

test('tags and skip-tags select tasks', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - copy: { content: "x", dest: "{{ playbook_dir }}/tagged" }
      tags: [one]
    - copy: { content: "y", dest: "{{ playbook_dir }}/other" }
      tags: two
    - copy: { content: "z", dest: "{{ playbook_dir }}/always" }
      tags: always
`,
  });
  const pb = path.join(dir, 'pb.yaml');
  const r = converge([pb, '-t', 'one']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(existsSync(path.join(dir, 'tagged')));
  assert.ok(existsSync(path.join(dir, 'always')));
  assert.equal(existsSync(path.join(dir, 'other')), false);
  const r2 = converge([pb, '--skip-tags', 'one,always']);
  assert.equal(r2.code, 0);
  assert.ok(existsSync(path.join(dir, 'other')));
  rmSync(dir, { recursive: true, force: true });
});

test('import_tasks, block inheritance and extra vars with highest precedence', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  vars: { value: from-play }
  tasks:
    - block:
        - import_tasks: tasks/write.yaml
      when: enabled | bool
`,
    'tasks/write.yaml': `
- copy: { content: "{{ value }}\\n", dest: "{{ playbook_dir }}/v.txt" }
`,
  });
  const pb = path.join(dir, 'pb.yaml');
  let r = converge([pb, '-e', 'enabled=no']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(existsSync(path.join(dir, 'v.txt')), false);
  r = converge([pb, '-e', 'enabled=yes value=from-cli']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(path.join(dir, 'v.txt'), 'utf8'), 'from-cli\n');
  rmSync(dir, { recursive: true, force: true });
});

test('a failing task stops that host, ignore_errors continues, exit codes follow Ansible and Puppet', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    # A command that ran counts as changed even when it fails (Ansible's recap): changed_when keeps it out.
    - command: /bin/false
      ignore_errors: true
      changed_when: false
    - copy: { content: "1", dest: "{{ playbook_dir }}/one" }
    - command: /bin/false
    - copy: { content: "2", dest: "{{ playbook_dir }}/two" }
`,
  });
  const pb = path.join(dir, 'pb.yaml');
  const r = converge([pb, '--json']);
  assert.equal(r.code, 2);
  assert.ok(existsSync(path.join(dir, 'one')));
  assert.equal(existsSync(path.join(dir, 'two')), false);
  assert.equal(r.json.hosts.localhost.summary.failed, 1);
  assert.equal(r.json.hosts.localhost.summary.ignored, 1);
  const d = converge([pb, '--detailed-exitcodes']);
  assert.equal(d.code, 4, 'failures and nothing changed: 4');
  rmSync(path.join(dir, 'one'));
  const both = converge([pb, '--detailed-exitcodes']);
  assert.equal(both.code, 6, 'failures and changes: 6');
  rmSync(dir, { recursive: true, force: true });
});

test('changed_when and failed_when decide from the registered result', () => {
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - command: echo steady
      register: r
      changed_when: false
    - command: sh -c "echo oops; exit 3"
      register: bad
      failed_when: bad.rc not in [0, 3]
      changed_when: "'oops' in bad.stdout"
    - assert:
        that:
          - r.stdout == 'steady'
          - not r.changed
          - bad.rc == 3
          - bad.changed
`,
  });
  const r = converge([path.join(dir, 'pb.yaml'), '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(r.json.hosts.localhost.tasks.map((t: any) => t.status), ['ok', 'changed', 'ok']);
  rmSync(dir, { recursive: true, force: true });
});
