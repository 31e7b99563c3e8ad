// The injection and secrets promises over SSH, against a real OpenSSH server
// on a loopback port: as root (files over SFTP) and as a non-root user with
// sudo (files through converge's fixed helper scripts).
//
// Injection: strace follows the sshd listener and everything it starts. touch
// (what every payload tries) never runs; every `sh -c SCRIPT` is either a
// fixed script with no payload in its text (the payload only in $1, $2 ...) or
// a login shell whose command line is exactly the quoted argv of the program
// it then executed (the quoting held).
//
// Secrets: while runs with a login password and a sudo password go on, every
// process's command line and environment is read again and again: neither
// password ever shows, nor in the output (console, --json, -vvv), also when
// the password is wrong.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shellQuote } from '../../src/host/ssh-command.js';
import { createUsers, removeUsers, startSshd, testUsers, USER_PASSWORD, type Sshd } from '../host/sshd-fixture.js';
import { parseExecLog, programOf, type Exec } from './exec-trace.js';
import { INTENDED, injectionPlaybook, PACKAGE_PAYLOADS, payloads } from './injection-cases.js';
import { runCli, sleep, tempDir } from './cli-process.js';

// Unique per process: two runs of this file on one machine (two checkouts) must not share accounts.
const users = testUsers(`rel${process.pid % 100000}`);
let sshd: Sshd;
let t: ReturnType<typeof tempDir>;

before(async () => {
  sshd = await startSshd();
  await createUsers(users);
  t = tempDir('sshsec');
  fs.chmodSync(t.dir, 0o755);
});

after(async () => {
  await sshd?.stop();
  await removeUsers(users);
  t?.remove();
});

/** Follows `pid` and its descendants with strace until stop() (execve only). */
async function traceProcess(pid: number, log: string): Promise<{ stop: () => Promise<void> }> {
  const st = spawn('strace', ['-f', '-qq', '-e', 'trace=execve', '-e', 'signal=none', '-s', '65535', '-o', log, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  st.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  // Attached once strace has created its log and the kernel shows it as the tracer.
  for (let i = 0; i < 400; i++) {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    if (/TracerPid:\s+[1-9]/.test(status)) break;
    if (st.exitCode !== null) throw new Error(`strace exited: ${err}`);
    await sleep(10);
  }
  return {
    stop: async () => {
      const gone = new Promise((r) => st.once('exit', r));
      st.kill('SIGINT');
      await gone;
    },
  };
}

/**
 * Programs converge's SSH host may start around a payload: wrappers and the helper scripts' tools
 * (dd reads a small file's content in the same request as its stat: the path is one `if=` operand).
 */
const SSH_INTENDED = [...INTENDED, 'env', 'timeout', 'sudo', 'stat', 'chown', 'chgrp', 'chmod', 'mv', 'rm', 'sync', 'mkdir', 'ln', 'readlink', 'find', 'test', '[', 'basename', 'dirname', 'dd'];
const SHELLS = ['sh', 'bash', 'dash'];

function checkExecs(execs: Exec[], marker: string): { quotedLines: number; fixedScripts: number } {
  assert.deepEqual(execs.filter((e) => programOf(e) === 'touch'), [], 'touch ran');
  let quotedLines = 0;
  let fixedScripts = 0;
  for (const e of execs) {
    const carries = e.argv.some((a) => a.includes(marker));
    if (!carries) continue;
    const prog = programOf(e);
    if (SHELLS.includes(prog) && e.argv[1] === '-c') {
      const script = e.argv[2];
      if (!script.includes(marker)) { fixedScripts++; continue; }
      // A login shell: its command line must be exactly the quoted argv of a program it started.
      const quoted = execs.some((c) => c !== e && c.argv.map(shellQuote).join(' ') === script);
      assert.ok(quoted, `a shell interpreted a payload: ${JSON.stringify(e.argv)}`);
      quotedLines++;
      continue;
    }
    assert.ok(SSH_INTENDED.includes(prog), `a payload reached an unexpected program ${e.path}: ${JSON.stringify(e.argv)}`);
  }
  return { quotedLines, fixedScripts };
}

describe('over SSH', () => {
  it('injection: payloads arrive literally as root (SFTP) and through sudo (helper scripts)', async () => {
    const d = (h: string) => path.join(t.dir, `inj-${h}`);
    for (const h of ['root', 'sudo']) { fs.mkdirSync(d(h)); fs.chmodSync(d(h), 0o755); }
    // Five payloads (substitution, backticks, `;`, newline, quotes): every root command goes through
    // the login shell, and each costs a shell start-up on the server.
    const list = payloads('CVGSSHCANARY').filter((_p, i) => [0, 1, 2, 5, 6].includes(i));
    fs.writeFileSync(path.join(t.dir, 'inj.yaml'), injectionPlaybook('all', '{{ d }}', list));
    const ssh = `ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, ansible_ssh_private_key_file: ${sshd.clientKey}`;
    fs.writeFileSync(path.join(t.dir, 'inj-hosts.yaml'), ['all:', '  hosts:',
      `    root: { ${ssh}, ansible_user: root, d: ${d('root')} }`,
      `    sudo: { ${ssh}, ansible_user: ${users.nopw}, ansible_become: true, d: ${d('sudo')} }`, ''].join('\n'));
    const log = path.join(t.dir, 'ssh-exec.log');
    const tracer = await traceProcess(sshd.pid, log);
    let r;
    try {
      r = await runCli([path.join(t.dir, 'inj.yaml'), '-i', path.join(t.dir, 'inj-hosts.yaml'), '--known-hosts-file', sshd.knownHosts, '--json'],
        { cwd: t.dir, env: { CONVERGE_STATE_DIR: path.join(t.dir, 'state') } });
    } finally {
      await tracer.stop();
    }
    assert.ok(r.rc === 0 || r.rc === 2, r.stdout.slice(0, 2000) + r.stderr);
    const doc = JSON.parse(r.stdout);
    for (const h of ['root', 'sudo']) assert.equal(doc.hosts[h].unreachable, undefined, `${h} reached: ${doc.hosts[h].unreachable}`);
    if (process.env.CVG_REL_KEEP_LOG) fs.copyFileSync(log, process.env.CVG_REL_KEEP_LOG);
    const execs = parseExecLog(log);
    const fig = checkExecs(execs, 'CVGSSHCANARY');
    // The payloads reached the commands as single arguments on both hosts.
    for (const p of list) {
      assert.ok(execs.some((e) => programOf(e) === 'echo' && e.argv[1] === p), `echo got ${JSON.stringify(p)} literally`);
    }
    for (const h of ['root', 'sudo']) {
      const names = fs.readdirSync(d(h));
      for (const [i, p] of list.entries()) assert.ok(names.includes(`p${i}-${p}`), `${h}: file named p${i}-${JSON.stringify(p)}`);
      const tasks = doc.hosts[h].tasks as Array<{ name: string; status: string }>;
      assert.equal(tasks.filter((x) => x.name === 'package names').length, PACKAGE_PAYLOADS);
    }
    for (const where of ['/root', `/home/${users.nopw}`, t.dir, d('root'), d('sudo')]) {
      assert.deepEqual(fs.readdirSync(where).filter((n) => n.startsWith('CVGSSHCANARY')), [], `no canary in ${where}`);
    }
    process.stdout.write(`# injection over ssh: ${execs.length} execs traced, ${fig.quotedLines} login-shell command lines exactly quoted, ${fig.fixedScripts} fixed helper scripts with payloads only as arguments\n`);
  });

  it('secrets: login and sudo passwords never in any process list, environment or output', async () => {
    const wrong = `cvg-wrong-${randomBytes(6).toString('hex')}`;
    const d = (h: string) => path.join(t.dir, `sec-${h}`);
    for (const h of ['pw', 'badsudo', 'badlogin']) { fs.mkdirSync(d(h)); fs.chmodSync(d(h), 0o777); }
    fs.writeFileSync(path.join(t.dir, 'sec.yaml'), `- hosts: all
  gather_facts: true
  tasks:
    - copy: { content: "hello\\n", dest: "{{ d }}/a.conf", mode: "0600", owner: nobody }
    - command: { argv: [id, -u] }
      register: who
    - copy: { content: "uid={{ who.stdout }}\\n", dest: "{{ d }}/uid" }
`);
    const base = `ansible_host: 127.0.0.1, ansible_port: ${sshd.port}`;
    fs.writeFileSync(path.join(t.dir, 'sec-hosts.yaml'), ['all:', '  hosts:',
      `    pw: { ${base}, ansible_user: ${users.pw}, ansible_password: ${USER_PASSWORD}, ansible_become: true, ansible_become_password: ${USER_PASSWORD}, d: ${d('pw')} }`,
      `    badsudo: { ${base}, ansible_user: ${users.pw}, ansible_password: ${USER_PASSWORD}, ansible_become: true, ansible_become_password: ${wrong}, d: ${d('badsudo')} }`,
      `    badlogin: { ${base}, ansible_user: ${users.pw}, ansible_password: ${wrong}x, d: ${d('badlogin')} }`, ''].join('\n'));
    const secrets = [USER_PASSWORD, wrong];
    const seen: string[] = [];
    let scans = 0;
    let processesRead = 0;
    for (const mode of [['--json'], ['-vvv']]) {
      let running = true;
      // Reads every process's argv and environment until the run ends.
      const watcher = (async () => {
        while (running) {
          for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
            if (Number(pid) === process.pid) continue;
            for (const f of ['cmdline', 'environ']) {
              let text: string;
              try { text = fs.readFileSync(`/proc/${pid}/${f}`, 'latin1'); } catch { continue; }
              processesRead++;
              for (const s of secrets) if (text.includes(s)) seen.push(`${pid} ${f}: ${text.replace(/\0/g, ' ').slice(0, 300)}`);
            }
          }
          scans++;
          await sleep(1);
        }
      })();
      const r = await runCli([path.join(t.dir, 'sec.yaml'), '-i', path.join(t.dir, 'sec-hosts.yaml'), '--known-hosts-file', sshd.knownHosts, ...mode],
        { cwd: t.dir, env: { CONVERGE_STATE_DIR: path.join(t.dir, 'state') } });
      running = false;
      await watcher;
      const all = r.stdout + r.stderr;
      for (const s of secrets) assert.ok(!all.includes(s), `a password in the output (${mode.join(' ')}):\n${all}`);
      assert.notEqual(r.rc, 0, 'the bad hosts fail');
      if (mode.includes('--json')) {
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.hosts.pw.summary.failed + doc.hosts.pw.summary.unreachable, 0, JSON.stringify(doc.hosts.pw));
        assert.ok(doc.hosts.badsudo.unreachable || doc.hosts.badsudo.summary.failed, 'wrong sudo password refused');
        assert.ok(doc.hosts.badlogin.unreachable, 'wrong login password refused');
      }
      assert.equal(fs.readFileSync(path.join(d('pw'), 'uid'), 'utf8'), 'uid=0\n', 'sudo with the password worked');
    }
    assert.deepEqual(seen, [], 'a password was visible in a process list or environment');
    assert.ok(scans > 20, `the process table was read often enough (${scans} scans)`);
    process.stdout.write(`# secrets over ssh: ${scans} scans of /proc, ${processesRead} argv/environ reads, 0 with a password\n`);
  });
});
