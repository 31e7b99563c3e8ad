// Files are created with the requested owner and mode from the first byte:
// no moment in which a 0600 file is readable by others or its content sits in
// a file owned by the wrong user. strace -f -y records every creation, chown,
// chmod, write and rename of converge's temp files; the replay (file-events.ts)
// checks each one against the target's final mode and owner. Locally (node's
// fs), over SSH as root (sftp-server) and over SSH with sudo (helper scripts:
// umask, chown, chmod, then cat).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createUsers, removeUsers, startSshd, testUsers, type Sshd } from '../host/sshd-fixture.js';
import { FILE_SYSCALLS, judgeTemp, tempHistories } from './file-events.js';
import { runCli, sleep, tempDir } from './cli-process.js';

const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - copy: { content: "secret\\n", dest: "{{ d }}/secret.conf", mode: "0600" }
    - copy: { content: "for nobody\\n", dest: "{{ d }}/nobody.conf", mode: "0640", owner: nobody, group: nogroup }
    - copy: { content: "plain\\n", dest: "{{ d }}/plain.conf" }
    - copy: { content: "#!/bin/sh\\n", dest: "{{ d }}/tool", mode: "04755", owner: daemon }
    - copy: { content: "rewritten keeps 0600 nobody\\n", dest: "{{ d }}/existing.conf" }
    - template: { src: t.j2, dest: "{{ d }}/templated.key", mode: "0400", owner: nobody }
    - lineinfile: { path: "{{ d }}/lines.conf", line: "password=x", create: true, mode: "0600", owner: nobody }
`;

const TRACED = ['secret.conf', 'nobody.conf', 'plain.conf', 'tool', 'existing.conf', 'templated.key', 'lines.conf'];

let t: ReturnType<typeof tempDir>;
let sshd: Sshd;
// Unique per process: two runs of this file on one machine (two checkouts) must not share accounts.
const users = testUsers(`rfb${process.pid % 100000}`);
const figures: string[] = [];

before(async () => {
  t = tempDir('firstbyte');
  fs.chmodSync(t.dir, 0o755);
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), PLAYBOOK);
  fs.writeFileSync(path.join(t.dir, 't.j2'), 'key for {{ inventory_hostname }}\n');
  sshd = await startSshd();
  await createUsers(users);
});

after(async () => {
  await sshd?.stop();
  await removeUsers(users);
  t?.remove();
  process.stdout.write(`# first byte: ${figures.join('; ')}\n`);
});

/** strace -f -y of a running process (the sshd listener) until stop(). */
async function attach(pid: number, log: string): Promise<() => Promise<void>> {
  const st = spawn('strace', ['-f', '-qq', '-y', '-e', `trace=${FILE_SYSCALLS}`, '-e', 'signal=none', '-s', '256', '-o', log, '-p', String(pid)], { stdio: 'ignore' });
  for (let i = 0; i < 400 && !/TracerPid:\s+[1-9]/.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8')); i++) await sleep(10);
  return async () => {
    const gone = new Promise((r) => st.once('exit', r));
    st.kill('SIGINT');
    await gone;
  };
}

async function check(host: string, vars: string, traceSshd: boolean): Promise<void> {
  const d = path.join(t.dir, host);
  fs.mkdirSync(d);
  fs.chmodSync(d, 0o755);
  // An existing secret, rewritten by a task that names no mode or owner: it keeps 0600 nobody:nogroup.
  fs.writeFileSync(path.join(d, 'existing.conf'), 'old\n', { mode: 0o600 });
  fs.chownSync(path.join(d, 'existing.conf'), 65534, 65534);
  const inv = path.join(t.dir, `${host}.yaml`);
  fs.writeFileSync(inv, `all:\n  hosts:\n    ${host}: { ${vars}, d: ${d} }\n`);
  const log = path.join(t.dir, `${host}.strace`);
  const args = [path.join(t.dir, 'site.yaml'), '-i', inv, '--known-hosts-file', sshd.knownHosts];
  let r;
  if (traceSshd) {
    const stop = await attach(sshd.pid, log);
    try { r = await runCli(args, { cwd: t.dir, env: { CONVERGE_STATE_DIR: path.join(t.dir, 'state') } }); } finally { await stop(); }
  } else {
    r = await runCli(args, { cwd: t.dir, env: { CONVERGE_STATE_DIR: path.join(t.dir, 'state') },
      wrap: (a) => ['strace', '-f', '-qq', '-y', '-e', `trace=${FILE_SYSCALLS}`, '-e', 'signal=none', '-s', '256', '-o', log, '--', ...a] });
  }
  assert.equal(r.rc, 0, r.stdout + r.stderr);
  const histories = tempHistories(log).filter((h) => h.target && path.dirname(h.target) === d);
  let judged = 0;
  for (const name of TRACED) {
    const target = path.join(d, name);
    const st = fs.statSync(target);
    const want = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    const hs = histories.filter((h) => h.target === target);
    assert.equal(hs.length, 1, `${host}: one temp file renamed onto ${name} (saw ${hs.length})`);
    const v = judgeTemp(hs[0], want);
    assert.ok(v.ok, `${host}: ${name}: ${v.why}\n${JSON.stringify(hs[0].events)}`);
    judged++;
  }
  const existing = fs.statSync(path.join(d, 'existing.conf'));
  assert.deepEqual([existing.mode & 0o7777, existing.uid, existing.gid], [0o600, 65534, 65534]);
  figures.push(`${host}: ${judged} files, each created 0600 or stricter and given its mode/owner before its first byte`);
}

describe('mode and owner from the first byte', () => {
  it('the replay catches the windows it looks for (synthetic strace logs)', () => {
    const tmp = '/d/.x.conf.converge-0123456789ab.tmp';
    const log = (lines: string[]) => {
      const f = path.join(t.dir, 'synthetic.strace');
      fs.writeFileSync(f, lines.join('\n') + '\n');
      return tempHistories(f)[0];
    };
    const want = { mode: 0o600, uid: 65534, gid: 65534 };
    const open = (mode: string) => `10 openat(AT_FDCWD</d>, ".x.conf.converge-0123456789ab.tmp", O_WRONLY|O_CREAT|O_EXCL, ${mode}) = 3<${tmp}>`;
    const chown = `10 fchown(3<${tmp}>, 65534, 65534) = 0`;
    const chmod = `10 fchmod(3<${tmp}>, 0600) = 0`;
    const write = `10 write(3<${tmp}>, "secret", 6) = 6`;
    const rename = `10 rename("${tmp}", "/d/x.conf") = 0`;
    assert.equal(judgeTemp(log([open('0600'), chown, chmod, write, rename]), want).ok, true);
    assert.match(judgeTemp(log([open('0644'), chown, chmod, write, rename]), want).why, /created with mode 644/);
    assert.match(judgeTemp(log([open('0600'), write, chown, chmod, rename]), want).why, /owned 0:0/);
    assert.match(judgeTemp(log([open('0600'), chown, write, `10 fchmod(3<${tmp}>, 0644) = 0`, rename]), { ...want, mode: 0o644 }).why, /while mode 600/);
    // umask 077 then a 0666 creation (the sudo helper script) is a 0600 file.
    assert.equal(judgeTemp(log(['10 umask(077) = 022', open('0666'), chown, chmod, write, rename]), want).ok, true);
    // ... also in a subshell whose calls strace prints before the parent's fork returns.
    const inChild = (l: string) => l.replace(/^10 /, '11 ');
    assert.equal(judgeTemp(log(['10 umask(077) = 022', inChild(open('0666')), '10 clone(child_stack=NULL, flags=SIGCHLD) = 11', chown, chmod, write, rename]), want).ok, true);
    // A process of unknown ancestry counts as umask 0.
    assert.match(judgeTemp(log(['10 umask(077) = 022', inChild(open('0666')), chown, chmod, write, rename]), want).why, /created with mode 666/);
  });


  it('local host', async () => {
    await check('local', 'ansible_connection: local', false);
  });
  it('ssh as root (sftp-server writes)', async () => {
    await check('sshroot', `ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, ansible_user: root, ansible_ssh_private_key_file: ${sshd.clientKey}`, true);
  });
  it('ssh with sudo (helper scripts write)', async () => {
    await check('sshsudo', `ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, ansible_user: ${users.nopw}, ansible_become: true, ansible_ssh_private_key_file: ${sshd.clientKey}`, true);
  });
});
