// Connections opened while the playbook is validated (src/cli/early-connect.ts),
// against a real sshd and sudo: a playbook that fails validation still changes
// nothing and the run ends at once (the connection opened early is closed); a
// play whose connection differs from the early guess (remote_user, become
// from play vars) runs over the connection it asks for, never the guessed one.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { converge, project } from '../helpers/cli.js';
import { createUsers, removeUsers, startSshd, testUsers, type Sshd } from './sshd-fixture.js';

const users = testUsers('ec');
let sshd: Sshd;
const dirs: string[] = [];

before(async () => {
  sshd = await startSshd();
  await createUsers(users);
});

after(async () => {
  await sshd?.stop();
  await removeUsers(users);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function inventory(dir: string, hostVars: string): string {
  const file = path.join(dir, 'inv.yaml');
  fs.writeFileSync(file, `all:\n  hosts:\n    h1: { ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, ansible_ssh_private_key_file: ${sshd.clientKey}, ${hostVars} }\n`);
  return file;
}

function run(dir: string, inv: string, extra: string[] = []) {
  return converge([path.join(dir, 'pb.yaml'), '-i', inv, '--known-hosts-file', sshd.knownHosts, '--json', '--state-dir', path.join(dir, 'state'), ...extra]);
}

it('a playbook that fails validation changes nothing and ends at once, though its host was being connected', () => {
  const dir = project({
    'pb.yaml': `- hosts: h1\n  become: true\n  tasks:\n    - file: { path: "{{ target }}", state: directory }\n    - debug: { msg: "{{ not_defined_anywhere }}" }\n`,
  }, 'cvg-early-');
  dirs.push(dir);
  fs.chmodSync(dir, 0o755);
  const target = path.join(dir, 'made');
  const inv = inventory(dir, `ansible_user: ${users.nopw}, target: ${target}`);
  const started = Date.now();
  const r = run(dir, inv);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /not_defined_anywhere/);
  assert.ok(!fs.existsSync(target), 'nothing was made');
  // A connection left open would keep the process alive until the server's timeout.
  assert.ok(Date.now() - started < 30_000, `ended after ${Date.now() - started} ms`);
});

it('a play whose connection is not the early guess runs over the connection it asks for', () => {
  const dir = project({
    // The inventory says root; the play's vars say the non-root user with become: the play wins.
    'pb.yaml': `- hosts: h1\n  vars: { ansible_user: ${users.nopw}, ansible_become: true, ansible_become_user: ${users.pw} }\n  tasks:\n`
      + `    - command: id -un\n      register: who\n    - command: sh -c 'echo $SUDO_USER'\n      register: via\n`
      + `    - debug: { msg: "{{ who.stdout }} via {{ via.stdout }}" }\n`,
  }, 'cvg-early-');
  dirs.push(dir);
  fs.chmodSync(dir, 0o755);
  const inv = inventory(dir, 'ansible_user: root');
  const r = run(dir, inv);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const msgs = JSON.stringify(r.json);
  assert.ok(msgs.includes(`${users.pw} via ${users.nopw}`), `ran as ${users.pw} through ${users.nopw}: ${msgs.slice(0, 2000)}`);
});

it('with --accept-new-host-keys, a playbook that fails validation records no host key', () => {
  const dir = project({ 'pb.yaml': `- hosts: h1\n  tasks:\n    - debug: { msg: "{{ not_defined_anywhere }}" }\n` }, 'cvg-early-');
  dirs.push(dir);
  const known = path.join(dir, 'known_hosts');
  fs.writeFileSync(known, '');
  const inv = inventory(dir, 'ansible_user: root');
  const r = converge([path.join(dir, 'pb.yaml'), '-i', inv, '--known-hosts-file', known, '--accept-new-host-keys', '--state-dir', path.join(dir, 'state')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /not_defined_anywhere/);
  assert.equal(fs.readFileSync(known, 'utf8'), '', 'no key recorded for a run that never started');
  // The same playbook made valid records the key when it runs.
  fs.writeFileSync(path.join(dir, 'pb.yaml'), `- hosts: h1\n  gather_facts: false\n  tasks:\n    - ping:\n`);
  const ok = converge([path.join(dir, 'pb.yaml'), '-i', inv, '--known-hosts-file', known, '--accept-new-host-keys', '--state-dir', path.join(dir, 'state')]);
  assert.equal(ok.code, 0, ok.stderr + ok.stdout);
  assert.notEqual(fs.readFileSync(known, 'utf8'), '');
});
