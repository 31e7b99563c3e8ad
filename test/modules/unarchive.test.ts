// unarchive: tar (plain, gz, xz, bz2) and zip, from the controller and from
// the host, side by side with ansible-playbook; hostile archives refused
// before anything is written; over SSH to a bed host.

import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { differential } from './fixtures/ansible-differential.js';
import { makeArchives } from './fixtures/archives.js';
import { host, snapshot } from './file-fixtures.js';
import { runModule, planModule } from '../helpers/module-harness.js';
import { unarchiveModule } from '../../modules/unarchive/index.js';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';
import { converge, project } from '../helpers/cli.js';

let arc: string;
before(() => { arc = makeArchives(); });
after(() => { rmSync(arc, { recursive: true, force: true }); });

test('unarchive: converge and ansible-playbook agree (tar, tgz, xz, bz2, zst, zip; controller and remote_src)', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => {
      for (const f of ['app.tgz', 'app.zip', 'app.tar.xz', 'app.tar.bz2', 'app.tar', 'app.tar.zst']) copyFileSync(path.join(arc, f), path.join(root, f));
      for (const d of ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7/top', 'd8', 'd9', 'd10']) mkdirSync(path.join(root, d), { recursive: true });
      writeFileSync(path.join(root, 'd7/top/a.txt'), 'changed by hand\n');
    },
    compare: (rel) => !/^app\./.test(rel),
    tasks: `
    - name: tgz from the controller
      unarchive: { src: "{{ root }}/app.tgz", dest: "{{ root }}/d1", list_files: true }
      register: r1
    - name: show files
      debug: { msg: "{{ r1.files | sort | join(',') }} {{ r1.handler }} {{ r1.state }} {{ r1.mode }}" }
    - name: zip from the controller
      ansible.builtin.unarchive: { src: "{{ root }}/app.zip", dest: "{{ root }}/d2", list_files: yes }
      register: r2
    - name: show zip files
      debug: { msg: "{{ r2.files | sort | join(',') }} {{ r2.handler }}" }
    - name: xz on the host, with a mode
      unarchive: { src: "{{ root }}/app.tar.xz", remote_src: true, dest: "{{ root }}/d3", mode: "0750" }
    - name: bz2, stripped, one member excluded
      unarchive: { src: "{{ root }}/app.tar.bz2", dest: "{{ root }}/d4", extra_opts: [--strip-components=1], exclude: [run.sh] }
    - name: plain tar, copy no
      unarchive: { src: "{{ root }}/app.tar", copy: no, dest: "{{ root }}/d5", include: [top/a.txt] }
    - name: creates
      unarchive: { src: "{{ root }}/app.tgz", dest: "{{ root }}/d6", creates: "{{ root }}/d1/top" }
      register: r6
    - name: show creates
      debug: { msg: "{{ r6.msg | default('') }} {{ r6.skipped | default(false) }}" }
    - name: a member changed by hand is put back
      unarchive: { src: "{{ root }}/app.tgz", dest: "{{ root }}/d7" }
    - name: zip on the host, one member excluded
      unarchive: { src: "{{ root }}/app.zip", remote_src: yes, dest: "{{ root }}/d8", exclude: "top/run.sh" }
    - name: zstd on the host
      unarchive: { src: "{{ root }}/app.tar.zst", remote_src: true, dest: "{{ root }}/d10", list_files: true }
      register: r10z
    - name: show zstd
      debug: { msg: "{{ r10z.handler }} {{ r10z.files | length }}" }
    - name: dest missing
      unarchive: { src: "{{ root }}/app.tgz", dest: "{{ root }}/nope" }
      ignore_errors: true
      register: r9
    - name: show dest missing
      debug: { msg: "{{ r9.failed }} {{ r9.msg is search('must be an existing dir') }}" }
    - name: not an archive
      unarchive: { src: "{{ root }}/d7/top/a.txt", remote_src: true, dest: "{{ root }}/d9" }
      ignore_errors: true
      register: r10
    - name: show not an archive
      debug: { msg: "{{ r10.failed }} {{ r10.msg is search('Failed to find handler') }}" }
`,
  });
});

describe('unarchive refuses archives that write outside dest', () => {
  let dest: string;
  let victim: string;
  before(() => {
    dest = path.join(arc, 'dest');
    victim = path.join(arc, 'victim');
  });
  const cases: Array<[string, RegExp]> = [
    ['dotdot.tar', /'\.\.\/escape\.txt' climbs out with '\.\.'/],
    ['absolute.tar', /is an absolute path/],
    ['linkthen.tar', /'lnk\/planted\.txt' lies below 'lnk', which the archive makes a symbolic link/],
    ['linkthen.zip', /'lnk\/planted\.txt' lies below 'lnk', which the archive makes a symbolic link/],
    ['hardlink.tar', /hard link hl -> '\.\.\/\.\.\/etc\/passwd' climbs out/],
    ['device.tar', /'disk' is a device node/],
  ];
  for (const [name, why] of cases) {
    it(`${name}: refused, nothing written in dest or outside`, async () => {
      rmSync(dest, { recursive: true, force: true });
      mkdirSync(dest);
      const before = await snapshot(arc);
      for (const remote_src of [true, false]) {
        const plan = await planModule(unarchiveModule, { src: path.join(arc, name), dest, remote_src }, { host, baseDir: arc }).catch((e) => e);
        assert.match(String(plan.message ?? plan), why);
        const run = await runModule(unarchiveModule, { src: path.join(arc, name), dest, remote_src }, { host, baseDir: arc });
        assert.equal(run.status, 'failed');
        assert.match(run.message ?? '', why);
      }
      assert.deepEqual(readdirSync(dest), []);
      assert.deepEqual(readdirSync(victim), []);
      assert.deepEqual(await snapshot(arc), before);
    });
  }

  it('a directory in dest that is a symbolic link (planted: lib -> outside) is not written through', async () => {
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest);
    symlinkSync(victim, path.join(dest, 'lib'));
    const run = await runModule(unarchiveModule, { src: path.join(arc, 'plain.tar'), dest, remote_src: true }, { host, baseDir: arc });
    assert.equal(run.status, 'failed');
    assert.match(run.message ?? '', /lib is a symbolic link: members of .* would be written through it/);
    assert.deepEqual(readdirSync(victim), []);
  });

  it('extra_opts other than --strip-components are refused', async () => {
    const run = await runModule(unarchiveModule, { src: path.join(arc, 'app.tar'), dest, remote_src: true, extra_opts: ['--absolute-names'] }, { host, baseDir: arc });
    assert.equal(run.status, 'failed');
    assert.match(run.message ?? '', /only --strip-components=N is supported \(got '--absolute-names'\)/);
  });

  it('bad parameters are refused before any host is contacted, naming file and line', () => {
    const dir = project({ 'pb.yaml': '- hosts: nosuchhost.invalid\n  gather_facts: false\n  tasks:\n    - name: both\n      unarchive: { src: a.tgz, dest: /tmp, copy: no, remote_src: yes }\n    - name: vault\n      unarchive: { src: a.tgz, dest: /tmp, decrypt: yes }\n' });
    const r = converge(['validate', 'pb.yaml', '-i', 'nosuchhost.invalid,'], { cwd: dir });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /pb\.yaml:5:\d+: 'copy' and 'remote_src' cannot be used together in module 'unarchive'/);
    assert.match(r.stderr, /pb\.yaml:7:\d+: unknown parameter 'decrypt' for module 'unarchive'/);
  });

  it('no temp directory is left on the host', () => {
    assert.deepEqual(readdirSync('/tmp').filter((n) => n.startsWith('converge-unarchive.')), []);
  });
});

describe('unarchive over SSH (bed host)', () => {
  let t: BedTarget;
  before(async () => { t = await upTarget(); });
  after(async () => { await t?.down(); });

  it('from the controller and from the host: first run changes, second does not, --check predicts', async () => {
    await t.host.run(['mkdir', '-p', '/srv/app1', '/srv/app2']);
    await t.host.writeFile('/root/app.tgz', (await import('node:fs')).readFileSync(path.join(arc, 'app.tgz')));
    const listing = async (d: string) => (await t.host.run(['find', d, '-printf', '%P %y %m %s\\n'])).stdout.split('\n').sort().join('\n');
    for (const [params, dir] of [[{ src: path.join(arc, 'app.tgz'), dest: '/srv/app1', owner: 'nobody' }, '/srv/app1'], [{ src: '/root/app.tgz', remote_src: true, dest: '/srv/app2', mode: 'u=rwX,go=rX' }, '/srv/app2']] as const) {
      const before = await listing(dir);
      const plan = await planModule(unarchiveModule, params, { host: t.host, baseDir: arc });
      assert.deepEqual(plan.changes.map((c) => c.property), ['content']);
      assert.equal(await listing(dir), before, '--check wrote nothing');
      const first = await runModule(unarchiveModule, params, { host: t.host, baseDir: arc });
      assert.equal(first.status, 'changed', first.message);
      const second = await runModule(unarchiveModule, params, { host: t.host, baseDir: arc });
      assert.equal(second.status, 'ok', second.message);
    }
    assert.match(await listing('/srv/app1'), /^top\/a\.txt f 644 6$/m);
    assert.equal((await t.host.run(['stat', '-c', '%U', '/srv/app1/top/sub/b.txt'])).stdout.trim(), 'nobody');
    assert.match(await listing('/srv/app2'), /^top\/sub\/b\.txt f 644 8$/m);
    assert.match(await listing('/srv/app2'), /^top\/run\.sh f 755 /m);
    assert.equal((await t.host.run(['sh', '-c', 'ls -d /tmp/converge-unarchive.* 2>/dev/null | wc -l'])).stdout.trim(), '0');
  });
});
