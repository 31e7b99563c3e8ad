// user and group against the real useradd/usermod/userdel/groupadd on this
// machine, side by side with ansible-playbook: each side gets its own account
// names (prefix cvgc / cvga), and the resulting passwd, group and shadow
// entries, homes and registered values are compared with the prefix and the
// allocated ids masked. The password hash never appears in converge's output.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { differential } from './fixtures/ansible-differential.js';
import { converge, project } from '../helpers/cli.js';

const HASH = '$6$cvgsalt$MLL6zpqWg1W2OvzTQTeA/IeSbMwj9KHflGX1kYA.cMot.JEYMdXhJRlcBJaWHUhhRVLdHI0BeyhoTJsSvlm/s.';
const USERS = ['1', '2', 'old'].flatMap((n) => [`cvgc${n}`, `cvga${n}`]).concat(['cvgs1']);
const GROUPS = ['grp1', 'grp2', 'gold'].flatMap((n) => [`cvgc${n}`, `cvga${n}`]);

function cleanup(): void {
  for (const u of USERS) spawnSync('userdel', ['-r', '-f', u], { stdio: 'ignore' });
  for (const g of [...GROUPS, ...USERS]) spawnSync('groupdel', [g], { stdio: 'ignore' });
}
after(cleanup);

const show = (reg: string) => `{{ ${reg}.stdout | replace(u, 'U') | replace(root, 'R') | regex_replace(':[0-9]+:[0-9]+:', ':N:N:') | regex_replace('^(U[a-z0-9]*:[^:]*):[0-9]+:', '\\\\1:N:') }}`;

test('user and group: converge and ansible-playbook agree on accounts, homes and results', { timeout: 300_000 }, async () => {
  cleanup();
  await differential({
    vars: `    u: "{{ 'cvgc' if '/cvg-diff-c-' in playbook_dir else 'cvga' }}"\n`,
    setup: (root) => {
      const u = root.includes('/cvg-diff-c-') ? 'cvgc' : 'cvga';
      execFileSync('useradd', ['-M', `${u}old`]);
      execFileSync('groupadd', [`${u}gold`]);
    },
    tasks: `
    - name: a group
      group: { name: "{{ u }}grp1" }
      register: g1
    - name: show g1
      debug: { msg: "{{ g1.name | replace(u, 'U') }} {{ g1.state }}" }
    - name: a system group
      ansible.builtin.group: { name: "{{ u }}grp2", system: true }
    - name: a user with groups, home, shell, comment and password
      user:
        name: "{{ u }}1"
        groups: "{{ u }}grp1"
        home: "{{ root }}/homes/one"
        shell: /bin/bash
        comment: Node One
        password: "${HASH}"
      register: r1
    - name: show r1
      debug: { msg: "{{ r1.name | replace(u, 'U') }} {{ r1.state }} {{ r1.home | replace(root, 'R') }} {{ r1.shell }} {{ r1.comment }}" }
    - name: a system user without home
      user: { user: "{{ u }}2", system: true, create_home: false, group: "{{ u }}grp2" }
    - name: append a group, change the shell
      ansible.builtin.user: { name: "{{ u }}2", groups: ["{{ u }}grp1"], append: true, shell: /bin/sh }
    - name: remove a user
      user: { name: "{{ u }}old", state: absent }
    - name: remove a user that is not there
      user: { name: "{{ u }}nobody", state: absent }
    - name: remove a group
      group: { name: "{{ u }}gold", state: absent }
    - name: a group that does not exist
      user: { name: "{{ u }}2", groups: [nosuchgroup_cvg] }
      ignore_errors: true
      register: bad
    - name: show bad
      debug: { msg: "{{ bad.msg }}" }
    - name: passwd
      command: getent passwd {{ u }}1 {{ u }}2
      register: pw
      changed_when: false
    - name: show passwd
      debug: { msg: "${show('pw')}" }
    - name: groups of the user
      command: id -nG {{ u }}2
      register: ids
      changed_when: false
    - name: show groups
      debug: { msg: "{{ ids.stdout | replace(u, 'U') }}" }
    - name: shadow
      command: getent shadow {{ u }}1
      register: sh
      changed_when: false
    - name: show shadow
      debug: { msg: "{{ sh.stdout.split(':')[1] }}" }
    - name: system group
      command: getent group {{ u }}grp2
      register: gr
      changed_when: false
    - name: show system group
      debug: { msg: "{{ (gr.stdout.split(':')[2] | int) < 1000 }}" }
`,
  });
});

test('user: the password hash never appears in output, --diff or --json; update_password on_create', { timeout: 120_000 }, () => {
  cleanup();
  const pb = (password: string, extra = '') => `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: account\n      user: { name: cvgs1, password: "${password}", create_home: false${extra} }\n      register: r\n    - name: show\n      debug: { var: r }\n`;
  const dir = project({ 'pb.yaml': pb(HASH) });
  for (const args of [['--check', '--diff'], ['--diff'], ['--json'], ['--check', '--json', '--diff']]) {
    const r = converge(['pb.yaml', '--state-dir', `${dir}/state`, ...args], { cwd: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes(HASH.slice(10, 40)), `hash shown with ${args.join(' ')}:\n${r.stdout}`);
  }
  assert.equal(execFileSync('getent', ['shadow', 'cvgs1'], { encoding: 'utf8' }).split(':')[1], HASH);
  const other = HASH.replace('MLL6', 'XXL6');
  // same dir, new playbook: on_create leaves the existing hash
  writePlaybook(dir, pb(other, ", update_password: on_create"));
  const r = converge(['pb.yaml', '--state-dir', `${dir}/state`, '--json'], { cwd: dir });
  assert.equal(r.json.hosts.localhost.tasks[0].status, 'ok');
  assert.equal(execFileSync('getent', ['shadow', 'cvgs1'], { encoding: 'utf8' }).split(':')[1], HASH);
  const history = spawnSync('grep', ['-r', HASH.slice(10, 40), `${dir}/state`]);
  assert.notEqual(history.status, 0, 'hash in the state dir (history)');
});

function writePlaybook(dir: string, text: string): void {
  execFileSync('tee', [`${dir}/pb.yaml`], { input: text, stdio: ['pipe', 'ignore', 'inherit'] });
}
