// Handlers survive failure: a notification made before a failing task (or a
// failing handler, or an interrupted run) is kept in the state directory and
// its handler runs on the next run; --check shows it without consuming it.
// Real CLI runs on the local host; the "service restart" is a handler that
// appends a line to a file, so every run of it is counted.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PendingHandlerStore } from '../../src/engine/pending-handlers.js';
import { runCli, tempDir } from './cli-process.js';

const PLAYBOOK = `- hosts: localhost
  gather_facts: false
  tasks:
    - name: config
      copy:
        content: "version={{ version }}\\n"
        dest: "{{ out }}/app.conf"
      notify: restart app
    - name: a later task that fails
      fail:
        msg: later task failed
      when: task_fails | bool
  handlers:
    - name: restart app
      shell: "[ {{ handler_fails }} = false ] && echo restarted >> {{ out }}/restarts"
`;

let t: ReturnType<typeof tempDir>;
let out: string;
let state: string;
let playbook: string;

before(() => {
  t = tempDir('handlers');
  out = path.join(t.dir, 'out');
  state = path.join(t.dir, 'state');
  fs.mkdirSync(out);
  playbook = path.join(t.dir, 'site.yaml');
  fs.writeFileSync(playbook, PLAYBOOK);
});
after(() => t.remove());

function converge(vars: { version: number; taskFails?: boolean; handlerFails?: boolean }, extra: string[] = []) {
  return runCli([playbook, '-e', `out=${out}`, '-e', `version=${vars.version}`, '-e', `task_fails=${!!vars.taskFails}`,
    '-e', `handler_fails=${!!vars.handlerFails}`, ...extra], { env: { CONVERGE_STATE_DIR: state } });
}

const restarts = () => (fs.existsSync(path.join(out, 'restarts')) ? fs.readFileSync(path.join(out, 'restarts'), 'utf8').split('\n').filter(Boolean).length : 0);
const records = () => (fs.existsSync(path.join(state, 'pending-handlers')) ? fs.readdirSync(path.join(state, 'pending-handlers')) : []);

describe('pending handler notifications', () => {
  it('a task failing after a change keeps the notification; the next run restarts', async () => {
    let r = await converge({ version: 1, taskFails: true });
    assert.equal(r.rc, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /changed\s+localhost\s+\[1\] config/);
    assert.equal(restarts(), 0, 'the handler must not run in a failed play');
    assert.equal(records().length, 1, 'the notification is recorded');
    const rec = JSON.parse(fs.readFileSync(path.join(state, 'pending-handlers', records()[0]), 'utf8'));
    assert.deepEqual(rec.handlers, ['restart app']);

    // --check reports the owed handler but does not consume it.
    r = await converge({ version: 1 }, ['--check']);
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /handler \[\d+\] restart app/);
    assert.equal(restarts(), 0);
    assert.equal(records().length, 1);

    // The config is already in sync: only the record makes the handler run (Ansible would not).
    r = await converge({ version: 1 });
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ok\s+localhost\s+\[1\] config/);
    assert.equal(restarts(), 1, 'the owed restart happened');
    assert.deepEqual(records(), [], 'the record is gone once the handler ran');

    r = await converge({ version: 1 });
    assert.equal(r.rc, 0);
    assert.equal(restarts(), 1, 'no restart without a change or a record');
  });

  it('a failing handler stays owed and is retried by the next run', async () => {
    let r = await converge({ version: 2, handlerFails: true });
    assert.equal(r.rc, 2, r.stdout + r.stderr);
    assert.equal(restarts(), 1);
    assert.equal(records().length, 1);
    r = await converge({ version: 2, handlerFails: true });
    assert.equal(r.rc, 2, 'retried and failed again');
    assert.equal(records().length, 1);
    r = await converge({ version: 2 });
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.equal(restarts(), 2);
    assert.deepEqual(records(), []);
  });

  it('a run stopped by SIGTERM after the change keeps the notification', async () => {
    // A slow second task gives the signal a moment to land after the config changed.
    const slow = PLAYBOOK.replace('    - name: a later task that fails', '    - name: slow\n      command: sleep 2\n    - name: a later task that fails');
    fs.writeFileSync(playbook, slow);
    try {
      let sawChange = false;
      const r = await runCli([playbook, '-e', `out=${out}`, '-e', 'version=3', '-e', 'task_fails=false', '-e', 'handler_fails=false'], {
        env: { CONVERGE_STATE_DIR: state },
        onSpawn: (child) => {
          child.stdout!.on('data', (d: Buffer) => {
            if (!sawChange && /changed\s+localhost\s+\[1\] config/.test(d.toString())) { sawChange = true; child.kill('SIGTERM'); }
          });
        },
      });
      assert.ok(sawChange, r.stdout);
      assert.equal(r.rc, 99, `interrupted run exits 99\n${r.stdout}${r.stderr}`);
      assert.equal(restarts(), 2);
      assert.equal(records().length, 1);
    } finally {
      fs.writeFileSync(playbook, PLAYBOOK);
    }
    const r = await converge({ version: 3 });
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.equal(restarts(), 3);
    assert.deepEqual(records(), []);
  });

  it('a notifying task that changes nothing writes no record (no file written and removed, no fsync)', async () => {
    let r = await converge({ version: 7 });
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /changed\s+localhost\s+\[1\] config/);
    const dir = path.join(state, 'pending-handlers');
    const before = fs.statSync(dir, { bigint: true }).mtimeNs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    r = await converge({ version: 7 });
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ok\s+localhost\s+\[1\] config/);
    // A record written and then removed would have changed the directory.
    assert.equal(fs.statSync(dir, { bigint: true }).mtimeNs, before, 'the records directory was not touched');
    assert.deepEqual(records(), []);
  });

  it('the store: records are per host, playbook and play; a torn record is ignored with a warning', () => {
    const warnings: string[] = [];
    const a = new PendingHandlerStore(state, '/p/a.yaml', (m) => warnings.push(m));
    const b = new PendingHandlerStore(state, '/p/b.yaml', (m) => warnings.push(m));
    a.save('node1', 'web', ['restart nginx', 'restart nginx', 'reload dhcpd']);
    assert.deepEqual(a.load('node1', 'web'), ['restart nginx', 'reload dhcpd']);
    assert.deepEqual(b.load('node1', 'web'), []);
    assert.deepEqual(a.load('node2', 'web'), []);
    assert.deepEqual(a.load('node1', 'db'), []);
    fs.writeFileSync(a.fileFor('node1', 'web'), '{"host": "node1", "hand');
    assert.deepEqual(a.load('node1', 'web'), []);
    assert.equal(warnings.length, 1);
    a.save('node1', 'web', []);
    assert.equal(fs.existsSync(a.fileFor('node1', 'web')), false);
    assert.equal(fs.readdirSync(path.join(state, 'pending-handlers')).filter((n) => n.endsWith('.tmp')).length, 0);
  });
});
