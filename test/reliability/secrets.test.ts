// Secrets stay secret: a `no_log: true` task's parameters, results, diffs and
// error messages never reach the console (plain, --diff, --check, -vvv), the
// --json document or the run history; files that look secret (mode 0600-like,
// names like *.key) show no content diff unless the task asks; connection
// passwords from the inventory never appear in any output. Every secret is a
// unique token, searched for in everything converge wrote.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listTree, runCli, tempDir } from './cli-process.js';

const token = (what: string) => `${what}-${randomBytes(6).toString('hex')}`;
const SECRET = token('NOLOGSECRET');
const KEY_CONTENT = token('KEYFILECONTENT');
const MODE600_CONTENT = token('MODE600CONTENT');
const VISIBLE = token('VISIBLECONTENT');
const ASKED = token('ASKEDCONTENT');
const SSH_PASSWORD = token('SSHPASSWORD');
const BECOME_PASSWORD = token('BECOMEPASSWORD');

const PLAYBOOK = `- hosts: localhost
  gather_facts: false
  vars:
    secret: "${SECRET}"
  tasks:
    - name: secret file content
      copy:
        content: "token={{ secret }}\\n"
        dest: "{{ out }}/token.conf"
      no_log: true
    - name: secret template
      template:
        src: secret.j2
        dest: "{{ out }}/templated.conf"
      no_log: true
    - name: secret line
      lineinfile:
        path: "{{ out }}/lines.conf"
        line: "password={{ secret }}"
        create: true
      no_log: true
    - name: secret command output
      command: echo "{{ secret }}"
      register: echoed
      no_log: true
    - name: secret in a failure message
      fail:
        msg: "cannot use {{ secret }}"
      no_log: true
      ignore_errors: true
    - name: a validator that prints the secret content and fails
      copy:
        content: "{{ secret }}\\n"
        dest: "{{ out }}/validated.conf"
        validate: "sh -c 'cat %s >&2; exit 1'"
      no_log: true
      ignore_errors: true
    - name: secret loop items
      copy:
        content: "{{ item }}\\n"
        dest: "{{ out }}/item-{{ idx }}.conf"
      loop: ["{{ secret }}", "b-{{ secret }}"]
      loop_control:
        index_var: idx
      no_log: true
    - name: a key file
      copy:
        content: "${KEY_CONTENT}\\n"
        dest: "{{ out }}/server.key"
    - name: a mode 0600 file
      copy:
        content: "${MODE600_CONTENT}\\n"
        dest: "{{ out }}/app.conf"
        mode: "0600"
    - name: a secret-looking file whose diff is asked for
      copy:
        content: "${ASKED}\\n"
        dest: "{{ out }}/asked.key"
        show_diff_of_secret: true
    - name: an ordinary file (its diff must show, or the absence above proves nothing)
      copy:
        content: "${VISIBLE}\\n"
        dest: "{{ out }}/plain.conf"
`;

let t: ReturnType<typeof tempDir>;
let refused: net.Server;
let refusedPort = 0;
const conns = new Set<net.Socket>();

before(async () => {
  t = tempDir('secrets');
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), PLAYBOOK);
  fs.mkdirSync(path.join(t.dir, 'templates'));
  fs.writeFileSync(path.join(t.dir, 'templates', 'secret.j2'), 'secret = {{ secret }}\n');
  // An "SSH server" that accepts and hangs up: the password must not show in the failure.
  refused = net.createServer((s) => { conns.add(s); s.on('close', () => conns.delete(s)); s.end('SSH-2.0-OpenSSH_9.2\r\n'); });
  await new Promise<void>((r) => refused.listen(0, '127.0.0.1', r));
  refusedPort = (refused.address() as net.AddressInfo).port;
});

after(async () => {
  t.remove();
  // close() waits for open connections: end them first.
  for (const c of conns) c.destroy();
  await new Promise((r) => refused.close(r));
});

/** Everything converge wrote for a run: stdout, stderr and every state file (history, pending handlers). */
function everything(r: { stdout: string; stderr: string }, stateDir: string): string {
  let text = r.stdout + r.stderr;
  if (fs.existsSync(stateDir)) for (const p of listTree(stateDir)) {
    const f = path.join(stateDir, p);
    if (fs.statSync(f).isFile()) text += `\n--- ${p}\n` + fs.readFileSync(f, 'utf8');
  }
  return text;
}

describe('secrets', () => {
  const modes: string[][] = [['--check'], ['--diff'], ['--diff', '-vvv'], ['--check', '--json'], ['--diff', '--json']];
  for (const mode of modes) {
    it(`no_log and secret-looking files: nothing leaks (${mode.join(' ')})`, async () => {
      const out = path.join(t.dir, `out-${mode.join('').replace(/-/g, '')}`);
      const state = path.join(t.dir, `state-${mode.join('').replace(/-/g, '')}`);
      fs.mkdirSync(out);
      // --state-dir: a manual run then keeps a history record too, which must be as discreet.
      const r = await runCli([path.join(t.dir, 'site.yaml'), '-e', `out=${out}`, '--state-dir', state, ...mode], { cwd: t.dir });
      const all = everything(r, state);
      assert.equal(r.rc, 0, all);
      for (const s of [SECRET, KEY_CONTENT, MODE600_CONTENT]) assert.ok(!all.includes(s), `${s.split('-')[0]} leaked:\n${all}`);
      // What is shown when allowed: the ordinary file's content and the asked-for diff.
      assert.ok(all.includes(VISIBLE), `the ordinary diff is shown:\n${all}`);
      assert.ok(all.includes(ASKED), `show_diff_of_secret shows the diff:\n${all}`);
      if (mode.includes('--json')) {
        const doc = JSON.parse(r.stdout);
        const tasks = doc.hosts.localhost.tasks as Array<{ name: string; status: string; noLog: boolean; message?: string }>;
        const failedSecret = tasks.find((x) => x.name === 'secret in a failure message')!;
        assert.equal(failedSecret.status, 'failed', 'the failure itself is still reported');
        assert.equal(tasks.filter((x) => x.noLog).length >= 8, true, 'every no_log task (and loop item) is in the report');
      } else {
        assert.match(r.stdout, /output hidden/);
      }
      if (!mode.includes('--check')) {
        // The hidden tasks did their work.
        assert.equal(fs.readFileSync(path.join(out, 'token.conf'), 'utf8'), `token=${SECRET}\n`);
        assert.equal(fs.statSync(path.join(out, 'app.conf')).mode & 0o777, 0o600);
      }
    });
  }

  it('connection passwords from the inventory appear in no output', async () => {
    const inv = path.join(t.dir, 'hosts.ini');
    fs.writeFileSync(inv, [
      'localhost ansible_connection=local',
      `box ansible_host=127.0.0.1 ansible_port=${refusedPort} ansible_user=root ansible_password=${SSH_PASSWORD} ansible_become=true ansible_become_password=${BECOME_PASSWORD}`,
      '',
    ].join('\n'));
    const pb = path.join(t.dir, 'conn.yaml');
    fs.writeFileSync(pb, '- hosts: all\n  gather_facts: true\n  tasks:\n    - debug: msg="hello {{ inventory_hostname }}"\n');
    for (const mode of [[], ['--json'], ['-vvv'], ['--check', '--json', '-vvv']]) {
      const state = path.join(t.dir, `state-conn-${mode.join('')}`);
      const r = await runCli([pb, '-i', inv, '--state-dir', state, ...mode], { cwd: t.dir });
      const all = everything(r, state);
      assert.equal(r.rc, 3, `box is unreachable (exit 3):\n${all}`);
      assert.ok(!all.includes(SSH_PASSWORD) && !all.includes(BECOME_PASSWORD), `a password leaked:\n${all}`);
    }
    // hostvars and debug of a variable are the user's own choice; `converge validate` shows nothing either.
    const v = await runCli(['validate', pb, '-i', inv], { cwd: t.dir });
    assert.ok(!(v.stdout + v.stderr).includes(SSH_PASSWORD));
  });
});
