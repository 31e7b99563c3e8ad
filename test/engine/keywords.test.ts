// Every keyword converge accepts on a play, block, task, include, role entry
// and loop_control (src/config/keywords.ts) has a case here that shows its
// effect, or its refusal; a keyword added without a case fails the first test.
// Cases run in batches of one playbook each, to stay fast.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';
import { BLOCK_KEYS, INCLUDE_KEYS, LOOP_CONTROL_KEYS, LOOP_KEYS, PLAY_KEYS, REFUSED, ROLE_ENTRY_KEYS, TASK_KEYS } from '../../src/config/keywords.js';

interface Case {
  /** keyword names this case covers, as "scope:keyword". */
  covers: string[];
  files: Record<string, string>;
  args?: string[];
  check(r: { code: number; out: string; json: any }, dir: string): void;
}

const read = (dir: string, f: string) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : undefined);
const events = (json: any) => (json?.hosts?.localhost?.tasks ?? []) as Array<{ name: string; status: string; message?: string; item?: string; ignored?: boolean; showDiff?: boolean; noLog?: boolean }>;
const ev = (json: any, name: string) => events(json).filter((e) => e.name === name);

const cases: Case[] = [
  {
    covers: ['play:name', 'play:hosts', 'play:vars', 'play:vars_files', 'play:gather_facts', 'play:tasks', 'play:pre_tasks', 'play:post_tasks',
      'play:handlers', 'task:name', 'task:notify', 'task:register', 'task:when', 'task:vars', 'task:args', 'play:tags', 'task:tags'],
    files: {
      'v.yml': 'from_file: vf\n',
      'pb.yaml': `
- name: the play
  hosts: localhost
  gather_facts: true
  tags: [t_play]
  vars: { d: "{{ playbook_dir }}", v: pv }
  vars_files: [v.yml]
  pre_tasks:
    - shell: echo pre >> {{ d }}/order
  tasks:
    - name: main
      shell: echo "main {{ v }} {{ from_file }} {{ tv }} {{ 'facts' if ansible_facts.os_family | length > 0 else 'none' }}" >> {{ d }}/order
      vars: { tv: taskvar }
      register: reg
      notify: h
    - name: skipped by when
      shell: echo no >> {{ d }}/order
      when: reg.rc != 0
    - name: args
      command:
      args: { cmd: "true", creates: "{{ d }}/order" }
    - name: tagged out
      shell: echo tagged >> {{ d }}/order
      tags: [other]
  post_tasks:
    - shell: echo post >> {{ d }}/order
  handlers:
    - name: h
      shell: echo handler >> {{ d }}/order
`,
    },
    args: ['--tags', 't_play', '--skip-tags', 'other'],
    check: (r, dir) => {
      assert.equal(r.code, 0, r.out);
      assert.equal(read(dir, 'order'), 'pre\nmain pv vf taskvar facts\nhandler\npost\n');
      assert.equal(ev(r.json, 'skipped by when')[0].status, 'skipped');
      assert.equal(ev(r.json, 'args')[0].status, 'ok');
      assert.equal(r.json.plays?.[0]?.name ?? 'the play', 'the play');
    },
  },
  {
    covers: ['task:ignore_errors', 'task:failed_when', 'task:changed_when', 'task:no_log', 'task:check_mode', 'task:diff', 'play:check_mode',
      'play:ignore_errors', 'play:no_log', 'play:diff'],
    files: {
      'pb.yaml': `
- hosts: localhost
  gather_facts: false
  ignore_errors: false
  no_log: false
  diff: false
  check_mode: false
  vars: { d: "{{ playbook_dir }}" }
  tasks:
    - name: fails but ignored
      command: /bin/false
      ignore_errors: true
    - name: failed_when
      command: /bin/true
      failed_when: true
      ignore_errors: yes
    - name: changed_when
      command: /bin/true
      changed_when: false
    - name: secret
      debug: msg="hunter2"
      no_log: true
    - name: checked only
      copy: { content: "x", dest: "{{ d }}/never" }
      check_mode: true
    - name: with diff
      copy: { content: "new\\n", dest: "{{ d }}/diffed" }
      diff: true
`,
    },
    check: (r, dir) => {
      assert.equal(r.code, 0, r.out);
      assert.equal(ev(r.json, 'fails but ignored')[0].ignored, true);
      assert.equal(ev(r.json, 'failed_when')[0].status, 'failed');
      assert.equal(ev(r.json, 'changed_when')[0].status, 'ok');
      assert.doesNotMatch(JSON.stringify(ev(r.json, 'secret')), /hunter2/);
      assert.equal(existsSync(path.join(dir, 'never')), false);
      assert.equal(ev(r.json, 'checked only')[0].status, 'changed');
      assert.equal(ev(r.json, 'with diff')[0].showDiff, true);
    },
  },
  {
    covers: ['play:become', 'play:become_user', 'play:become_method', 'task:become', 'task:become_user', 'task:become_method', 'task:remote_user',
      'play:remote_user'],
    files: {
      'pb.yaml': `
- hosts: localhost
  gather_facts: false
  become: true
  become_user: root
  become_method: sudo
  vars: { d: "{{ playbook_dir }}" }
  tasks:
    - name: as root
      shell: id -un > {{ d }}/who
      become: yes
      become_method: sudo
    - name: as nobody
      shell: id -un > {{ d }}/nobody
      become_user: nobody
      ignore_errors: true
    - name: remote user
      command: "true"
      remote_user: nobody
      ignore_errors: true
- hosts: localhost
  gather_facts: false
  remote_user: nobody
  tasks:
    - name: play remote user
      command: "true"
      ignore_errors: true
`,
    },
    check: (r, dir) => {
      assert.equal(read(dir, 'who'), 'root\n');
      // A local connection cannot switch users: refused with the reason, never run as root instead.
      assert.equal(existsSync(path.join(dir, 'nobody')), false);
      assert.match(ev(r.json, 'as nobody')[0].message ?? '', /become_user 'nobody' on a local connection is not supported/);
      assert.match(ev(r.json, 'remote user')[0].message ?? '', /remote_user 'nobody' on a local connection is not supported/);
      assert.match(ev(r.json, 'play remote user')[0].message ?? '', /remote_user 'nobody' on a local connection is not supported/);
    },
  },
  {
    covers: ['play:connection'],
    files: {
      'inv.ini': 'far ansible_host=192.0.2.1\n',
      'pb.yaml': `
- hosts: far
  gather_facts: false
  connection: local
  tasks:
    - name: runs here, not over ssh
      shell: echo here > {{ playbook_dir }}/conn
`,
    },
    args: ['-i', 'inv.ini'],
    check: (r, dir) => {
      assert.equal(r.code, 0, r.out);
      assert.equal(read(dir, 'conn'), 'here\n');
    },
  },
  {
    covers: ['play:environment', 'task:environment', 'task:delegate_to', 'task:run_once'],
    files: {
      'inv.ini': 'a ansible_connection=local\nb ansible_connection=local\n',
      'pb.yaml': `
- hosts: all
  gather_facts: false
  environment: { PLAYENV: p }
  tasks:
    - name: env
      shell: echo "$PLAYENV $TASKENV" > {{ playbook_dir }}/env-{{ inventory_hostname }}
      environment: { TASKENV: "{{ inventory_hostname }}" }
    - name: once
      shell: echo once >> {{ playbook_dir }}/once
      run_once: true
      register: once
    - name: both see the result
      shell: echo "{{ once.rc }}" > {{ playbook_dir }}/rc-{{ inventory_hostname }}
    - name: delegated
      shell: echo "{{ inventory_hostname }}" >> {{ playbook_dir }}/delegated
      delegate_to: localhost
    - name: delegated to a stranger
      command: "true"
      delegate_to: nosuchhost
      ignore_errors: true
      when: inventory_hostname == 'a'
`,
    },
    args: ['-i', 'inv.ini', '--forks', '1'],
    check: (r, dir) => {
      assert.equal(read(dir, 'env-a'), 'p a\n');
      assert.equal(read(dir, 'env-b'), 'p b\n');
      assert.equal(read(dir, 'once'), 'once\n');
      assert.equal(read(dir, 'rc-b'), '0\n');
      assert.equal(read(dir, 'delegated')?.split('\n').sort().join(' ').trim(), 'a b');
      const stranger = (r.json.hosts.a.tasks as any[]).find((t) => t.name === 'delegated to a stranger');
      assert.match(stranger.message, /delegate_to: no host 'nosuchhost'/);
    },
  },
  {
    covers: ['task:loop', 'task:loop_control', 'loop_control:loop_var', 'loop_control:label', 'loop_control:index_var', 'loop_control:extended',
      'loop_control:pause', 'task:with_items', 'task:with_list', 'task:with_dict', 'task:with_together', 'task:with_subelements',
      'task:with_sequence', 'task:with_fileglob', 'task:with_first_found', 'task:with_nested', 'task:with_cartesian',
      'task:with_indexed_items', 'task:with_flattened', 'task:until', 'task:retries', 'task:delay'],
    files: {
      'files/a.conf': 'a', 'files/b.conf': 'b',
      'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - set_fact: { r: "{{ r | default([]) + [x ~ i ~ ('L' if ansible_loop.last else '-')] }}" }
      loop: [p, q]
      loop_control: { loop_var: x, index_var: i, extended: true, label: "L{{ x }}", pause: 0.2 }
    - set_fact: { items_: "{{ items_ | default([]) + [item] }}" }
      with_items: [[1, 2], 3]
    - set_fact: { list_: "{{ list_ | default([]) + [item] }}" }
      with_list: [[1, 2], 3]
    - set_fact: { dict_: "{{ dict_ | default([]) + [item.key ~ item.value] }}" }
      with_dict: { k: v }
    - set_fact: { tog: "{{ tog | default([]) + [item[0] ~ item[1]] }}" }
      with_together: [[a, b], [1, 2]]
    - set_fact: { sub: "{{ sub | default([]) + [item[0].nm ~ item[1]] }}" }
      with_subelements: [[{nm: u, g: [xa, yb]}], g]
    - set_fact: { seq: "{{ seq | default([]) + [item] }}" }
      with_sequence: count=2 format=n%d
    # with_fileglob lists in the directory's own order, as Python's glob does: sorted here to compare.
    - set_fact: { globbed: "{{ globbed | default([]) + [item | basename] }}" }
      with_fileglob: ["*.conf"]
    - set_fact: { found: "{{ item | basename }}" }
      with_first_found: [missing.conf, b.conf]
    - set_fact: { nest: "{{ nest | default([]) + [item[0] ~ item[1]] }}" }
      with_nested: [[a, b], [1]]
    - set_fact: { cart: "{{ cart | default([]) + [item[0] ~ item[1]] }}" }
      with_cartesian: [[c], [1, 2]]
    - set_fact: { idx: "{{ idx | default([]) + [item[0] ~ item[1]] }}" }
      with_indexed_items: [m, k]
    - set_fact: { flat: "{{ flat | default([]) + [item] }}" }
      with_flattened: [[1, [2]], 3]
    - name: retried
      shell: echo x >> {{ playbook_dir }}/tries; test $(wc -l < {{ playbook_dir }}/tries) -ge 2
      register: t
      until: t.rc == 0
      retries: 3
      delay: 0
    - copy:
        content: "{{ [r, items_, list_, dict_, tog, sub, seq, globbed | sort, found, nest, cart, idx, flat, t.attempts] | to_json }}"
        dest: "{{ playbook_dir }}/loops.json"
`,
    },
    check: (r, dir) => {
      assert.equal(r.code, 0, r.out);
      assert.deepEqual(JSON.parse(read(dir, 'loops.json') ?? 'null'), [
        ['p0-', 'q1L'], [1, 2, 3], [[1, 2], 3], ['kv'], ['a1', 'b2'], ['uxa', 'uyb'], ['n1', 'n2'], ['a.conf', 'b.conf'], 'b.conf',
        ['a1', 'b1'], ['c1', 'c2'], ['0m', '1k'], [1, 2, 3], 2]);
      assert.deepEqual(events(r.json).filter((e) => e.item?.startsWith('L')).map((e) => e.item), ['Lp', 'Lq']);
    },
  },
  {
    covers: ['block:block', 'block:rescue', 'block:always', 'block:name', 'block:when', 'block:tags', 'block:vars', 'block:become', 'block:become_user',
      'block:become_method', 'block:ignore_errors', 'block:no_log', 'block:check_mode', 'block:diff', 'block:environment', 'block:delegate_to',
      'block:run_once', 'block:remote_user'],
    files: {
      'pb.yaml': `
- hosts: localhost
  gather_facts: false
  vars: { d: "{{ playbook_dir }}" }
  tasks:
    - name: b
      vars: { bv: blockvar }
      environment: { BENV: benv }
      become: true
      become_user: root
      become_method: sudo
      delegate_to: localhost
      run_once: true
      tags: [btag]
      when: true
      diff: true
      block:
        - name: in block
          shell: echo "$BENV {{ bv }}" > {{ d }}/block
        - command: /bin/false
      rescue:
        - shell: echo rescued > {{ d }}/rescued
      always:
        - shell: echo always > {{ d }}/always
    - name: ignoring block
      ignore_errors: true
      no_log: true
      check_mode: false
      remote_user: root
      block:
        - name: ignored failure
          command: /bin/false
        - name: after ignored
          shell: echo after > {{ d }}/after
`,
    },
    args: ['--tags', 'btag,untagged'],
    check: (r, dir) => {
      assert.equal(read(dir, 'block'), 'benv blockvar\n');
      assert.equal(read(dir, 'rescued'), 'rescued\n');
      assert.equal(read(dir, 'always'), 'always\n');
      assert.equal(read(dir, 'after'), 'after\n');
      assert.equal(ev(r.json, 'in block')[0].showDiff, true);
      assert.equal(ev(r.json, 'ignored failure')[0].noLog, true);
      assert.equal(r.json.hosts.localhost.summary.rescued, 1);
      assert.equal(r.code, 0, r.out);
    },
  },
  {
    covers: ['task:throttle', 'block:throttle', 'play:throttle', 'role:throttle', 'include:throttle'],
    files: {
      'inv.ini': 'a ansible_connection=local\nb ansible_connection=local\nc ansible_connection=local\n',
      'roles/slow/tasks/main.yml': '- name: role task\n  shell: echo "$(date +%s.%N) +" >> {{ playbook_dir }}/role; sleep 0.5; echo "$(date +%s.%N) -" >> {{ playbook_dir }}/role\n',
      'inc.yml': '- name: included task\n  shell: echo "$(date +%s.%N) +" >> {{ playbook_dir }}/inc; sleep 0.5; echo "$(date +%s.%N) -" >> {{ playbook_dir }}/inc\n',
      'pb.yaml': `
# Each check in a play of its own: hosts start a play together.
- hosts: all
  gather_facts: false
  tasks:
    - name: unthrottled
      throttle: 0
      shell: echo "$(date +%s.%N) +" >> {{ playbook_dir }}/free; sleep 0.5; echo "$(date +%s.%N) -" >> {{ playbook_dir }}/free
- hosts: all
  gather_facts: false
  throttle: 1
  tasks:
    - name: one host at a time (the play's throttle)
      shell: echo "$(date +%s.%N) {{ inventory_hostname }}" >> {{ playbook_dir }}/play; sleep 0.5; echo "$(date +%s.%N) {{ inventory_hostname }}" >> {{ playbook_dir }}/play
- hosts: all
  gather_facts: false
  tasks:
    - name: throttled block
      throttle: 2
      block:
        - name: two at a time
          shell: echo "$(date +%s.%N) +" >> {{ playbook_dir }}/block; sleep 0.5; echo "$(date +%s.%N) -" >> {{ playbook_dir }}/block
- hosts: all
  gather_facts: false
  roles:
    - { role: slow, throttle: 1 }
- hosts: all
  gather_facts: false
  tasks:
    - import_tasks: inc.yml
      throttle: 1
`,
    },
    args: ['-i', 'inv.ini', '--forks', '3'],
    check: (r, dir) => {
      assert.equal(r.code, 0, r.out);
      // Most hosts inside the task at once, from the start (+) and end (-) marks in time order.
      const most = (f: string) => {
        let now = 0; let max = 0;
        for (const l of (read(dir, f) ?? '').trim().split('\n').sort()) { now += l.endsWith('-') ? -1 : 1; max = Math.max(max, now); }
        return max;
      };
      const play = (read(dir, 'play') ?? '').trim().split('\n').sort().map((l) => l.split(' ')[1]);
      assert.equal(play.length, 6);
      for (let i = 0; i < 6; i += 2) assert.equal(play[i], play[i + 1], `hosts interleaved under throttle: 1: ${play.join(' ')}`);
      assert.ok(most('block') <= 2, `more than 2 hosts in the throttle: 2 block at once`);
      assert.equal(most('role'), 1, 'a role entry\'s throttle reaches its tasks');
      assert.equal(most('inc'), 1, 'an import\'s throttle reaches its tasks');
      // Without throttle the hosts do overlap (so the checks above could fail).
      assert.ok(most('free') >= 2, 'hosts never overlapped without throttle');
    },
  },
  {
    covers: ['block:notify'],
    files: {
      'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: notifying block
      notify: from the block
      block:
        - name: inherits the notify
          command: "true"
        - name: says its own
          command: "true"
          notify: own
    - name: quiet block
      notify: never
      block:
        - name: no change
          command: "true"
          changed_when: false
  handlers:
    - name: from the block
      shell: echo block >> {{ playbook_dir }}/handlers
    - name: own
      shell: echo own >> {{ playbook_dir }}/handlers
    - name: never
      shell: echo never >> {{ playbook_dir }}/handlers
`,
    },
    check: (r, dir) => {
      assert.equal(r.code, 0, r.out);
      // As ansible-playbook 2.14: a block's notify is its tasks' unless they name their own.
      assert.equal(read(dir, 'handlers'), 'block\nown\n');
    },
  },
  {
    covers: ['play:roles', 'role:role', 'role:name', 'role:when', 'role:tags', 'role:vars', 'role:become', 'role:become_user', 'role:become_method',
      'role:ignore_errors', 'role:no_log', 'role:check_mode', 'role:diff', 'role:environment', 'role:delegate_to', 'role:run_once', 'role:remote_user',
      'include:name', 'include:when', 'include:tags', 'include:vars', 'include:loop', 'include:loop_control', 'include:apply', 'include:with_items',
      'include:become', 'include:become_user', 'include:become_method', 'include:ignore_errors', 'include:no_log', 'include:check_mode',
      'include:diff', 'include:environment', 'include:delegate_to', 'include:run_once', 'include:remote_user'],
    files: {
      'roles/r/tasks/main.yml': '- name: role task\n  shell: echo "{{ rv }} $RENV {{ role_path | basename }}" >> {{ playbook_dir }}/role\n',
      'roles/r/defaults/main.yml': 'rv: default\n',
      'inc.yml': '- name: included\n  shell: echo "{{ it }} {{ iv }} $IENV" >> {{ playbook_dir }}/inc\n',
      'imp.yml': '- name: imported\n  shell: echo "$MENV" >> {{ playbook_dir }}/imp; exit 3\n',
      'pb.yaml': `
- hosts: localhost
  gather_facts: false
  roles:
    - role: r
      vars: { rv: param }
      environment: { RENV: renv }
      become: true
      become_user: root
      become_method: sudo
      ignore_errors: false
      no_log: false
      check_mode: false
      diff: false
      delegate_to: localhost
      run_once: true
      remote_user: root
      tags: [rt]
      when: true
    - { name: r, when: false }
  tasks:
    - name: include
      include_tasks: inc.yml
      vars: { iv: incvar }
      loop: [1, 2]
      loop_control: { loop_var: it }
      apply: { environment: { IENV: ienv } }
      when: true
      tags: [always]
    - name: import passes every keyword down
      import_tasks: imp.yml
      become: true
      become_user: root
      become_method: sudo
      ignore_errors: true
      no_log: true
      check_mode: false
      diff: false
      environment: { MENV: menv }
      delegate_to: localhost
      run_once: true
      remote_user: root
      throttle: 1
    - include_tasks: inc.yml
      with_items: [3]
      loop_control: { loop_var: it }
      vars: { iv: x }
      when: false
`,
    },
    check: (r, dir) => {
      assert.equal(r.code, 0, r.out);
      assert.equal(read(dir, 'role'), 'param renv r\n');
      assert.equal(read(dir, 'inc'), '1 incvar ienv\n2 incvar ienv\n');
      assert.equal(read(dir, 'imp'), 'menv\n');
      const imported = events(r.json).find((e) => e.name === 'imported');
      assert.equal(imported?.ignored, true, 'ignore_errors on import_tasks reaches the task');
      assert.equal(imported?.noLog, true, 'no_log on import_tasks reaches the task');
    },
  },
];

/** Keywords that a case shows refused (src/config/keywords.ts REFUSED), each with its message. */
test('every accepted keyword has a case here', () => {
  const covered = new Set(cases.flatMap((c) => c.covers));
  const want = [
    ...PLAY_KEYS.map((k) => `play:${k}`), ...TASK_KEYS.map((k) => `task:${k}`), ...BLOCK_KEYS.map((k) => `block:${k}`),
    ...INCLUDE_KEYS.map((k) => `include:${k}`), ...ROLE_ENTRY_KEYS.map((k) => `role:${k}`), ...LOOP_CONTROL_KEYS.map((k) => `loop_control:${k}`),
  ];
  // listen: handlers (language.test.ts and the harness's handlers case); loop keywords on includes share the task's code.
  const elsewhere = new Set(['task:listen', ...Object.keys(LOOP_KEYS).filter((k) => k !== 'loop' && k !== 'with_items').map((k) => `include:${k}`)]);
  const missing = want.filter((k) => !covered.has(k) && !elsewhere.has(k));
  assert.deepEqual(missing, [], 'accepted keywords without a case');
});

for (const [i, c] of cases.entries()) {
  test(`keywords have their effect: ${c.covers.slice(0, 4).join(', ')}…`, () => {
    const dir = project(c.files);
    try {
      const r = converge([path.join(dir, 'pb.yaml'), '--json', ...(c.args ?? [])], { cwd: dir });
      c.check({ code: r.code, out: r.stdout + r.stderr, json: r.json }, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  void i;
}

test('refused keywords are refused with their reason, at their line', () => {
  const names = Object.keys(REFUSED).filter((k) => !['connection', 'include'].includes(k));
  assert.ok(!names.includes('throttle'), 'throttle is implemented');
  const dir = project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
${names.map((k) => `    - command: "true"\n      ${k}: 1`).join('\n')}
    - include: x.yml
    - command: "true"
      connection: local
`,
  });
  try {
    const r = converge(['validate', path.join(dir, 'pb.yaml')]);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    for (const [i, k] of names.entries()) {
      assert.ok(r.stderr.includes(`pb.yaml:${6 + i * 2}:7: ${REFUSED[k]}`), `${k} not refused at its line:\n${r.stderr}`);
    }
    assert.match(r.stderr, /bare 'include' was removed/);
    assert.match(r.stderr, /task-level connection is not supported/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('include_tasks/include_role refuse the keywords that belong to the include itself, at their line', () => {
  const dir = project({
    'inc.yml': '- debug: msg=x\n',
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - include_tasks: inc.yml
      become: true
    - include_tasks: inc.yml
      environment: { A: b }
    - include_role: { name: r }
      delegate_to: localhost
    - include_tasks: inc.yml
      ignore_errors: true
    - include_tasks: inc.yml
      throttle: 1
`,
  });
  try {
    const r = converge(['validate', path.join(dir, 'pb.yaml')]);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stderr, /pb\.yaml:6:7: 'become' is not a valid keyword on include_tasks .*apply:/);
    assert.match(r.stderr, /pb\.yaml:8:7: 'environment' is not a valid keyword on include_tasks/);
    assert.match(r.stderr, /pb\.yaml:10:7: 'delegate_to' is not a valid keyword on include_role/);
    assert.match(r.stderr, /pb\.yaml:12:7: ignore_errors on include_tasks applies to the include itself/);
    assert.match(r.stderr, /pb\.yaml:14:7: 'throttle' is not a valid keyword on include_tasks/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
