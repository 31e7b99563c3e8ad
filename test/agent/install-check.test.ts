// `converge agent --install --check` on the build machine (no systemd here):
// the plan shows the unit converge would write, with absolute paths to node,
// the converge entry, the playbook and the inventory, and changes nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CLI, converge, project } from '../helpers/cli.js';

const UNIT = '/etc/systemd/system/converge-agent.service';

test('--install --check shows the unit with absolute paths and writes nothing', () => {
  const dir = project({
    'site.yaml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n',
    'hosts.ini': 'localhost ansible_connection=local\n',
  }, 'cvg-agent-install-');
  const before = existsSync(UNIT) ? statSync(UNIT).mtimeMs + ':' + readFileSync(UNIT, 'utf8') : null;
  try {
    const r = converge(['agent', 'site.yaml', '-i', 'hosts.ini', '--install', '--check', '--schedule', '*/5 * * * *', '--splay', '30'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const execLine = r.stdout.split('\n').find((l) => l.includes('+ExecStart='));
    assert.ok(execLine, r.stdout);
    const real = realpathSync(dir);
    assert.equal(execLine!.trim(), `+ExecStart=${process.execPath} ${realpathSync(CLI)} agent ${path.join(real, 'site.yaml')} -i ${path.join(real, 'hosts.ini')}` +
      ` --schedule "*/5 * * * *" --splay 30 --state-dir /var/lib/converge`);
    assert.match(r.stdout, /\+KillMode=mixed/);
    assert.match(r.stdout, /\+WantedBy=multi-user.target/);
    assert.match(r.stdout, /would change localhost .*converge-agent.service unit/);
    const after = existsSync(UNIT) ? statSync(UNIT).mtimeMs + ':' + readFileSync(UNIT, 'utf8') : null;
    assert.equal(after, before, '--check changed the unit file');

    const bad = converge(['agent', 'site.yaml', '--install', '--check', '--schedule', 'every five minutes'], { cwd: dir });
    assert.equal(bad.code, 5);
    assert.match(bad.stderr, /--schedule 'every five minutes' is not a cron expression/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('agent options are checked before anything runs; the state directory is private', () => {
  const dir = project({ 'site.yaml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n' }, 'cvg-agent-opts-');
  try {
    const splay = converge(['agent', 'site.yaml', '--splay', 'soon', '--state-dir', 'state'], { cwd: dir });
    assert.equal(splay.code, 5);
    assert.match(splay.stderr, /--splay must be a number of seconds/);
    const sched = converge(['agent', 'site.yaml', '--schedule', '61 * * * *', '--state-dir', 'state'], { cwd: dir });
    assert.equal(sched.code, 5);
    assert.equal(existsSync(path.join(dir, 'state')), false, 'a refused agent created its state directory');

    const run = converge(['site.yaml', '--state-dir', 'state'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(statSync(path.join(dir, 'state')).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(dir, 'state', 'history.jsonl')).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--install --check with -e: the values go to a root-only vars file, shown nowhere; mixed order is refused', () => {
  const secret = `INSTALLPW${Date.now()}`;
  const dir = project({
    'site.yaml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n',
    'hosts.ini': 'localhost ansible_connection=local\n',
    'more.yml': 'x: 1\n',
  }, 'cvg-agent-install-vars-');
  try {
    const r = converge(['agent', 'site.yaml', '-i', 'hosts.ini', '--install', '--check', '-e', `db_password=${secret}`, '-e', 'plain=1', '-e', '@more.yml'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(!(r.stdout + r.stderr).includes(secret), r.stdout);
    const execLine = r.stdout.split('\n').find((l) => l.includes('+ExecStart='))!;
    assert.match(execLine, / -e @\/etc\/converge\/converge-agent\.vars\.json -e @\S+\/more\.yml$/);
    assert.match(r.stdout, /would change localhost +\[\d+\] the agent's -e variables \(root only\)/);
    assert.match(r.stdout, /output hidden: the task has 'no_log: true'/);
    assert.equal(existsSync('/etc/converge/converge-agent.vars.json') && readFileSync('/etc/converge/converge-agent.vars.json', 'utf8').includes(secret), false, '--check wrote the vars file');

    const mixed = converge(['agent', 'site.yaml', '-i', 'hosts.ini', '--install', '--check', '-e', 'a=1', '-e', '@more.yml', '-e', 'b=2'], { cwd: dir });
    assert.equal(mixed.code, 5, mixed.stdout + mixed.stderr);
    assert.match(mixed.stderr, /agent --install: put the -e KEY=VALUE \(or JSON\) arguments together/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
