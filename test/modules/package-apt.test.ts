// package with apt, in a Debian test-bed container over SSH, against a local
// flat repository the test builds (dpkg-deb + dpkg-scanpackages) and copies
// in; the container's sources point only at it, so apt-get update is local.
// Each case: --check predicts and changes nothing, the run makes it, a second
// plan is empty.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { LocalHost } from '../../src/host/local-host.js';
import { aptModule, packageModuleDef } from '../../modules/package/index.js';
import { debian12Base } from '../bed/debian-base.js';
import { ensureLayer } from '../bed/rootfs.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';
import { buildDebRepos, type DebRepo } from './fixtures/deb-repo.js';

const REPO = '/srv/cvtest-repo';
const STAMP = '/var/lib/apt/periodic/update-success-stamp';

describe('package via apt (Debian test-bed container)', () => {
  let t: BedTarget;
  let repos: DebRepo;
  const publish = async (files: Map<string, Buffer>) => {
    await t.host.run(['sh', '-c', 'rm -rf "$1" && mkdir -p "$1"', 'sh', REPO]);
    for (const [name, content] of files) await t.host.writeFile(`${REPO}/${name}`, content);
  };

  before(async () => {
    repos = buildDebRepos();
    t = await upTarget('debian12');
    await publish(repos.repo1);
    await t.host.writeFile('/etc/apt/sources.list', `deb [trusted=yes] file:${REPO} ./\n`);
  });
  after(async () => {
    await t?.down();
    repos?.cleanup();
  });

  const installed = async () => (await t.host.run(['dpkg-query', '-W', '-f', '${Package} ${db:Status-Abbrev}${Version}\n', 'cvtest-a', 'cvtest-b'])).stdout;
  const stampTime = async () => (await t.host.stat(STAMP)).mtimeMs;

  it('update_cache, then one transaction for two packages (the package module picks apt from the facts)', async () => {
    await checkRunReplan(packageModuleDef, { name: ['cvtest-a', 'cvtest-b'], update_cache: true }, { host: t.host }, installed, ['package:cvtest-a', 'package:cvtest-b']);
    assert.equal(await installed(), 'cvtest-a ii 1.0\ncvtest-b ii 1.0\n');
  });

  it('installed already: nothing to do, and no apt-get update either', async () => {
    const stamp = await stampTime();
    await checkRunReplan(aptModule, { name: 'cvtest-a,cvtest-b', update_cache: true }, { host: t.host }, installed, []);
    assert.equal(await stampTime(), stamp);
  });

  it('latest upgrades from the refreshed repository', async () => {
    await publish(repos.repo2);
    const p = await planModule(aptModule, { name: ['cvtest-a', 'cvtest-b'], state: 'latest', update_cache: true }, { host: t.host });
    assert.deepEqual(p.changes.map((c) => [c.property, c.before, c.after]), [['package:cvtest-a', '1.0', '2.0']]);
    await checkRunReplan(aptModule, { name: ['cvtest-a', 'cvtest-b'], state: 'latest', update_cache: true, cache_valid_time: 600 }, { host: t.host }, installed, ['package:cvtest-a']);
    assert.equal(await installed(), 'cvtest-a ii 2.0\ncvtest-b ii 1.0\n');
  });

  it('a name that does not exist fails with apt\'s words, in --check too', async () => {
    await runModule(aptModule, { name: 'cvtest-b', state: 'absent' }, { host: t.host });
    const before = await installed();
    await assert.rejects(planModule(aptModule, { name: ['cvtest-nosuch', 'cvtest-b'] }, { host: t.host }), /E: Unable to locate package cvtest-nosuch/);
    assert.equal(await installed(), before);
    const run = await runModule(aptModule, { name: ['cvtest-nosuch', 'cvtest-b'] }, { host: t.host });
    assert.equal(run.status, 'failed');
    assert.match(run.message ?? '', /Unable to locate package cvtest-nosuch/);
    assert.equal(await installed(), before, 'the failed transaction installed nothing (cvtest-b stays removed)');
  });

  it('remove with purge', async () => {
    await checkRunReplan(aptModule, { name: 'cvtest-a', state: 'absent', purge: true }, { host: t.host }, installed, ['package:cvtest-a']);
    assert.doesNotMatch(await installed(), /cvtest-a/);
  });

  it('update_cache alone honours cache_valid_time', async () => {
    await checkRunReplan(aptModule, { update_cache: true, cache_valid_time: 3600 }, { host: t.host }, stampTime, []);
    await t.host.run(['touch', '-d', '2 hours ago', STAMP]);
    await checkRunReplan(aptModule, { update_cache: true, cache_valid_time: 3600 }, { host: t.host }, stampTime, ['cache']);
  });
});

describe('package via apt into a root (compute-image style)', () => {
  const local = new LocalHost('localhost');
  let tmp: string;
  let merged: string;
  let repos: DebRepo;
  before(async () => {
    repos = buildDebRepos();
    tmp = mkdtempSync('/tmp/sysmod-aptroot-');
    // The bed's cached Debian tree under a throwaway overlay: a real Debian root without debootstrapping one.
    const lower = (await ensureLayer(debian12Base)).join(':');
    merged = join(tmp, 'merged');
    for (const d of ['upper', 'work', 'merged']) mkdirSync(join(tmp, d));
    execFileSync('mount', ['-t', 'overlay', 'sysmod-aptroot', '-o', `lowerdir=${lower},upperdir=${tmp}/upper,workdir=${tmp}/work`, merged]);
    mkdirSync(join(merged, REPO.slice(1)), { recursive: true });
    for (const [name, content] of repos.repo1) writeFileSync(join(merged, REPO.slice(1), name), content);
    writeFileSync(join(merged, 'etc/apt/sources.list'), `deb [trusted=yes] file:${REPO} ./\n`);
  });
  after(() => {
    if (merged) execFileSync('umount', [merged]);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    repos?.cleanup();
  });

  const inTree = () => readFileSync(join(merged, 'var/lib/dpkg/status'), 'utf8').includes('Package: cvtest-a');

  it('installs inside the tree (chrooted apt-get in a private mount namespace)', async () => {
    await checkRunReplan(aptModule, { name: 'cvtest-a', root: merged, update_cache: true }, { host: local }, inTree, ['package:cvtest-a']);
    assert.equal(readFileSync(join(merged, 'usr/share/cvtest-a/version'), 'utf8'), '1.0\n');
    // Nothing stays mounted in the tree.
    assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(`${merged}/(proc|dev)`));
  });

  it('an empty root is bootstrapped with debootstrap (planned here; the run needs the mirror)', async () => {
    const empty = join(tmp, 'empty');
    const p = await planModule(aptModule, { name: ['openssh-server'], root: empty, releasever: 'bookworm' }, { host: local });
    assert.deepEqual(p.changes.map((c) => [c.property, c.summary]), [
      ['root', `would bootstrap bookworm into ${empty}`], ['package:openssh-server', `would install openssh-server into ${empty}`],
    ]);
    await assert.rejects(planModule(aptModule, { name: ['openssh-server'], root: empty }, { host: local }), /releasever \(the Debian suite/);
  });
});
