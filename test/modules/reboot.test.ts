// reboot on a real systemd host over SSH (a test-bed container): the module
// issues shutdown -r, the container's systemd reboots it and systemd-nspawn
// exits, the test boots it again (the machine's firmware, as it were), and
// the module must have waited: it returns only once the host answers with a
// new boot id; /run (a tmpfs) has lost the marker written before; the same
// Host object works afterwards. --check predicts the reboot and does nothing.
// Refused on the machine converge runs on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rebootModule } from '../../modules/reboot.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { upTarget } from './fixtures/bed-host.js';
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
