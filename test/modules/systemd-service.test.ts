// systemd_service's own parameters against real systemd in a test-bed host
// over SSH: scope global enables a user unit for every user (systemctl
// --global), state with scope global and scope user are refused, masked and
// unmasked, daemon_reexec acts every run, force and no_block reach systemctl,
// the registered status is the unit's properties.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemdServiceModule } from '../../modules/systemd-service.js';
import { runModule } from '../helpers/module-harness.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';

let t: BedTarget;
before(async () => {
  t = await upTarget();
  await t.host.writeFile('/etc/systemd/user/cvg-user.service', '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=default.target\n');
  await t.host.writeFile('/usr/lib/systemd/system/cvg-m.service', '[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n');
}, { timeout: 120_000 });
after(async () => { await t?.down(); });

const link = async (p: string) => { const s = await t.host.stat(p); return s.type === 'link' ? s.linkTarget : s.exists; };

test('scope global enables a user unit for every user; state and scope user are refused', { timeout: 120_000 }, async () => {
  const wants = '/etc/systemd/user/default.target.wants/cvg-user.service';
  await checkRunReplan(systemdServiceModule, { name: 'cvg-user', scope: 'global', enabled: true }, { host: t.host }, () => link(wants), ['enabled']);
  assert.equal(await link(wants), '/etc/systemd/user/cvg-user.service');
  await checkRunReplan(systemdServiceModule, { name: 'cvg-user', scope: 'global', enabled: true }, { host: t.host }, () => link(wants), []);
  const withState = await runModule(systemdServiceModule, { name: 'cvg-user', scope: 'global', state: 'started' }, { host: t.host });
  assert.equal(withState.status, 'failed');
  assert.match(withState.message!, /state cannot be used with scope: global/);
  const user = await runModule(systemdServiceModule, { name: 'cvg-user', scope: 'user', enabled: true }, { host: t.host });
  assert.equal(user.status, 'failed');
  assert.match(user.message!, /scope: user is not supported/);
});

test('masked, unmasked, force, no_block, daemon_reexec, registered status', { timeout: 120_000 }, async () => {
  const mask = '/etc/systemd/system/cvg-m.service';
  const r = await checkRunReplan(systemdServiceModule, { unit: 'cvg-m', masked: true, force: true }, { host: t.host }, () => link(mask), ['masked']);
  assert.equal(await link(mask), '/dev/null');
  assert.equal((r.outcome.result.status as Record<string, string>).Id, 'cvg-m.service');
  assert.equal(r.outcome.result.name, 'cvg-m');
  await checkRunReplan(systemdServiceModule, { name: 'cvg-m', masked: false }, { host: t.host }, () => link(mask), ['masked']);
  assert.equal(await link(mask), false);
  const state = async () => (await t.host.run(['systemctl', 'is-active', 'cvg-m'])).stdout.trim();
  await checkRunReplan(systemdServiceModule, { name: 'cvg-m', state: 'started', no_block: true }, { host: t.host }, state, ['state']);
  for (let i = 0; i < 50 && (await state()) !== 'active'; i++) await new Promise((res) => setTimeout(res, 100));
  assert.equal(await state(), 'active');
  const reexec = await runModule(systemdServiceModule, { daemon_reexec: true }, { host: t.host });
  assert.equal(reexec.status, 'changed', reexec.message);
  assert.equal(await state(), 'active', 'the unit survives the re-execution');
});
