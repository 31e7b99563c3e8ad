// service: offline on a temp tree (systemctl --root, as for compute images),
// and online against real systemd in a test-bed container over SSH: start,
// stop, enable, mask, restart, reload, daemon-reload, a unit that fails to
// start (its journal lines in the message), a missing unit in --check with
// the ledger. Each case: --check predicts and changes nothing, the run makes
// it, a second plan is empty (restart/reload leave only their `repeats` change).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost } from '../../src/host/local-host.js';
import { Ledger } from '../../src/engine/ledger.js';
import { makeModuleContext } from '../../src/engine/context.js';
import { validateModuleParams } from '../../src/config/module-params.js';
import { serviceModule } from '../../modules/service.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';
import { mountImageTree, type ImageTree } from './fixtures/image-tree.js';
import { shapedDebsLayer } from '../bed/shaped/debs-layer.js';

const UNIT = '[Unit]\nDescription=converge test unit\n[Service]\nExecStart=/bin/sleep infinity\nExecReload=/bin/true\n[Install]\nWantedBy=multi-user.target\n';

describe('service offline on a tree (systemctl --root)', () => {
  const local = new LocalHost('localhost');
  let root: string;
  before(() => {
    root = mkdtempSync('/tmp/sysmod-svc-');
    mkdirSync(join(root, 'usr/lib/systemd/system'), { recursive: true });
    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
    writeFileSync(join(root, 'usr/lib/systemd/system/cvtest.service'), UNIT);
    writeFileSync(join(root, 'usr/lib/systemd/system/cvstatic.service'), '[Service]\nExecStart=/bin/true\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const wants = () => join(root, 'etc/systemd/system/multi-user.target.wants/cvtest.service');
  const maskLink = () => join(root, 'etc/systemd/system/cvtest.service');
  // Links in the tree point at absolute paths inside it: test them without following.
  const isLink = (p: string) => { try { return lstatSync(p).isSymbolicLink(); } catch { return false; } };
  const observe = () => [isLink(wants()), isLink(maskLink()) ? readlinkSync(maskLink()) : null];

  const cases: Array<{ title: string; params: Record<string, unknown>; expect: string[]; after: unknown[] }> = [
    { title: 'enable', params: { name: 'cvtest', enabled: true }, expect: ['enabled'], after: [true, null] },
    { title: 'enabled again: in sync; a state is ignored with a note', params: { name: 'cvtest.service', enabled: true, state: 'started' }, expect: [], after: [true, null] },
    { title: 'disable and mask', params: { name: 'cvtest', enabled: false, masked: true }, expect: ['enabled', 'masked'], after: [false, '/dev/null'] },
    { title: 'unmask', params: { name: 'cvtest', masked: false }, expect: ['masked'], after: [false, null] },
    { title: 'a static unit counts as enabled', params: { name: 'cvstatic', enabled: true }, expect: [], after: [false, null] },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const r = await checkRunReplan(serviceModule, { ...c.params, root }, { host: local }, observe, c.expect);
      assert.deepEqual(observe(), c.after);
      if (c.params.state) assert.match(String(r.outcome.result.msg), /state started ignored: working offline on/);
    });
  }

  it('a missing unit fails; in --check a unit file an earlier task writes explains it', async () => {
    const run = await runModule(serviceModule, { name: 'nosuch', enabled: true, root }, { host: local });
    assert.equal(run.status, 'failed');
    assert.match(run.message ?? '', /unit nosuch.service not found .* in \/tmp\/sysmod-svc-/);
    const ledger = new Ledger();
    ledger.record(4, [{ kind: 'path', name: '/etc/systemd/system/nosuch.service' }]);
    const p = await planModule(serviceModule, { name: 'nosuch', enabled: true, root }, { host: local, ledger });
    assert.deepEqual(p.changes.map((c) => [c.property, c.afterTask, c.summary]), [['enabled', 4, 'would enable nosuch (after task 4 installs it)']]);
  });
});

describe('service online (systemd in a test-bed container, over SSH)', () => {
  let t: BedTarget;
  before(async () => {
    t = await upTarget('debian12');
    // Vendor location: `systemctl mask` needs /etc/systemd/system/UNIT free for its link.
    await t.host.writeFile('/usr/lib/systemd/system/cvtest.service', UNIT);
    await t.host.writeFile('/usr/lib/systemd/system/cvfail.service',
      "[Service]\nType=oneshot\nExecStart=/bin/sh -c 'echo cvtest-failure-marker >&2; exit 3'\n");
  });
  after(async () => { await t?.down(); });

  const sh = async (argv: string[]) => (await t.host.run(argv)).stdout.trim();
  const observe = async () => [await sh(['systemctl', 'is-active', 'cvtest']), await sh(['systemctl', 'is-enabled', 'cvtest'])];
  const mainPid = () => sh(['systemctl', 'show', '-p', 'MainPID', '--value', 'cvtest']);
  const opts = () => ({ host: t.host });

  const cases: Array<{ title: string; params: Record<string, unknown>; expect: string[]; after: string[] }> = [
    { title: 'start', params: { name: 'cvtest', state: 'started' }, expect: ['state'], after: ['active', 'disabled'] },
    { title: 'enable', params: { name: 'cvtest', enabled: true }, expect: ['enabled'], after: ['active', 'enabled'] },
    { title: 'started and enabled: in sync', params: { name: 'cvtest.service', state: 'started', enabled: true }, expect: [], after: ['active', 'enabled'] },
    { title: 'stop and disable together', params: { name: 'cvtest', state: 'stopped', enabled: false }, expect: ['state', 'enabled'], after: ['inactive', 'disabled'] },
    { title: 'mask', params: { name: 'cvtest', masked: true }, expect: ['masked'], after: ['inactive', 'masked'] },
    { title: 'unmask and start', params: { name: 'cvtest', masked: false, state: 'started' }, expect: ['masked', 'state'], after: ['active', 'disabled'] },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      await checkRunReplan(serviceModule, c.params, opts(), observe, c.expect);
      assert.deepEqual(await observe(), c.after);
    });
  }

  it('a masked unit cannot be started', async () => {
    await runModule(serviceModule, { name: 'cvtest', masked: true, state: 'stopped' }, opts());
    const r = await runModule(serviceModule, { name: 'cvtest', state: 'started' }, opts());
    assert.equal(r.status, 'failed');
    assert.match(r.message ?? '', /masked and cannot be started; add masked: false/);
    await runModule(serviceModule, { name: 'cvtest', masked: false, state: 'started' }, opts());
  });

  for (const action of ['restarted', 'reloaded'] as const) {
    it(`${action}: acts every time; the re-plan keeps only that repeating change`, async () => {
      const params = validateModuleParams<Parameters<typeof serviceModule.plan>[0]>(serviceModule, { name: 'cvtest', state: action });
      const ctx = makeModuleContext({ host: t.host });
      const pidBefore = await mainPid();
      const check = await serviceModule.plan(params, makeModuleContext({ host: t.host, check: true }));
      assert.deepEqual(check.changes.map((c) => [c.property, c.after, c.repeats, c.summary]), [['state', action, true, `would ${action === 'restarted' ? 'restart' : 'reload'} cvtest`]]);
      assert.equal(await mainPid(), pidBefore, '--check restarted nothing');
      const plan = await serviceModule.plan(params, ctx);
      await serviceModule.apply(params, plan, ctx);
      if (action === 'restarted') assert.notEqual(await mainPid(), pidBefore, 'a new process');
      else assert.equal(await mainPid(), pidBefore, 'reload keeps the process');
      const again = await serviceModule.plan(params, ctx);
      assert.deepEqual(again.changes.filter((c) => !c.repeats), []);
      assert.equal(await sh(['systemctl', 'is-active', 'cvtest']), 'active');
    });
  }

  it('restarted on a stopped unit starts it (and that converges)', async () => {
    await runModule(serviceModule, { name: 'cvtest', state: 'stopped' }, opts());
    const p = await planModule(serviceModule, { name: 'cvtest', state: 'restarted' }, opts());
    assert.deepEqual(p.changes.map((c) => [c.property, c.after, c.repeats]), [['state', 'started', undefined]]);
    const params = validateModuleParams<Parameters<typeof serviceModule.plan>[0]>(serviceModule, { name: 'cvtest', state: 'restarted' });
    const ctx = makeModuleContext({ host: t.host });
    await serviceModule.apply(params, await serviceModule.plan(params, ctx), ctx);
    assert.equal(await sh(['systemctl', 'is-active', 'cvtest']), 'active');
  });

  it('a changed unit file: daemon_reload reloads once, then is in sync', async () => {
    await t.host.writeFile('/usr/lib/systemd/system/cvtest.service', UNIT.replace('converge test unit', 'converge test unit, changed'));
    await checkRunReplan(serviceModule, { name: 'cvtest', daemon_reload: true }, opts(),
      () => sh(['systemctl', 'show', '-p', 'NeedDaemonReload', '--value', 'cvtest']), ['daemon-reload']);
    assert.equal(await sh(['systemctl', 'show', '-p', 'Description', '--value', 'cvtest']), 'converge test unit, changed');
  });

  it('a unit that fails to start: the failure shows its journal lines', async () => {
    const p = await planModule(serviceModule, { name: 'cvfail', state: 'started' }, opts());
    assert.deepEqual(p.changes.map((c) => c.property), ['state']);
    const r = await runModule(serviceModule, { name: 'cvfail', state: 'started' }, opts());
    assert.equal(r.status, 'failed');
    assert.match(r.message ?? '', /systemctl start cvfail.service failed \(rc 1\)/);
    assert.match(r.message ?? '', /last journal lines of cvfail.service:[^]*cvtest-failure-marker/);
  });

  it('a missing unit: fails in a run; in --check an earlier package task explains it', async () => {
    const r = await runModule(serviceModule, { name: 'cvnosuch', state: 'started' }, opts());
    assert.equal(r.status, 'failed');
    assert.match(r.message ?? '', /unit cvnosuch.service not found/);
    const ledger = new Ledger();
    ledger.record(3, [{ kind: 'package', name: 'nginx' }]);
    const p = await planModule(serviceModule, { name: 'cvnosuch', state: 'started', enabled: true }, { host: t.host, ledger, taskNumber: 5 });
    assert.deepEqual(p.changes.map((c) => c.summary), ['would enable cvnosuch (after task 3 installs it)', 'would start cvnosuch (after task 3 installs it)']);
  });
});

describe('service on a chroot host (a compute-image tree)', () => {
  let image: ImageTree;
  before(async () => { image = await mountImageTree(shapedDebsLayer, 'svc-image'); });
  after(() => image?.cleanup());

  it('disables and re-enables a unit offline inside the tree; a state is ignored with a note', async () => {
    const link = () => { try { return lstatSync(join(image.tree, 'etc/systemd/system/multi-user.target.wants/nginx.service')).isSymbolicLink(); } catch { return false; } };
    assert.equal(link(), true, 'the image has nginx enabled');
    await checkRunReplan(serviceModule, { name: 'nginx', enabled: false }, { host: image.host }, link, ['enabled']);
    assert.equal(link(), false);
    const r = await checkRunReplan(serviceModule, { name: 'nginx', enabled: true, state: 'started' }, { host: image.host }, link, ['enabled']);
    assert.equal(link(), true);
    assert.match(String(r.outcome.result.msg), /state started ignored: svc-image is a directory tree/);
  });
});
