// nfs_export against the real exportfs, on export files in a temp dir: the
// host's /etc and /var/lib/nfs are overlays whose upper layer is the temp dir
// (PrivateDirsHost), so exportfs -ra really parses and applies the files and
// writes its etab there, never on the build machine. Ganesha blocks on a temp
// file with the local host. Each case: --check predicts and changes nothing,
// the run makes it, a second plan is empty.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost } from '../../src/host/local-host.js';
import { makeModuleContext } from '../../src/engine/context.js';
import { validateModuleParams } from '../../src/config/module-params.js';
import { nfsExportModule } from '../../modules/nfs-export.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { PrivateDirsHost } from './fixtures/private-dirs-host.js';
import { DAEMONS_FLAVOR, upTarget, type BedTarget } from './fixtures/bed-host.js';

let tmp: string;
let host: PrivateDirsHost;
let images = '';
let homes = '';

before(() => {
  tmp = mkdtempSync('/tmp/sysmod-nfs-');
  images = join(tmp, 'srv', 'images');
  homes = join(tmp, 'srv', 'homes');
  mkdirSync(images, { recursive: true });
  mkdirSync(homes, { recursive: true });
  host = new PrivateDirsHost('nfs-test', join(tmp, 'root'), ['/etc', '/var/lib/nfs']);
  writeFileSync(join(tmp, 'root', 'etc', 'exports'), `# /etc/exports: the access control list for filesystems\n${homes} 10.0.0.0/8(rw,sync,no_subtree_check)\n`);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const exportsText = () => readFileSync(join(tmp, 'root', 'etc', 'exports'), 'utf8');
const etab = () => { try { return readFileSync(join(tmp, 'root', 'var', 'lib', 'nfs', 'etab'), 'utf8'); } catch { return ''; } };
const snapshot = () => {
  const d = join(tmp, 'root', 'etc', 'exports.d', 'cluster.exports');
  return [exportsText(), existsSync(d) ? readFileSync(d, 'utf8') : null, etab()];
};

interface Case {
  title: string;
  params: () => Record<string, unknown>;
  expect: string[] | RegExp;
  check?: () => void;
}

const cases: Case[] = [
  {
    title: 'add an export with two clients (string and object forms); exportfs applies it',
    params: () => ({ path: images, clients: ['192.168.0.0/24(rw,no_root_squash,no_subtree_check)', { host: '10.1.0.0/16', options: ['ro', 'no_subtree_check'] }] }),
    expect: [`export:${images}`, 'content'],
    check: () => {
      assert.equal(exportsText(), `# /etc/exports: the access control list for filesystems\n${homes} 10.0.0.0/8(rw,sync,no_subtree_check)\n${images} 192.168.0.0/24(rw,no_root_squash,no_subtree_check) 10.1.0.0/16(ro,no_subtree_check)\n`);
      assert.match(etab(), new RegExp(`^${images}\\t192\\.168\\.0\\.0/24\\(rw,`, 'm'), 'exportfs -ra wrote the export to etab');
    },
  },
  {
    title: 'the same export with clients and options in another order is in sync',
    params: () => ({ path: images, clients: ['10.1.0.0/16(no_subtree_check,ro)'], client: '192.168.0.0/24(no_subtree_check,rw,no_root_squash)' }),
    expect: [],
  },
  {
    title: 'changing one client\'s options rewrites the line',
    params: () => ({ path: images, options: 'rw,sync,no_subtree_check', clients: ['192.168.0.0/24', { host: '10.1.0.0/16' }] }),
    expect: [`export:${images}`, 'content'],
    check: () => assert.match(exportsText(), new RegExp(`^${images} 192\\.168\\.0\\.0/24\\(rw,sync,no_subtree_check\\) 10\\.1\\.0\\.0/16\\(rw,sync,no_subtree_check\\)$`, 'm')),
  },
  {
    title: 'an unknown option fails before anything runs',
    params: () => ({ path: images, client: '*(rw,no_such_option)' }),
    expect: /unknown export option 'no_such_option'/,
  },
  {
    title: 'exportfs itself rejects a missing directory, in --check too',
    params: () => ({ path: join(tmp, 'srv', 'missing'), client: '*(ro,no_subtree_check)' }),
    expect: /exportfs rejects the new \/etc\/exports.*\n.*Failed to stat .*missing/,
  },
  {
    title: 'name: writes /etc/exports.d/NAME.exports, creating the directory',
    params: () => ({ path: homes, name: 'cluster', clients: [{ host: '192.168.7.0/24', options: 'rw,no_subtree_check' }] }),
    expect: [`export:${homes}`, 'content', 'state:/etc/exports.d'],
    check: () => assert.equal(readFileSync(join(tmp, 'root', 'etc', 'exports.d', 'cluster.exports'), 'utf8'), `${homes} 192.168.7.0/24(rw,no_subtree_check)\n`),
  },
  {
    title: 'absent removes the export and keeps the rest of the file',
    params: () => ({ path: images, state: 'absent' }),
    expect: [`export:${images}`, 'content'],
    check: () => {
      assert.equal(exportsText(), `# /etc/exports: the access control list for filesystems\n${homes} 10.0.0.0/8(rw,sync,no_subtree_check)\n`);
      assert.doesNotMatch(etab(), new RegExp(`^${images}\\t`, 'm'));
    },
  },
];

describe('nfs_export (kernel, real exportfs)', () => {
  for (const c of cases) {
    it(c.title, async () => {
      if (c.expect instanceof RegExp) {
        const before = snapshot();
        await assert.rejects(planModule(nfsExportModule, c.params(), { host }), c.expect);
        const run = await runModule(nfsExportModule, c.params(), { host });
        assert.equal(run.status, 'failed');
        assert.match(run.message ?? '', c.expect);
        assert.deepEqual(snapshot(), before, 'nothing changed');
      } else {
        await checkRunReplan(nfsExportModule, c.params(), { host }, snapshot, c.expect);
      }
      c.check?.();
    });
  }

  it('when exportfs -ra fails after writing, the previous file is restored', async () => {
    const gone = join(tmp, 'srv', 'vanishing');
    mkdirSync(gone);
    const params = validateModuleParams<Parameters<typeof nfsExportModule.plan>[0]>(nfsExportModule, { path: gone, client: '*(ro,no_subtree_check)' });
    const ctx = makeModuleContext({ host });
    const plan = await nfsExportModule.plan(params, ctx);
    assert.equal(plan.changes[0].property, `export:${gone}`);
    const before = exportsText();
    rmSync(gone, { recursive: true }); // the directory disappears between plan and apply
    await assert.rejects(nfsExportModule.apply(params, plan, ctx), /exportfs -ra failed .*previous \/etc\/exports was restored[^]*Failed to stat/);
    assert.equal(exportsText(), before);
  });
});

describe('nfs_export (ganesha EXPORT blocks)', () => {
  const local = new LocalHost('localhost');
  let conf: string;
  const hand = 'NFS_CORE_PARAM { Protocols = 3, 4; }\n\n# written by hand\nEXPORT {\n    Export_Id = 1;\n    Path = "/srv/other";\n    Pseudo = "/other";\n    FSAL { Name = VFS; }\n}\n';
  before(() => { conf = join(tmp, 'ganesha.conf'); writeFileSync(conf, hand); });

  it('adds a block with the first free Export_Id, mapping kernel options', async () => {
    const params = { path: '/srv/images', server: 'ganesha', file: conf, clients: ['192.168.0.0/24(rw,no_root_squash,sync)', '*(ro)'] };
    await checkRunReplan(nfsExportModule, params, { host: local }, () => readFileSync(conf, 'utf8'), ['export:/srv/images', 'content']);
    const text = readFileSync(conf, 'utf8');
    assert.ok(text.startsWith(hand), 'hand-written part kept');
    assert.match(text, /# BEGIN converge nfs_export \/srv\/images\nEXPORT \{\n    Export_Id = 2;\n    Path = "\/srv\/images";/);
    assert.match(text, /CLIENT \{\n        Clients = 192\.168\.0\.0\/24;\n        Access_Type = RW;\n        Squash = No_Root_Squash;\n    \}/);
    // The kernel's defaults, root_squash and nobody (65534), not Ganesha's -2.
    assert.match(text, /Clients = \*;\n        Access_Type = RO;\n        Anonymous_Gid = 65534;\n        Anonymous_Uid = 65534;\n        Squash = Root_Squash;\n    \}/);
  });

  it('an option Ganesha has no meaning for is an error, not dropped', async () => {
    await assert.rejects(planModule(nfsExportModule, { path: '/srv/images', server: 'ganesha', file: conf, client: '*(fsid=0)' }, { host: local }), /'fsid=0' has no NFS-Ganesha equivalent/);
  });

  it('absent removes only our block', async () => {
    await checkRunReplan(nfsExportModule, { path: '/srv/images', server: 'ganesha', file: conf, state: 'absent' }, { host: local }, () => readFileSync(conf, 'utf8'), ['export:/srv/images', 'content']);
    assert.equal(readFileSync(conf, 'utf8'), hand);
  });
});

describe('nfs_export over SSH on a Debian host with nfs-kernel-server', () => {
  let t: BedTarget;
  before(async () => {
    t = await upTarget(DAEMONS_FLAVOR);
    await t.host.mkdir('/srv/images');
  });
  after(async () => { await t?.down(); });

  const state = async () => [(await t.host.readFile('/etc/exports'))?.toString(), (await t.host.readFile('/var/lib/nfs/etab'))?.toString()];

  it('the exportfs check runs in a private namespace on the host; exportfs -ra applies the export', async () => {
    await checkRunReplan(nfsExportModule, { path: '/srv/images', clients: ['10.1.0.0/16(ro,no_subtree_check)'] }, { host: t.host }, state, ['export:/srv/images', 'content']);
    const [exports, etab] = await state();
    assert.match(exports!, /^\/srv\/images 10\.1\.0\.0\/16\(ro,no_subtree_check\)$/m);
    assert.match(etab!, /^\/srv\/images\t10\.1\.0\.0\/16\(ro,/m);
    const before = await state();
    const r = await runModule(nfsExportModule, { path: '/srv/missing', client: '*(ro,no_subtree_check)' }, { host: t.host });
    assert.equal(r.status, 'failed');
    assert.match(r.message ?? '', /Failed to stat \/srv\/missing/);
    assert.deepEqual(await state(), before);
  });
});
