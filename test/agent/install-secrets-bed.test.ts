// `converge agent --install -e db_password=... -e api_token=...` on the
// debian12 test bed host (systemd running): the secrets go to a root-only vars
// file that the unit reads with `-e @FILE`, never into the world-readable unit
// or the agent's command line. The playbook uses them in every way the
// local secrets test does (secrets-everywhere.test.ts): a debug message, a
// no_log debug and loop label, command lines (one failing), a file's diff,
// and a download whose Authorization header and URL password hold them
// (from a server on the build machine that refuses requests without them).
// While the agent runs on schedule, every process's command line in the host
// is read again and again; afterwards the install output, the unit,
// `systemctl show`, the journal, the history and every file of the host's
// tree are searched for the secret values. Installing again without them
// removes the vars file.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { downHost, upHost, type BedHost } from '../bed/index.js';
import { CLI_IN_HOST, copyConvergeInto, NODE } from './converge-in-host.js';

const DB_PASSWORD = `DBPW${randomBytes(8).toString('hex')}`;
const API_TOKEN = `APITOK${randomBytes(8).toString('hex')}`;
const VARS = '/etc/converge/converge-agent.vars.json';
const UNIT = '/etc/systemd/system/converge-agent.service';

const playbook = (url: string) => `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: the password in a debug message
      debug: msg="connecting with postgres://app:{{ db_password }}@db/app"
    - name: no_log debug
      debug: msg="the token is {{ api_token }}"
      no_log: true
    - name: no_log loop with a label
      debug: msg="item {{ item }}"
      loop: ["a-{{ api_token }}"]
      loop_control: { label: "label-{{ api_token }}-{{ item }}" }
      no_log: true
    - name: a failing command holding the password
      command: /bin/false {{ db_password }}
      ignore_errors: true
    - name: a download with a bearer token and a password in the URL (on every run)
      get_url:
        url: "http://app:{{ db_password }}@${url}/artifact"
        dest: /etc/artifact
        force: true
        headers: { Authorization: "Bearer {{ api_token }}" }
    - name: the secrets in a root-only file
      copy:
        dest: /etc/app.conf
        content: "password={{ db_password }} token={{ api_token }}\\n"
        mode: "0600"
    - name: a command line holding the password
      command: /bin/true --password={{ db_password }}
    - name: long enough for the process scan
      command: sleep 1
`;

let h: BedHost;
let server: http.Server;
let downloads = 0;
before(async () => {
  h = await upHost('debian12');
  server = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${API_TOKEN}`) { res.writeHead(403).end(); return; }
    downloads++;
    res.writeHead(200).end('artifact\n');
  });
  await new Promise<void>((r) => server.listen(0, h.hostAddress, r));
});
after(() => { server?.close(); return downHost(h.name); });

function leaks(text: string): string[] {
  return [DB_PASSWORD, API_TOKEN].filter((s) => text.includes(s));
}

async function converge(args: string[]) {
  return h.exec([NODE, CLI_IN_HOST, ...args], { timeoutMs: 300_000 });
}

test('agent --install keeps -e secrets in a 0600 file: not in the unit, ps, the journal, the history or any other file', async () => {
  copyConvergeInto(h.rootDir);
  mkdirSync(path.join(h.rootDir, 'opt/site'), { recursive: true });
  writeFileSync(path.join(h.rootDir, 'opt/site/site.yaml'), playbook(`${h.hostAddress}:${(server.address() as AddressInfo).port}`));

  const install = await converge(['agent', '/opt/site/site.yaml', '--install', '--schedule', '*/4 * * * * *', '-e', `db_password=${DB_PASSWORD}`, '-e', `api_token=${API_TOKEN}`, '-D']);
  assert.equal(install.rc, 0, install.stdout + install.stderr);
  assert.deepEqual(leaks(install.stdout + install.stderr), [], `install output:\n${install.stdout}`);

  const unit = (await h.execOk(['cat', UNIT])).stdout;
  assert.deepEqual(leaks(unit), [], unit);
  assert.match(unit, new RegExp(`^ExecStart=.* -e @${VARS}$`, 'm'));
  assert.equal((await h.execOk(['stat', '-c', '%a %U', UNIT])).stdout.trim(), '644 root');
  assert.equal((await h.execOk(['stat', '-c', '%a %U', VARS])).stdout.trim(), '600 root');
  assert.equal((await h.execOk(['stat', '-c', '%a %U', path.dirname(VARS)])).stdout.trim(), '700 root');
  assert.deepEqual(JSON.parse((await h.execOk(['cat', VARS])).stdout), { db_password: DB_PASSWORD, api_token: API_TOKEN });
  const shown = (await h.execOk(['systemctl', 'show', 'converge-agent', '-p', 'ExecStart'])).stdout;
  assert.deepEqual(leaks(shown), [], shown);

  // The agent runs every 4 s: read every command line in the host for a while.
  const inPs: string[] = [];
  let samples = 0;
  const until = Date.now() + 14_000;
  while (Date.now() < until) {
    const ps = await h.exec(['ps', '-eo', 'pid,args', '--no-headers']);
    samples++;
    for (const line of ps.stdout.split('\n')) {
      // The command task's own program carries its argv: the playbook put the password there.
      if (/^\s*\d+ \/bin\/(true|false) /.test(line)) continue;
      if (leaks(line).length) inPs.push(line);
    }
  }
  assert.deepEqual(inPs, [], 'a secret in a command line');
  assert.ok(samples >= 10, `${samples} ps samples`);

  // The agent did use the secrets, and recorded runs.
  assert.match((await h.execOk(['cat', '/etc/app.conf'])).stdout, new RegExp(`password=${DB_PASSWORD} token=${API_TOKEN}`));
  assert.equal((await h.execOk(['cat', '/etc/artifact'])).stdout, 'artifact\n');
  assert.ok(downloads >= 2, `${downloads} downloads with the token (one per run)`);
  const history = await converge(['history', '-D', '--json']);
  const records = JSON.parse(history.stdout) as unknown[];
  assert.ok(records.length >= 2, `${records.length} runs recorded`);
  assert.deepEqual(leaks(history.stdout), [], 'history');
  const journal = await h.exec(['journalctl', '-u', 'converge-agent', '--no-pager', '-o', 'cat']);
  assert.match(journal.stdout, /converge agent: .*copy \/etc\/app.conf/);
  assert.deepEqual(leaks(journal.stdout), [], `journal:\n${journal.stdout}`);

  // Every file in the host's tree but the two that must hold them (the journal files included).
  const grep = spawnSync('grep', ['-rlaF', '-e', DB_PASSWORD, '-e', API_TOKEN, '--exclude-dir=proc', '--exclude-dir=sys', '--exclude-dir=dev', h.rootDir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const holders = grep.stdout.split('\n').filter(Boolean).map((f) => '/' + path.relative(h.rootDir, f));
  assert.deepEqual(holders.sort(), ['/etc/app.conf', VARS].sort(), 'files holding a secret');

  // Installing again without -e: the unit no longer reads the file, and the file is gone.
  const again = await converge(['agent', '/opt/site/site.yaml', '--install', '--schedule', '*/4 * * * * *']);
  assert.equal(again.rc, 0, again.stdout + again.stderr);
  assert.equal((await h.exec(['test', '-e', VARS])).rc, 1, 'the vars file is left behind');
  assert.doesNotMatch((await h.execOk(['cat', UNIT])).stdout, / -e @/);
});
