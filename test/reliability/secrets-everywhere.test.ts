// Secrets of every kind stay out of everything converge prints or stores: a
// play variable named db_password, an api_token rendered from a lookup, a
// multi-line *_key, a value given with `-e cluster_secret=...`, a no_log task
// with debug output and a loop_control.label, a command whose command
// line holds the password, and get_url downloads whose Authorization header,
// URL password and (no_log) custom header hold them. Scanned: the console (plain, -v, -vvv --diff),
// --json, `converge history` (-D, --json), `converge status`, the agent's log
// (plain and -v), every file in the state directory, every file converge
// created in $TMPDIR, every file converge left next to the playbook's own
// files (all but the one that must hold the values), and the command line
// of every process on the machine
// while the runs go on. Each secret is a unique token; the tokens must show
// where allowed (the files the playbook writes), or their absence proves
// nothing. Control characters from a host are shown escaped, never raw.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentProcess } from '../agent/agent-process.js';
import { CLI as LAUNCHER } from '../helpers/cli.js';
import { listTree, runCli, tempDir } from './cli-process.js';

const token = (what: string) => `${what}${randomBytes(6).toString('hex')}`;
const DB_PASSWORD = token('DBPASSWORD');
const API_TOKEN = token('APITOKEN');
const KEY_LINE_1 = token('KEYLINEONE');
const KEY_LINE_2 = token('KEYLINETWO');
const CLUSTER_SECRET = token('CLUSTERSECRET');
const NOLOG_VALUE = token('NOLOGVALUE');
const SECRETS = { DB_PASSWORD, API_TOKEN, KEY_LINE_1, KEY_LINE_2, CLUSTER_SECRET, NOLOG_VALUE };

const playbook = (port: number) => `- hosts: localhost
  gather_facts: false
  vars:
    db_password: "${DB_PASSWORD}"
    api_token: "{{ lookup('file', 'token.txt') }}"
    tls_key: |
      -----BEGIN PRIVATE KEY-----
      ${KEY_LINE_1}
      ${KEY_LINE_2}
      -----END PRIVATE KEY-----
    dsn: "postgres://app:{{ db_password }}@db/app"
    payload: "${NOLOG_VALUE}"
  tasks:
    - name: the password in a debug message
      debug: msg="connecting with {{ dsn }}"
    - name: a variable shown whole
      debug: var=api_token
    - name: no_log debug
      debug: msg="the payload is {{ payload }}"
      no_log: true
    - name: no_log loop with a label
      debug: msg="item {{ item }}"
      loop: ["a-{{ payload }}", "b-{{ payload }}"]
      loop_control:
        label: "label-{{ payload }}-{{ item }}"
      no_log: true
    - name: a command line holding the password
      command: /bin/true --password={{ db_password }} --token {{ api_token }} --cluster={{ cluster_secret }}
    - name: a failing command holding the password
      command: /bin/false {{ db_password }}
      ignore_errors: true
    - name: the secrets in a file (the diff is where they would show)
      copy:
        dest: "{{ out }}/app.conf"
        content: |
          password={{ db_password }}
          token={{ api_token }}
          cluster={{ cluster_secret }}
          {{ tls_key }}
    - name: a download with a bearer token and a password in the URL
      get_url:
        url: "http://app:{{ db_password }}@127.0.0.1:${port}/artifact"
        dest: "{{ out }}/artifact"
        headers: { Authorization: "Bearer {{ api_token }}" }
    - name: a no_log download with a secret header
      get_url:
        url: "http://127.0.0.1:${port}/artifact2"
        dest: "{{ out }}/artifact2"
        headers: { X-Auth: "{{ payload }}" }
      no_log: true
    - name: a long task (the process scan runs meanwhile)
      command: sleep 2
`;

let t: ReturnType<typeof tempDir>;
/** The download server: it serves only requests that carry the secrets (so that they did reach curl). */
let server: http.Server;
const served: string[] = [];
/** A private TMPDIR for converge's runs: every file converge leaves in it is scanned. */
let tmp: string;
/** How long after spawn each run's command line was masked. */
const maskedAfterMs: number[] = [];

before(async () => {
  t = tempDir('secrets-all');
  tmp = path.join(t.dir, 'tmp');
  fs.mkdirSync(tmp);
  server = http.createServer((req, res) => {
    const basic = `Basic ${Buffer.from(`app:${DB_PASSWORD}`).toString('base64')}`;
    const ok = req.url === '/artifact'
      ? req.headers.authorization === `Bearer ${API_TOKEN}` || req.headers.authorization === basic
      : req.url === '/artifact2' && req.headers['x-auth'] === NOLOG_VALUE;
    if (!ok) { res.writeHead(403).end(); return; }
    served.push(req.url!);
    res.writeHead(200).end(`artifact ${req.url}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), playbook((server.address() as AddressInfo).port));
  fs.writeFileSync(path.join(t.dir, 'token.txt'), API_TOKEN + '\n');
});
after(() => { server?.close(); t.remove(); });

/** Every file under `dir`, each with its path, for the scan. */
function filesText(dir: string, except: string[] = []): string {
  let text = '';
  if (!fs.existsSync(dir)) return text;
  for (const p of listTree(dir)) {
    if (except.includes(p)) continue;
    const f = path.join(dir, p);
    const st = fs.lstatSync(f);
    if (st.isFile()) text += `\n--- ${f}\n` + fs.readFileSync(f, 'utf8');
  }
  return text;
}

function leaks(text: string): string[] {
  return Object.entries(SECRETS).filter(([, v]) => text.includes(v)).map(([k]) => k);
}

/**
 * Reads the command line of every process again and again until stop().
 * The one process allowed to carry a secret is the command task's own
 * /bin/true (the playbook put it on that command line).
 */
function scanProcesses(): { stop: () => string[]; samples: () => number } {
  const found = new Set<string>();
  let samples = 0;
  let running = true;
  const loop = async () => {
    while (running) {
      for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
        let cmdline: string;
        try { cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { continue; }
        if (cmdline.startsWith('/bin/true ') || cmdline.startsWith('/bin/false ')) continue;
        for (const k of leaks(cmdline)) found.add(`${k} in pid ${pid}: ${cmdline.slice(0, 300)}`);
      }
      samples++;
      await new Promise((r) => setTimeout(r, 15));
    }
  };
  const done = loop();
  return { stop: () => { running = false; void done; return [...found]; }, samples: () => samples };
}

describe('secrets in every output and store', () => {
  const modes: string[][] = [[], ['-v'], ['-vvv', '--diff'], ['--json'], ['--check', '--json', '-v']];
  for (const mode of modes) {
    it(`no secret in the console, state or temp files, nor in ps (${mode.join(' ') || 'plain'})`, async () => {
      const tag = mode.join('').replace(/-/g, '') || 'plain';
      const out = path.join(t.dir, `out-${tag}`);
      const state = path.join(t.dir, `state-${tag}`);
      fs.mkdirSync(out);
      let scan: ReturnType<typeof scanProcesses> | undefined;
      const r = await runCli([path.join(t.dir, 'site.yaml'), '-e', `out=${out}`, '-e', `cluster_secret=${CLUSTER_SECRET}`, '--state-dir', state, ...mode], {
        cwd: t.dir, env: { TMPDIR: tmp },
        // The installed `converge` (the launcher): it masks the command line before loading the bundle.
        wrap: (argv) => [argv[0], LAUNCHER, ...argv.slice(2)],
        // From the moment converge has masked its own command line on (before it, node is
        // still starting: README says so), every process is scanned.
        onSpawn: (child) => {
          const t0 = Date.now();
          const wait = () => {
            let cmdline = '';
            try { cmdline = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8'); } catch { return; }
            if (cmdline.includes(CLUSTER_SECRET)) { setTimeout(wait, 2); return; }
            maskedAfterMs.push(Date.now() - t0);
            scan = scanProcesses();
          };
          wait();
        },
      });
      const inPs = scan?.stop() ?? ['the process scan never started'];
      const shown = r.stdout + r.stderr;
      assert.equal(r.rc, 0, shown);
      assert.deepEqual(leaks(shown), [], `console:\n${shown}`);
      assert.deepEqual(inPs, [], 'a secret showed in a command line');
      assert.ok(scan!.samples() >= 10, `the process scan ran (${scan!.samples()} samples)`);
      // What converge left next to the playbook's files (temp files, validation copies, downloads): app.conf must hold them.
      const stored = filesText(state) + filesText(tmp) + filesText(out, ['app.conf']);
      assert.deepEqual(leaks(stored), [], `state or temp files:\n${stored}`);
      for (const view of [['history', '-D'], ['history', '--json'], ['status'], ['status', '--json']]) {
        const v = await runCli([...view, '--state-dir', state]);
        assert.equal(v.rc, 0, v.stderr);
        assert.deepEqual(leaks(v.stdout + v.stderr), [], `${view.join(' ')}:\n${v.stdout}`);
      }
      // What must still show: the marker where the values were, the tasks themselves.
      assert.match(shown, /\*{8}/, 'the marker replaces the values');
      assert.match(shown, /a command line holding the password/);
      if (!mode.includes('--json')) {
        assert.match(r.stdout, /connecting with postgres:\/\/app:\*{8}@db\/app/);
        assert.match(r.stdout, /output hidden: the task has 'no_log: true'/);
        assert.match(r.stdout, /item hidden: no_log/);
      } else {
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.hosts.localhost.tasks.filter((x: { noLog: boolean }) => x.noLog).length, 4, 'the no_log tasks and both loop items are reported');
      }
      if (!mode.includes('--check')) {
        // The playbook did get every secret (or their absence above proves nothing).
        const written = fs.readFileSync(path.join(out, 'app.conf'), 'utf8');
        for (const s of [DB_PASSWORD, API_TOKEN, CLUSTER_SECRET, KEY_LINE_1, KEY_LINE_2]) assert.ok(written.includes(s), `app.conf lacks a secret:\n${written}`);
        if (mode.includes('--diff')) assert.match(r.stdout, /\+password=\*{8}/, 'the diff is shown, masked');
        // Both downloads carried their secrets (the server refuses them otherwise).
        assert.equal(fs.readFileSync(path.join(out, 'artifact'), 'utf8'), 'artifact /artifact\n');
        assert.equal(fs.readFileSync(path.join(out, 'artifact2'), 'utf8'), 'artifact /artifact2\n');
      }
    });
  }

  it("the agent's log (plain and -v) and its history hold no secret", async () => {
    for (const verbose of [[], ['-v']]) {
      const out = path.join(t.dir, `out-agent${verbose.join('')}`);
      const state = path.join(t.dir, `state-agent${verbose.join('')}`);
      fs.mkdirSync(out);
      const agent = new AgentProcess([path.join(t.dir, 'site.yaml'), '-e', `out=${out}`, '-e', `cluster_secret=${CLUSTER_SECRET}`, '--state-dir', state, '--schedule', '0 0 1 1 *', ...verbose], { TMPDIR: tmp });
      try {
        await agent.waitFor(/run finished/);
      } finally {
        agent.child.kill('SIGTERM');
        await agent.waitFor(/stopped/).catch(() => {});
      }
      const log = agent.lines.join('\n');
      assert.match(log, /applied intended change in copy/, log);
      if (verbose.length) assert.match(log, /task 5 'a command line holding the password': changed/, log);
      assert.deepEqual(leaks(log), [], `agent log:\n${log}`);
      assert.deepEqual(leaks(filesText(state)), [], 'agent state');
    }
  });

  it('control characters from a host are shown escaped, never sent to the terminal', async () => {
    const pb = path.join(t.dir, 'escapes.yaml');
    // printf on the host makes the bytes: ESC ] 0 ; title BEL, ESC [ 2 J (clear screen), CSI as one C1 byte.
    fs.writeFileSync(pb, `- hosts: localhost
  gather_facts: false
  tasks:
    - command: printf 'before \\033]0;PWNED\\007 \\033[2J \\302\\233 after'
      register: evil
      changed_when: false
    - debug: msg="{{ evil.stdout }}"
    - copy:
        dest: "{{ out }}/evil.txt"
        content: "{{ evil.stdout }}\\n"
    - command: /bin/sh -c 'printf "\\033[2J oops" >&2; exit 3'
      ignore_errors: true
`);
    const out = path.join(t.dir, 'out-escapes');
    fs.mkdirSync(out);
    for (const mode of [['--diff'], ['--json']]) {
      fs.rmSync(path.join(out, 'evil.txt'), { force: true });
      const r = await runCli([pb, '-e', `out=${out}`, ...mode], { cwd: t.dir });
      assert.equal(r.rc, 0, r.stdout + r.stderr);
      assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(r.stdout.replace(/\r?\n/g, '')), `raw control characters in:\n${JSON.stringify(r.stdout)}`);
      assert.ok(fs.readFileSync(path.join(out, 'evil.txt'), 'utf8').includes('\x1b]0;PWNED\x07'), 'the file holds the bytes themselves');
      if (mode.includes('--json')) {
        const doc = JSON.parse(r.stdout);
        assert.ok(doc.hosts.localhost.tasks[1].message.includes('\x1b]0;PWNED\x07'), 'a program still reads the exact text');
      } else {
        assert.match(r.stdout, /before \\x1b\]0;PWNED\\x07 \\x1b\[2J \\x9b after/);
        assert.match(r.stdout, /\+before \\x1b\]0;PWNED/, 'the diff line, escaped');
      }
    }
  });

  it('converge masks its command line early', () => {
    assert.equal(maskedAfterMs.length, modes.length);
    // A figure, not a bound: it is node's start-up time, which a loaded machine stretches.
    console.log(`# inline -e values masked in ps ${maskedAfterMs.join(', ')} ms after spawn`);
  });

  it('converge leaves nothing in its temp directory', () => {
    assert.deepEqual(fs.readdirSync(tmp), [], 'files converge left in TMPDIR');
  });
});
