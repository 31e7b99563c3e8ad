// playbooks/headnode.yaml on SHAPED Rocky Linux 8/9/10 and openSUSE Leap 15.6
// hosts, converged over SSH: Debian 12 containers with the distribution's
// os-release, its package manager (dnf or zypper) and a local repository of
// RPMs laid out like the real packages (unit names, config and sysconfig
// paths), wrapping Debian-built daemons. What this cannot prove (real RPM
// scriptlets, SELinux, the real dhcpd/kea unit types, the kernel NFS server,
// real firmware) is listed in the README's support matrix.
//
// Each flavor comes up once and runs its checks in order; the drift and
// invalid-configuration cases run on rocky9 and suse15. CONVERGE_SHAPED_FLAVORS
// (comma-separated) picks a subset while working on one family;
// CONVERGE_SHAPED_CONCURRENCY=2 runs two flavors at once.

import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { downHost, pxeBoot, upHost } from '../bed/index.js';
import {
  converge, describeRun, dhcpProbe, fetchPrivate, HEADNODE_IP, NODES, tasksOf, withStatus, type HeadnodeBed,
} from './fixture.js';
import { prepareShapedHeadnode, SHAPED, writeShapedInventory, type ShapedExpect } from './shaped-fixture.js';
import { addHeadnodeShapedPackages } from './shaped-packages.js';
import { dhcpNameService, digPrivate } from './dns-probe.js';

const BANNER = 'converge failsafe image';
const TREE = '/var/lib/converge-headnode/compute-tree';
const DHCP_TASK = 'DHCP server configuration (checked by the server before it is installed)';
/** Records unknown_clients among other things, for `converge nodes`. */
const BOOT_SOURCES_TASK = 'Where the boot services log (read by converge nodes)';
const ALL = ['rocky9', 'suse15', 'rocky8', 'rocky10'] as const;
const FLAVORS = (process.env.CONVERGE_SHAPED_FLAVORS?.split(',').map((s) => s.trim()) ?? [...ALL]) as Array<(typeof ALL)[number]>;
const WITH_DRIFT = new Set(['rocky9', 'suse15']);

const started = Date.now();
process.on('exit', () => process.stderr.write(`# shaped head-node tests: ${((Date.now() - started) / 1000).toFixed(0)} s for ${FLAVORS.join(', ')}\n`));

/** The packages of the compute tree and the repository each came from, as its package manager recorded it. */
async function treeOrigins(bed: HeadnodeBed, x: ShapedExpect): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (x.manager === 'dnf') {
    const r = await bed.host.execOk(['dnf', '-q', `--installroot=${TREE}`, '--disablerepo=*', 'repoquery', '--installed', '--qf', '%{name} %{from_repo}']);
    for (const line of r.stdout.trim().split('\n')) {
      const [name, repo] = line.split(' ');
      if (name) out.set(name, repo ?? '');
    }
  } else {
    // zypper's history in the tree: install|NAME|VERSION|ARCH|USER|REPO_ALIAS|...
    const hist = readFileSync(path.join(bed.host.rootDir, TREE, 'var/log/zypp/history'), 'utf8');
    for (const line of hist.split('\n')) {
      const f = line.split('|');
      if (f[1] === 'install') out.set(f[2], f[6]);
    }
  }
  return out;
}

/** The DHCP server serves the private interface only, in the family's own way. */
async function assertDhcpPrivateOnly(bed: HeadnodeBed, x: ShapedExpect): Promise<void> {
  const h = bed.host;
  const conf = readFileSync(path.join(h.rootDir, x.dhcpConfig), 'utf8');
  if (x.dhcpUnit === 'kea-dhcp4') {
    assert.match(conf, /"interfaces": \[ "eth1" \]/, 'Kea serves eth1 only');
    const t = await h.exec(['kea-dhcp4', '-t', x.dhcpConfig]);
    assert.equal(t.rc, 0, `kea-dhcp4 -t of the installed config: ${t.stdout}${t.stderr}`);
    return;
  }
  const sysconfig = readFileSync(path.join(h.rootDir, 'etc/sysconfig/dhcpd'), 'utf8');
  assert.match(sysconfig, x.manager === 'zypper' ? /^DHCPD_INTERFACE="eth1"$/m : /^DHCPDARGS="eth1"$/m);
  if (x.manager === 'zypper') assert.match(sysconfig, /^DHCPD_RUN_CHROOTED="yes"$/m);
  // The unit's main process is dhcpd itself (the wrappers exec it); its
  // command line ends with the interfaces it serves.
  const main = (await h.execOk(['systemctl', 'show', '-p', 'MainPID', '--value', x.dhcpUnit])).stdout.trim();
  const argv = (await h.execOk(['cat', `/proc/${main}/cmdline`])).stdout.split('\0').join(' ').trim();
  assert.match(argv, /dhcpd .*\seth1$/, `dhcpd's command line ends with the private interface: ${argv}`);
}

// Flavors one after the other by default (CI shares two cores); 2 runs two
// hosts at once on a machine with cores to spare.
const CONCURRENCY = Number(process.env.CONVERGE_SHAPED_CONCURRENCY ?? '1');

describe('headnode playbook on SHAPED Rocky and SUSE hosts', { concurrency: CONCURRENCY }, () => {
  for (const flavor of FLAVORS) {
    const x = SHAPED[flavor];
    const drift = WITH_DRIFT.has(flavor);
    describe(`headnode playbook on ${flavor} (SHAPED: Debian 12 with ${flavor}'s os-release, ${x.manager} and package layout; over SSH)`, { timeout: 40 * 60_000 }, () => {
      let bed: HeadnodeBed;
      let predicted: string[] = [];
      let converged = false;
      let imageStamp = '';

      before(async () => {
        const h = await upHost(flavor);
        const extra = await addHeadnodeShapedPackages(h);
        bed = await prepareShapedHeadnode(h);
        process.stderr.write(`# ${flavor} head node: ${h.name} (extra SHAPED packages: ${extra.join(' ')})\n`);
      });

      after(async () => {
        if (!bed) return;
        await downHost(bed.host.name);
        rmSync(bed.tmp, { recursive: true, force: true });
      });

      // dnf's and zypper's check-mode paths are the same on every version of a
      // family: the fresh --check runs where the drift cases run.
      if (drift) test('--check on a fresh host predicts the run without a failed task', async () => {
        const r = await converge(bed, ['--check']);
        assert.deepEqual(withStatus(r, bed, 'failed'), [], describeRun(r, bed));
        assert.equal(r.rc, 0, describeRun(r, bed));
        predicted = withStatus(r, bed, 'changed');
        assert.ok(predicted.includes('Head node packages'), predicted.join('\n'));
        assert.ok(predicted.includes(DHCP_TASK), 'the DHCP config is validated and predicted in --check');
        assert.notEqual((await bed.host.exec(['test', '-e', x.dhcpConfig])).rc, 0, `${x.dhcpConfig} exists after --check`);
      });

      test('a fresh host converges; services active and enabled; DHCP on the private interface only; the compute tree from the stated repository', async (t) => {
        const r = await converge(bed);
        t.diagnostic(`${flavor} first run: ${(r.wallMs / 1000).toFixed(1)} s wall`);
        assert.equal(r.rc, 0, describeRun(r, bed));
        assert.deepEqual(withStatus(r, bed, 'failed'), []);
        if (drift) {
          const unpredicted = withStatus(r, bed, 'changed').filter((c) => !predicted.includes(c));
          assert.deepEqual(unpredicted, [], 'changed in the run but not predicted by --check');
        }
        const h = bed.host;
        for (const unit of x.units) {
          assert.equal((await h.exec(['systemctl', 'is-active', unit])).stdout.trim(), 'active', `${unit} active`);
          assert.equal((await h.exec(['systemctl', 'is-enabled', unit])).stdout.trim(), 'enabled', `${unit} enabled`);
        }
        await assertDhcpPrivateOnly(bed, x);
        // The family's BIND serves the cluster's zones on the private address (named.conf and zones at the family's paths).
        assert.equal((await digPrivate(h, HEADNODE_IP, [`${NODES.compute.name}.cluster`])).stdout.trim(), NODES.compute.ip);
        assert.equal((await digPrivate(h, HEADNODE_IP, ['-x', NODES.failsafe.ip])).stdout.trim(), `${NODES.failsafe.name}.cluster.`);
        const zoneDir = x.manager === 'zypper' ? 'var/lib/named/master' : 'var/named';
        assert.match(readFileSync(path.join(h.rootDir, zoneDir, 'cluster.zone'), 'utf8'), new RegExp(`^${NODES.compute.name}\\tIN\\tA\\t${NODES.compute.ip.replace(/\./g, '\\.')}$`, 'm'));
        assert.match(readFileSync(path.join(h.rootDir, 'etc/named.conf'), 'utf8'), new RegExp(`listen-on port 53 \\{ ${HEADNODE_IP.replace(/\./g, '\\.')}; \\};`));
        if (flavor === 'suse15') {
          assert.match(readFileSync(path.join(h.rootDir, 'etc/sysconfig/tftp'), 'utf8'), /^TFTP_DIRECTORY="\/srv\/tftpboot"$/m);
          assert.match(readFileSync(path.join(h.rootDir, 'etc/sysconfig/nfs'), 'utf8'), /^NFS4_SUPPORT="yes"$/m);
        }
        // The compute tree: the flavor's own release, every package from the
        // repository the inventory states, nothing written into the tree's repos.d.
        const osRelease = readFileSync(path.join(h.rootDir, TREE, 'etc/os-release'), 'utf8');
        assert.match(osRelease, flavor === 'suse15' ? /^ID="opensuse-leap"$/m : /^ID="rocky"$/m);
        const origins = await treeOrigins(bed, x);
        for (const p of ['systemd', 'openssh-server', flavor === 'suse15' ? 'kernel-default' : 'kernel-core']) assert.ok(origins.has(p), `${p} in the tree (${[...origins.keys()].join(' ')})`);
        const expectedRepo = x.manager === 'dnf' ? /^compute-image-shaped$/ : /^~plus-repo-\d+$/;
        for (const [name, repo] of origins) assert.match(repo, expectedRepo, `${name} came from ${repo}`);
        const reposDir = x.manager === 'dnf' ? 'etc/yum.repos.d' : 'etc/zypp/repos.d';
        assert.deepEqual((await h.execOk(['ls', '-A', path.join(TREE, reposDir)])).stdout.trim(), '', 'no repository configured inside the tree');
        // nginx serves the node scripts on the private address.
        const script = await fetchPrivate(h, `http://${HEADNODE_IP}/nodes/${NODES.failsafe.name}.ipxe`);
        assert.ok(script.equals(readFileSync(path.join(h.rootDir, x.bootRoot, 'nodes', `${NODES.failsafe.name}.ipxe`))), 'node script over HTTP');
        imageStamp = (await h.execOk(['sh', '-c', `stat -c '%n %i %Y' ${x.bootRoot}/images/*/initrd.img ${TREE}/var/lib/rpm`])).stdout;
        converged = true;
      });

      test('a second run changes nothing and rebuilds no image; --check predicts nothing', async (t) => {
        assert.ok(converged, 'needs the converged host of the previous test');
        const r = await converge(bed);
        t.diagnostic(`${flavor} second run: ${(r.wallMs / 1000).toFixed(1)} s wall`);
        assert.equal(r.rc, 0, describeRun(r, bed));
        assert.deepEqual(withStatus(r, bed, 'changed'), []);
        assert.deepEqual(withStatus(r, bed, 'changed', true), [], 'no handler runs');
        const tree = tasksOf(r, bed).find((e) => e.name === 'Compute tree packages');
        assert.equal(tree?.status, 'ok', 'the compute tree is not reinstalled');
        const stamp = (await bed.host.execOk(['sh', '-c', `stat -c '%n %i %Y' ${x.bootRoot}/images/*/initrd.img ${TREE}/var/lib/rpm`])).stdout;
        assert.equal(stamp, imageStamp, 'images and the tree\'s package database are untouched');
        const c = await converge(bed, ['--check']);
        assert.equal(c.rc, 0, describeRun(c, bed));
        assert.deepEqual(withStatus(c, bed, 'changed'), []);
        assert.deepEqual(withStatus(c, bed, 'failed'), []);
      });

      test('DHCP hands out the boot file by firmware, nothing to unknown clients; TFTP serves the package\'s iPXE', async () => {
        assert.ok(converged);
        const h = bed.host;
        assert.deepEqual(await dhcpProbe(h, NODES.failsafe.mac), { bound: true, ip: NODES.failsafe.ip, siaddr: HEADNODE_IP, bootFile: 'undionly.kpxe' });
        assert.deepEqual(await dhcpProbe(h, NODES.compute.mac, { arch: 7 }), { bound: true, ip: NODES.compute.ip, siaddr: HEADNODE_IP, bootFile: 'ipxe.efi' });
        assert.equal((await dhcpProbe(h, NODES.compute.mac, { ipxe: true })).bootFile, `http://${HEADNODE_IP}/nodes/${NODES.compute.name}.ipxe`);
        const unknown = await dhcpProbe(h, '52:54:00:c0:ff:ee', { ipxe: true });
        assert.equal(unknown.bound, true, 'unknown clients get an address from the dynamic range');
        assert.equal(unknown.bootFile, undefined, 'no boot file for an unknown client (unknown_clients: deny)');
        assert.equal(unknown.siaddr, undefined, 'no next-server for an unknown client');
        const served = await fetchPrivate(h, `tftp://${HEADNODE_IP}/undionly.kpxe`);
        assert.ok(served.equals(readFileSync(path.join(h.rootDir, x.ipxeBios))), 'undionly.kpxe over TFTP is the iPXE package\'s');
        // The lease names the head node as the name server, with the cluster's domain (dhcpd's options, or Kea's option-data).
        assert.deepEqual(await dhcpNameService(h, NODES.compute.mac), { dns: HEADNODE_IP, domain: 'cluster' });
      });

      test('node-000 PXE-boots the failsafe image (BIOS)', async (t) => {
        assert.ok(converged);
        const r = await pxeBoot(bed.host.name, { mac: NODES.failsafe.mac, expect: BANNER, timeoutS: 240 });
        t.diagnostic(`${flavor} BIOS boot to the banner: ${r.seconds.toFixed(1)} s`);
      });

      if (x.dhcpUnit === 'kea-dhcp4') {
        test('unknown_clients: failsafe gives a Kea configuration that kea-dhcp4 -t accepts (--check validates it)', async () => {
          assert.ok(converged);
          const c = await converge(bed, ['--check', '-e', 'unknown_clients=failsafe']);
          assert.equal(c.rc, 0, describeRun(c, bed));
          assert.deepEqual(withStatus(c, bed, 'failed'), []);
          assert.deepEqual(withStatus(c, bed, 'changed'), [DHCP_TASK, BOOT_SOURCES_TASK], 'only the DHCP configuration and what converge nodes reads would change');
        });
      }

      if (!drift) return;

      test('drift: exactly the four drifted things are reported, then corrected; node-000 boots again', async () => {
        assert.ok(converged);
        const h = bed.host;
        await h.execOk(['sh', '-c', `echo "# drift-marker-4711" >> ${x.dhcpConfig}`]);
        await h.execOk(['systemctl', 'stop', 'nginx']);
        await h.execOk(['firewall-cmd', '--permanent', '--zone=cluster', '--remove-service=http']);
        await h.execOk(['firewall-cmd', '--zone=cluster', '--remove-service=http']);
        const image = (await h.execOk(['sh', '-c', `ls -d ${x.bootRoot}/images/failsafe-*/initrd.img`])).stdout.trim();
        await h.execOk(['chmod', '0600', image]);
        const expected = [
          DHCP_TASK,
          'Images are world-readable and owned by root (nginx and tftpd serve them)',
          'The cluster zone allows the boot and file services',
          'nginx runs and starts at boot',
        ];
        const c = await converge(bed, ['--check']);
        assert.equal(c.rc, 0, describeRun(c, bed));
        assert.deepEqual(withStatus(c, bed, 'changed').sort(), expected);
        assert.deepEqual(withStatus(c, bed, 'failed'), []);
        const r = await converge(bed);
        assert.equal(r.rc, 0, describeRun(r, bed));
        assert.deepEqual(withStatus(r, bed, 'changed').sort(), expected);
        assert.deepEqual(withStatus(r, bed, 'changed', true), ['restart dhcp server'], 'only the DHCP server restarts (its configuration changed)');
        assert.equal((await h.exec(['systemctl', 'is-active', 'nginx'])).stdout.trim(), 'active');
        assert.equal((await h.exec(['grep', '-c', 'drift-marker-4711', x.dhcpConfig])).stdout.trim(), '0');
        assert.match((await h.execOk(['firewall-cmd', '--zone=cluster', '--list-services'])).stdout, /\bhttp\b/);
        assert.equal((await h.execOk(['stat', '-c', '%a', image])).stdout.trim(), '644');
        await pxeBoot(h.name, { mac: NODES.failsafe.mac, expect: BANNER, timeoutS: 240 });
      });

      test('an inventory change that breaks the DHCP config fails at validation; the old config and the server stay', async () => {
        assert.ok(converged);
        const h = bed.host;
        const before = readFileSync(path.join(h.rootDir, x.dhcpConfig));
        const pidBefore = (await h.execOk(['systemctl', 'show', '-p', 'MainPID', '--value', x.dhcpUnit])).stdout.trim();
        // A valid MAC and address (schema and checks pass), but a host name
        // dhcpd cannot parse in a host declaration.
        const broken = writeShapedInventory(path.join(bed.tmp, 'inventory-broken'), h, readFileSync(bed.nodeKey + '.pub', 'utf8').trim(),
          { 'node@002': { mac: 'fc:ab:14:e8:66:03', ip: '192.168.0.102' } });
        const r = await converge(bed, [], broken);
        assert.notEqual(r.rc, 0, 'the run must fail');
        const failed = tasksOf(r, bed).filter((e) => e.status === 'failed');
        assert.deepEqual(failed.map((e) => e.name), [DHCP_TASK], describeRun(r, bed));
        assert.match(failed[0].message ?? '', /expecting left brace/, 'dhcpd\'s own message is shown');
        assert.ok(readFileSync(path.join(h.rootDir, x.dhcpConfig)).equals(before), `${x.dhcpConfig} changed`);
        assert.equal((await h.exec(['systemctl', 'is-active', x.dhcpUnit])).stdout.trim(), 'active');
        const pidAfter = (await h.execOk(['systemctl', 'show', '-p', 'MainPID', '--value', x.dhcpUnit])).stdout.trim();
        assert.equal(pidAfter, pidBefore, 'the DHCP server was restarted');
      });
    });
  }
});
