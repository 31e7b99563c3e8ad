// ChrootHost on a tiny real tree: busybox-static plus an /etc that claims to be
// Rocky Linux 9 (only os-release says so; this simulates an image tree).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChrootHost } from '../../src/host/chroot-host.js';
import { connectHost } from '../../src/host/connect.js';
import { runLocal } from '../../src/host/local-host.js';

let tree: string;

before(() => {
  tree = fs.mkdtempSync(path.join(os.tmpdir(), 'cvg-chroot-'));
  for (const d of ['bin', 'etc', 'proc', 'dev', 'tmp', 'root']) fs.mkdirSync(path.join(tree, d));
  fs.copyFileSync('/bin/busybox', path.join(tree, 'bin/busybox'));
  fs.chmodSync(path.join(tree, 'bin/busybox'), 0o755);
  for (const a of ['sh', 'cat', 'ls', 'id', 'uname', 'echo', 'pwd', 'env', 'grep', 'mount', 'touch', 'printf']) {
    fs.symlinkSync('busybox', path.join(tree, 'bin', a));
  }
  fs.writeFileSync(path.join(tree, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nimguser:x:4242:4343::/home/imguser:/bin/sh\n');
  fs.writeFileSync(path.join(tree, 'etc/group'), 'root:x:0:\nimggroup:x:4343:\n');
  fs.writeFileSync(path.join(tree, 'etc/hostname'), 'compute-image\n');
  fs.writeFileSync(path.join(tree, 'etc/os-release'),
    'NAME="Rocky Linux"\nVERSION="9.4 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n');
});

after(() => {
  if (tree) fs.rmSync(tree, { recursive: true, force: true });
});

describe('ChrootHost', () => {
  it('runs commands inside the tree, with /proc and /dev only while the command runs', async () => {
    const h = new ChrootHost('image', tree);
    const r = await h.run(['sh', '-c', 'echo made > /tmp/inside; ls /proc/self/ >/dev/null && echo proc-ok; echo x > /dev/null && echo dev-ok; cat /etc/hostname']);
    assert.equal(r.rc, 0, r.stderr);
    assert.equal(r.stdout, 'proc-ok\ndev-ok\ncompute-image\n');
    assert.equal(fs.readFileSync(path.join(tree, 'tmp/inside'), 'utf8'), 'made\n');
    // Nothing stays mounted on the tree.
    assert.deepEqual(fs.readdirSync(path.join(tree, 'proc')), []);
    assert.deepEqual(fs.readdirSync(path.join(tree, 'dev')), []);
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    assert.equal(mounts.includes(tree), false);
    const cwd = await h.run(['pwd'], { cwd: '/etc', env: { CVG_A: '1' } });
    assert.equal(cwd.stdout, '/etc\n');
    const env = await h.run(['env']);
    assert.match(env.stdout, /^PATH=\/usr\/local\/sbin:/m);
    assert.equal((await h.run(['cat'], { stdin: 'piped' })).stdout, 'piped');
    assert.equal((await h.run(['no-such-cmd'])).rc, 127);
  });

  it('answers accounts from the tree only, and writes files under the tree', async () => {
    const h = new ChrootHost('image', tree);
    assert.equal(await h.uidOf('imguser'), 4242);
    assert.equal(await h.gidOf('imggroup'), 4343);
    assert.equal(await h.userName(4242), 'imguser');
    // A user of the build machine that the image does not have.
    assert.equal(await h.uidOf('daemon'), undefined);
    await h.writeFile('/etc/motd', 'hello\n', { mode: 0o640, owner: 'imguser', group: 'imggroup' });
    const st = fs.statSync(path.join(tree, 'etc/motd'));
    assert.equal(st.uid, 4242);
    assert.equal(st.gid, 4343);
    assert.equal(st.mode & 0o7777, 0o640);
    const hs = await h.stat('/etc/motd');
    assert.deepEqual([hs.type, hs.uid, hs.gid, hs.mode], ['file', 4242, 4343, 0o640]);
    assert.equal((await h.readFile('/etc/motd'))!.toString(), 'hello\n');
    assert.equal(await h.readFile('/etc/nothing'), null);
    await assert.rejects(h.writeFile('/etc/x', 'x', { owner: 'daemon' }), /no such user: daemon/);
    // Absolute link targets are the image's paths, not resolved on the build machine.
    await h.symlink('/etc/motd', '/etc/motd.link');
    assert.equal(fs.readlinkSync(path.join(tree, 'etc/motd.link')), '/etc/motd');
    const inside = await h.run(['cat', '/etc/motd.link']);
    assert.equal(inside.stdout, 'hello\n');
  });

  it('gathers facts from the tree: family from os-release, no running systemd, no interfaces', async () => {
    const f = await new ChrootHost('image', tree).facts();
    assert.equal(f.os_family, 'RedHat');
    assert.equal(f.distribution, 'Rocky');
    assert.equal(f.distribution_major_version, '9');
    assert.equal(f.systemd_running, false);
    assert.equal(f.hostname, 'compute-image');
    assert.deepEqual(f.interfaces, []);
    assert.equal(f.architecture, (await runLocal(['uname', '-m'])).stdout.trim());
  });

  it('is what connectHost gives for ansible_connection: chroot', async () => {
    const h = connectHost('img', { ansible_connection: 'chroot', ansible_chroot_path: tree }, {});
    assert.equal(h.kind, 'chroot');
    assert.equal((await h.run(['cat', '/etc/hostname'])).stdout, 'compute-image\n');
    const viaHost = connectHost(tree, { ansible_connection: 'chroot' }, {});
    assert.equal((viaHost as ChrootHost).tree, tree);
    assert.throws(() => connectHost('img', { ansible_connection: 'chroot', ansible_host: 'relative/dir' }, {}), /absolute/);
    assert.throws(() => connectHost('img', { ansible_connection: 'winrm' }, {}), /not supported/);
    assert.equal(connectHost('localhost', {}, {}).kind, 'local');
    assert.equal(connectHost('localhost', { ansible_host: '10.0.0.1' }, {}).kind, 'ssh');
    assert.equal(connectHost('node1', {}, {}).kind, 'ssh');
  });
});

describe('ChrootHost on a real Debian 12 tree (the test bed cached tree, under a throwaway overlay)', () => {
  let base: string;
  let merged: string;
  before(async () => {
    const { ensureLayer } = await import('../bed/rootfs.js');
    const { debian12Base } = await import('../bed/debian-base.js');
    const lower = await ensureLayer(debian12Base);
    base = fs.mkdtempSync('/var/tmp/cvg-chroot-deb-'); // overlay upper dirs need a real disk, not tmpfs
    for (const d of ['upper', 'work', 'merged']) fs.mkdirSync(path.join(base, d));
    merged = path.join(base, 'merged');
    const r = await runLocal(['mount', '-t', 'overlay', 'overlay', '-o',
      `lowerdir=${lower.join(':')},upperdir=${base}/upper,workdir=${base}/work`, merged]);
    assert.equal(r.rc, 0, r.stderr);
  });
  after(async () => {
    if (merged) await runLocal(['umount', merged]);
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  it('enables a unit offline with systemctl and answers facts and packages from the tree', async () => {
    const h = connectHost('image', { ansible_connection: 'chroot', ansible_chroot_path: merged }, {});
    const f = await h.facts();
    assert.deepEqual([f.os_family, f.distribution_major_version, f.pkg_mgr, f.service_mgr, f.systemd_running],
      ['Debian', '12', 'apt', 'systemd', false]);
    await h.writeFile('/etc/systemd/system/cvg-image.service',
      '[Unit]\nDescription=converge test unit\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n');
    const en = await h.run(['systemctl', 'enable', 'cvg-image.service']);
    assert.equal(en.rc, 0, en.stderr);
    assert.equal(fs.readlinkSync(path.join(merged, 'etc/systemd/system/multi-user.target.wants/cvg-image.service')),
      '/etc/systemd/system/cvg-image.service');
    assert.equal((await h.run(['systemctl', 'is-enabled', 'cvg-image.service'])).stdout.trim(), 'enabled');
    const pkg = await h.run(['dpkg-query', '-W', '-f', '${Status}', 'systemd']);
    assert.equal(pkg.stdout, 'install ok installed');
    // The build machine never saw the unit.
    assert.equal(fs.existsSync('/etc/systemd/system/cvg-image.service'), false);
  });
});
