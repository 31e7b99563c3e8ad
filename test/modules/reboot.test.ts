// reboot on a real systemd host over SSH (a test-bed container): the module
// issues shutdown -r, the container's systemd reboots it and systemd-nspawn
// exits, the test boots it again (the machine's firmware, as it were), and
// the module must have waited: it returns only once the host answers with a
// new boot id; /run (a tmpfs) has lost the marker written before; the same
// Host object works afterwards. --check predicts the reboot and does nothing.
// Refused on the machine converge runs on. Side by side with ansible-playbook
// (its reboot action) on one host, each tool in turn: the same statuses and
// registered values, for --check and for a real reboot.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rebootModule } from '../../modules/reboot.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { DAEMONS_FLAVOR, upTarget, type BedTarget } from './fixtures/bed-host.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { run } from '../bed/proc.js';
import { CLI } from '../helpers/cli.js';
import { bootAgain } from '../bed/host.js';
import { readState } from '../bed/state.js';
import { host as local } from './file-fixtures.js';

const pidAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('reboot: waits for the host to come back with a new boot', { timeout: 300_000 }, async () => {
  const t = await upTarget();
  try {
    const bootId = async () => (await t.host.run(['cat', '/proc/sys/kernel/random/boot_id'])).stdout.trim();
    const first = await bootId();
    await t.host.writeFile('/run/cvg-before-reboot', 'x');

    const predicted = await planModule(rebootModule, { reboot_timeout: 120 }, { host: t.host });
    assert.deepEqual(predicted.changes.map((c) => c.property), ['reboot']);
    assert.equal(await bootId(), first, '--check did not reboot');

    const nspawn = readState(t.bed.name)!.nspawnPid!;
    let returnedAt = 0;
    let bootedAt = 0;
    const running = runModule(rebootModule, { reboot_timeout: 120, test_command: 'systemctl is-system-running --wait' }, { host: t.host })
      .then((o) => { returnedAt = Date.now(); return o; });
    // The container's systemd ends the nspawn process when it reboots; then it is booted again.
    const deadline = Date.now() + 60_000;
    while (pidAlive(nspawn) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(!pidAlive(nspawn), 'the host went down');
    assert.equal(returnedAt, 0, 'the module has not returned while the host is down');
    await bootAgain(t.bed.name);
    bootedAt = Date.now();
    const outcome = await running;
    assert.equal(outcome.status, 'changed', outcome.message);
    assert.equal(outcome.result.rebooted, true);
    assert.ok(returnedAt >= bootedAt, 'it returned after the host was back');
    assert.notEqual(await bootId(), first, 'a new boot');
    assert.equal((await t.host.stat('/run/cvg-before-reboot')).exists, false, '/run was emptied by the reboot');
  } finally {
    await t.down();
  }
});

test('reboot is refused on the machine converge runs on', async () => {
  const o = await runModule(rebootModule, {}, { host: local });
  assert.equal(o.status, 'failed');
  assert.match(o.message!, /reboot needs a host reached over SSH: localhost is the machine converge runs on/);
});

const PLAYBOOK = `- hosts: target
  gather_facts: false
  tasks:
    - name: boot id before
      command: cat /proc/sys/kernel/random/boot_id
      register: b0
      changed_when: false
    - name: reboot and wait
      reboot: { reboot_timeout: 120 }
      register: r
    - name: show reboot
      debug: { msg: "{{ r.changed }} {{ r.rebooted }} {{ r.elapsed is number }} {{ r.elapsed | int >= 0 }}" }
    - name: boot id after
      command: cat /proc/sys/kernel/random/boot_id
      register: b1
      changed_when: false
    - name: show a new boot
      debug: { msg: "{{ b0.stdout != b1.stdout }} {{ b1.stdout | length }}" }
      when: not ansible_check_mode
`;

interface Row { name: string; status: string; msg?: string }

/** One tool's run; when the host goes down, it is booted again (as its firmware would). */
async function rebootRun(t: BedTarget, dir: string, argv: string[], env: NodeJS.ProcessEnv, parse: (stdout: string) => Row[], expectReboot: boolean): Promise<Row[]> {
  const nspawn = readState(t.bed.name)!.nspawnPid!;
  const running = run(argv, { cwd: dir, env: { ...process.env, ...env }, timeoutMs: 300_000 });
  if (expectReboot) {
    const deadline = Date.now() + 120_000;
    while (pidAlive(nspawn) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(!pidAlive(nspawn), `${argv[0]}: the host went down`);
    await bootAgain(t.bed.name);
  }
  const r = await running;
  try {
    return parse(r.stdout);
  } catch {
    throw new Error(`${argv.join(' ')}: no JSON report (rc ${r.rc}): ${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  }
}

test('reboot: converge and ansible-playbook agree (--check, then a real reboot each, on one bed host)', { timeout: 600_000 }, async () => {
  const t = await upTarget(DAEMONS_FLAVOR);
  const dir = mkdtempSync('/tmp/cvg-reboot-diff-');
  try {
    writeFileSync(path.join(dir, 'pb.yaml'), PLAYBOOK);
    writeFileSync(path.join(dir, 'hosts.ini'), `target ansible_host=${t.bed.address} ansible_port=${t.bed.port} ansible_user=root ansible_ssh_private_key_file=${t.bed.privateKeyPath} ansible_python_interpreter=/usr/bin/python3\n`);
    const converge = (extra: string[]) => rebootRun(t, dir,
      [process.execPath, CLI, 'pb.yaml', '-i', 'hosts.ini', '--known-hosts-file', t.bed.knownHostsPath, '--json', '--state-dir', path.join(dir, 'state'), ...extra],
      { NO_COLOR: '1' },
      (out) => JSON.parse(out).hosts.target.tasks.map((x: any) => ({ name: x.name, status: x.status, ...((x.name.startsWith('show ') && x.status !== 'skipped') || x.status === 'failed' ? { msg: x.message } : {}) })),
      !extra.includes('--check'));
    const ansible = (extra: string[]) => rebootRun(t, dir, ['ansible-playbook', 'pb.yaml', '-i', 'hosts.ini', ...extra],
      {
        ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'false', ANSIBLE_HOST_KEY_CHECKING: 'true',
        ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${t.bed.knownHostsPath} -o StrictHostKeyChecking=yes -o ControlMaster=no`,
      },
      (out) => JSON.parse(out.slice(Math.max(0, out.search(/^\{/m)))).plays[0].tasks.filter((x: any) => x.hosts.target).map((x: any) => {
        const h = x.hosts.target;
        const status = h.failed ? 'failed' : h.skipped ? 'skipped' : h.changed ? 'changed' : 'ok';
        return { name: x.task.name, status, ...((x.task.name.startsWith('show ') && status !== 'skipped') || status === 'failed' ? { msg: h.msg } : {}) };
      }),
      !extra.includes('--check'));

    const cCheck = await converge(['--check']);
    const aCheck = await ansible(['--check']);
    const cRun = await converge([]);
    const aRun = await ansible([]);
    assert.deepEqual({ cRun, aRun }, { cRun, aRun: cRun }, 'ansible-playbook: the same statuses and registered values');
    assert.deepEqual(cRun, [
      { name: 'boot id before', status: 'ok' },
      { name: 'reboot and wait', status: 'changed' },
      { name: 'show reboot', status: 'ok', msg: 'True True True True' },
      { name: 'boot id after', status: 'ok' },
      { name: 'show a new boot', status: 'ok', msg: 'True 36' },
    ], 'converge rebooted the host and came back on a new boot');
    assert.deepEqual(aCheck, cCheck, '--check: the same statuses and registered values');
    assert.equal(cCheck.find((x) => x.name === 'reboot and wait')?.status, 'changed', '--check predicts the reboot');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await t.down();
  }
});
