// package and service together on the SHAPED Rocky 9 and openSUSE 15 bed
// hosts (Debian underneath with that distribution's os-release, dnf or
// zypper and a local repository of RPMs laid out like the real ones), over
// SSH: the manager comes from the facts; --check predicts the install and,
// through the ledger, "would start nginx (after task 1 installs it)"; the run
// installs and starts; a second plan is empty; an unknown name fails with the
// manager's own words.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ledger } from '../../src/engine/ledger.js';
import { packageModuleDef } from '../../modules/package/index.js';
import { serviceModule } from '../../modules/service.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';

for (const [flavor, manager, missingText] of [
  ['rocky9', 'dnf', /Unable to find a match: cvtest-nosuch/],
  ['suse15', 'zypper', /No provider of 'cvtest-nosuch' found/],
] as const) {
  describe(`package + service on SHAPED ${flavor} (${manager} over SSH)`, () => {
    let t: BedTarget;
    before(async () => { t = await upTarget(flavor); });
    after(async () => { await t?.down(); });

    it('--check with the ledger, then the run, then nothing left to do', async () => {
      assert.equal((await t.host.facts()).pkg_mgr, manager);
      const ledger = new Ledger();
      const pkg = { name: ['dhcp-server', 'nginx'] };
      const svc = { name: 'nginx', state: 'started', enabled: true };
      const p1 = await planModule(packageModuleDef, pkg, { host: t.host, ledger, taskNumber: 1 });
      assert.deepEqual(p1.changes.map((c) => c.summary), ['would install dhcp-server', 'would install nginx']);
      ledger.record(1, p1.provides ?? []);
      const p2 = await planModule(serviceModule, svc, { host: t.host, ledger, taskNumber: 2 });
      assert.deepEqual(p2.changes.map((c) => c.summary), ['would enable nginx (after task 1 installs it)', 'would start nginx (after task 1 installs it)']);
      assert.equal((await t.host.run(['rpm', '-q', 'nginx'])).rc, 1, '--check installed nothing');

      const r1 = await runModule(packageModuleDef, pkg, { host: t.host });
      assert.equal(r1.status, 'changed', r1.message);
      const r2 = await runModule(serviceModule, svc, { host: t.host });
      assert.equal(r2.status, 'changed', r2.message);
      assert.equal((await t.host.run(['systemctl', 'is-active', 'nginx'])).stdout.trim(), 'active');
      for (const [def, params] of [[packageModuleDef, { ...pkg, state: 'latest' }], [serviceModule, svc]] as const) {
        assert.deepEqual((await planModule(def, params, { host: t.host })).changes, []);
      }
    });

    it('an unknown name fails with the manager\'s words', async () => {
      const r = await runModule(packageModuleDef, { name: ['cvtest-nosuch'] }, { host: t.host });
      assert.equal(r.status, 'failed');
      assert.match(r.message ?? '', missingText);
    });
  });
}
