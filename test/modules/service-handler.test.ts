// service restarted through a handler, end to end with the real CLI against
// a test-bed container over SSH: a changed unit file notifies the handler,
// which restarts the running unit (a new main PID); a run with nothing
// changed does not restart it; --check reports the restart it would do.

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { converge, project } from '../helpers/cli.js';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';

let t: BedTarget;
let dir: string;

const playbook = (description: string) => `
- hosts: bed
  tasks:
    - name: unit file
      copy:
        dest: /usr/lib/systemd/system/cvhandler.service
        content: |
          [Unit]
          Description=${description}
          [Service]
          ExecStart=/bin/sleep infinity
      notify: restart cvhandler
    - name: running
      service: { name: cvhandler, state: started, daemon_reload: true }
  handlers:
    - name: restart cvhandler
      service: { name: cvhandler, state: restarted, daemon_reload: true }
`;

before(async () => {
  t = await upTarget('debian12');
  const v = t.vars;
  dir = project({
    'inventory.ini': `bed ansible_host=${v.ansible_host} ansible_port=${v.ansible_port} ansible_user=${v.ansible_user} ansible_ssh_private_key_file=${v.ansible_ssh_private_key_file}\n`,
    'site.yaml': playbook('first'),
  }, 'sysmod-handler-');
});
after(async () => {
  await t?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const mainPid = async () => (await t.host.run(['systemctl', 'show', '-p', 'MainPID', '--value', 'cvhandler'])).stdout.trim();
// Its own state dir: the lock of /var/lib/converge belongs to whoever else runs converge on this machine.
const run = (...extra: string[]) => converge(['site.yaml', '-i', 'inventory.ini', '--known-hosts-file', t.bed.knownHostsPath, '--state-dir', join(dir, 'state'), '--json', ...extra], { cwd: dir });
const statuses = (json: any) => (json?.hosts?.bed?.tasks ?? []).map((x: any) => `${x.name}:${x.status}`);

it('a changed unit file restarts the service through its handler; an unchanged one does not', async () => {
  const first = run();
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.deepEqual(statuses(first.json), ['unit file:changed', 'running:changed', 'restart cvhandler:changed']);
  const pid1 = await mainPid();
  assert.notEqual(pid1, '0');

  const quiet = run();
  assert.equal(quiet.code, 0, quiet.stdout + quiet.stderr);
  assert.deepEqual(statuses(quiet.json), ['unit file:ok', 'running:ok']);
  assert.equal(await mainPid(), pid1, 'no restart without a change');

  (await import('node:fs')).writeFileSync(join(dir, 'site.yaml'), playbook('second'));
  const check = run('--check');
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.deepEqual(statuses(check.json), ['unit file:changed', 'running:ok', 'restart cvhandler:changed']);
  assert.equal(await mainPid(), pid1, '--check restarted nothing');

  const second = run();
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.deepEqual(statuses(second.json), ['unit file:changed', 'running:changed', 'restart cvhandler:changed']);
  const pid2 = await mainPid();
  assert.notEqual(pid2, pid1, 'the handler restarted the unit');
  assert.equal((await t.host.run(['systemctl', 'show', '-p', 'Description', '--value', 'cvhandler'])).stdout.trim(), 'second');
});
