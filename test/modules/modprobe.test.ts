// modprobe against this machine's real kernel, which has no loadable modules
// (CONFIG_MODULES off, no /proc/modules): a built-in module counts as loaded,
// a module that is not built in is refused with that reason, a built-in one
// cannot be removed. Loading and unloading a real module is done on the head
// node test's booted compute node, side by side with Ansible
// (test/headnode/node-modprobe.ts); the persistent files are converged here in
// a directory tree (chroot host, as for a compute image): check predicts, run
// writes, re-plan empty.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { ChrootHost } from '../../src/host/chroot-host.js';
import { modprobeModule } from '../../modules/modprobe.js';
import { runModule } from '../helpers/module-harness.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { host, snapshot } from './file-fixtures.js';

test('modprobe on a kernel without loadable modules: built in is loaded, others refused', async (t) => {
  if (existsSync('/proc/modules')) t.skip('this kernel loads modules: the refusal cannot be shown here');
  assert.ok(existsSync('/sys/module/bridge'), 'bridge is built into this kernel');
  await checkRunReplan(modprobeModule, { name: 'bridge' }, { host }, () => null, []);
  const missing = await runModule(modprobeModule, { name: 'cvg_no_such_module' }, { host });
  assert.equal(missing.status, 'failed');
  assert.match(missing.message!, /cannot load modules \(no \/proc\/modules\) and cvg_no_such_module is not built into it/);
  const remove = await runModule(modprobeModule, { name: 'bridge', state: 'absent' }, { host });
  assert.equal(remove.status, 'failed');
  assert.match(remove.message!, /bridge is built into the running kernel and cannot be removed/);
});

test('modprobe persistent in an image tree: modules-load.d, modprobe.d, old options commented out', async () => {
  const tree = mkdtempSync('/tmp/cvg-modprobe-');
  try {
    mkdirSync(`${tree}/etc/modprobe.d`, { recursive: true });
    writeFileSync(`${tree}/etc/modprobe.d/old.conf`, '# tuned once\noptions br_netfilter flag=0\noptions other x=1\n');
    const image = new ChrootHost('image', tree);
    const observe = () => snapshot(`${tree}/etc`);
    const present = { name: 'br_netfilter', params: 'flag=1 depth=2', persistent: 'present' };
    const r = await checkRunReplan(modprobeModule, present, { host: image }, observe, ['content', 'content', 'content', 'state:/etc/modules-load.d']);
    assert.match(String(r.outcome.result.msg), /state present not applied: image is a directory tree/);
    assert.equal(readFileSync(`${tree}/etc/modules-load.d/br_netfilter.conf`, 'utf8'), 'br_netfilter\n');
    assert.equal(readFileSync(`${tree}/etc/modprobe.d/br_netfilter.conf`, 'utf8'), 'options br_netfilter flag=1\noptions br_netfilter depth=2\n');
    assert.equal(readFileSync(`${tree}/etc/modprobe.d/old.conf`, 'utf8'), '# tuned once\n#options br_netfilter flag=0\noptions other x=1\n');
    await checkRunReplan(modprobeModule, present, { host: image }, observe, []);
    await checkRunReplan(modprobeModule, { name: 'br_netfilter', persistent: 'absent' }, { host: image }, observe, ['content', 'content']);
    assert.equal(readFileSync(`${tree}/etc/modules-load.d/br_netfilter.conf`, 'utf8'), '#br_netfilter\n');
    assert.equal(readFileSync(`${tree}/etc/modprobe.d/br_netfilter.conf`, 'utf8'), '#options br_netfilter flag=1\n#options br_netfilter depth=2\n');
    await checkRunReplan(modprobeModule, { name: 'br_netfilter', persistent: 'absent' }, { host: image }, observe, []);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});
