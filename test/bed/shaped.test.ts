// Tests of the SHAPED flavors (Debian 12 underneath, shaped like Rocky Linux
// 8/9/10 and openSUSE Leap 15.6): each comes up with SSH and systemd, reports
// its distribution's os-release, has no DHCP server until its package
// manager installs the shaped package, after which the real (Debian-built)
// daemon runs under the distribution's unit name and offers leases on the
// private network.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { downHost, upHost, type BedHost } from './index.js';
import { run } from './proc.js';
import { sshRun } from './ssh-probe.js';

async function dhcpOfferSeen(h: BedHost): Promise<boolean> {
  const r = await run(['ip', 'netns', 'exec', h.switchNetns, 'udhcpc', '-f', '-q', '-n', '-t', '3', '-T', '1', '-i', h.bridge, '-s', '/bin/true']);
  return r.rc === 0;
}

interface Case {
  flavor: string;
  osId: string;
  versionId: string;
  install: string;
  unit: string;
  configure: string;
}

const ISC_SUBNET = 'subnet 192.168.64.0 netmask 255.255.255.0 { range 192.168.64.10 192.168.64.20; }';
const KEA_CONF = JSON.stringify({ Dhcp4: {
  'interfaces-config': { interfaces: ['eth1'] },
  'lease-database': { type: 'memfile', persist: true, name: '/var/lib/kea/kea-leases4.csv' },
  subnet4: [{ id: 1, subnet: '192.168.64.0/24', pools: [{ pool: '192.168.64.10 - 192.168.64.20' }] }],
} });

const CASES: Case[] = [
  { flavor: 'rocky8', osId: 'rocky', versionId: '8.10', install: 'dnf -y -q install dhcp-server', unit: 'dhcpd',
    configure: `test -f /etc/sysconfig/dhcpd && echo '${ISC_SUBNET}' >> /etc/dhcp/dhcpd.conf && dhcpd -t -cf /etc/dhcp/dhcpd.conf` },
  { flavor: 'rocky9', osId: 'rocky', versionId: '9.6', install: 'dnf -y -q install dhcp-server', unit: 'dhcpd',
    configure: `echo '${ISC_SUBNET}' >> /etc/dhcp/dhcpd.conf && dhcpd -t -cf /etc/dhcp/dhcpd.conf` },
  { flavor: 'rocky10', osId: 'rocky', versionId: '10.0', install: 'dnf -y -q install kea', unit: 'kea-dhcp4',
    configure: `echo '${KEA_CONF}' > /etc/kea/kea-dhcp4.conf && kea-dhcp4 -t /etc/kea/kea-dhcp4.conf >/dev/null` },
  { flavor: 'suse15', osId: 'opensuse-leap', versionId: '15.6', install: 'zypper --non-interactive --quiet install dhcp-server', unit: 'dhcpd',
    configure: `echo '${ISC_SUBNET}' >> /etc/dhcpd.conf && sed -i 's/^DHCPD_INTERFACE=.*/DHCPD_INTERFACE="eth1"/' /etc/sysconfig/dhcpd` },
];

for (const c of CASES) {
  describe(`test bed: ${c.flavor} (SHAPED: Debian 12 with ${c.osId} ${c.versionId}'s os-release, package manager and package layout)`, () => {
    let h: BedHost;
    before(async () => { h = await upHost(c.flavor); });
    after(() => downHost(h.name));

    it('answers SSH as the sudo user and reports the shaped os-release', async () => {
      const r = await sshRun(h.sshConfig, 'sudo -n cat /etc/os-release');
      assert.match(r.stdout, new RegExp(`^ID="?${c.osId}"?$`, 'm'));
      assert.match(r.stdout, new RegExp(`^VERSION_ID="${c.versionId}"$`, 'm'));
      assert.match(r.stdout, /CONVERGE_TESTBED_SHAPED/);
    });

    it('runs systemd', async () => {
      const s = await h.exec(['systemctl', 'is-system-running', '--wait']);
      assert.match(s.stdout, /^(running|degraded)/);
    });

    it(`has no ${c.unit} unit and no DHCP offers before the package is installed`, async () => {
      const cat = await h.exec(['systemctl', 'cat', `${c.unit}.service`]);
      assert.notEqual(cat.rc, 0, cat.stdout);
      assert.equal(await dhcpOfferSeen(h), false);
    });

    it(`installs the DHCP server with its package manager; ${c.unit}.service then serves the private network`, async () => {
      const inst = await h.exec(['sh', '-c', c.install]);
      assert.equal(inst.rc, 0, inst.stderr + inst.stdout);
      await h.execOk(['ip', 'addr', 'add', '192.168.64.1/24', 'dev', h.privateInterface]);
      const conf = await h.exec(['sh', '-c', c.configure]);
      assert.equal(conf.rc, 0, conf.stderr + conf.stdout);
      const start = await h.exec(['systemctl', 'start', `${c.unit}.service`]);
      assert.equal(start.rc, 0, start.stderr);
      assert.equal(await dhcpOfferSeen(h), true);
    });
  });
}

describe('test bed: SHAPED services and compute-image repository (dnf --installroot, zypper --root)', () => {
  let rocky: BedHost;
  let suse: BedHost;
  before(async () => { [rocky, suse] = await Promise.all([upHost('rocky9'), upHost('suse15')]); });
  after(async () => { await downHost(rocky.name); await downHost(suse.name); });

  it('dnf --installroot builds a minimal image tree that runs a shell', async () => {
    await rocky.execOk(['dnf', '-y', '-q', '--installroot=/srv/img', '--releasever=9', '--repo=converge-bed', 'install', 'filesystem', 'setup', 'bash', 'coreutils', 'systemd']);
    const r = await rocky.execOk(['chroot', '/srv/img', '/bin/bash', '-c', 'echo image-ok; ls /etc/passwd']);
    assert.match(r.stdout, /image-ok\n\/etc\/passwd/);
    const q = await rocky.execOk(['rpm', '--root=/srv/img', '-q', 'systemd']);
    assert.match(q.stdout, /^systemd-/);
  });

  it('the other shaped services run under their distributions\' unit names (rocky9: tftp, nginx, NFS, firewalld)', async () => {
    await rocky.execOk(['dnf', '-y', '-q', 'install', 'tftp-server', 'nginx', 'nfs-utils', 'firewalld']);
    await rocky.execOk(['sh', '-c', 'echo tftp-ok > /var/lib/tftpboot/probe && echo "/srv *(ro,no_subtree_check)" > /etc/exports']);
    await rocky.execOk(['systemctl', 'start', 'tftp.socket', 'nginx.service', 'nfs-server.service', 'firewalld.service']);
    assert.equal((await rocky.execOk(['curl', '-sS', 'tftp://127.0.0.1/probe'])).stdout.trim(), 'tftp-ok');
    assert.match((await rocky.execOk(['curl', '-sS', 'http://127.0.0.1/'])).stdout, /SHAPED Rocky/);
    assert.match((await rocky.execOk(['ss', '-ltn'])).stdout, /:2049\b/);
    assert.equal((await rocky.execOk(['firewall-cmd', '--state'])).stdout.trim(), 'running');
  });

  it('zypper --root builds the same', async () => {
    await suse.execOk(['sh', '-c', 'zypper --root /srv/img --non-interactive ar -G file:///var/lib/converge-bed/repo local >/dev/null && ' +
      'zypper --root /srv/img --non-interactive --quiet install filesystem setup bash coreutils']);
    const r = await suse.execOk(['chroot', '/srv/img', '/bin/sh', '-c', 'echo image-ok']);
    assert.equal(r.stdout.trim(), 'image-ok');
    const again = await suse.exec(['zypper', '--root', '/srv/img', '--non-interactive', 'ar', '-G', 'file:///var/lib/converge-bed/repo', 'local']);
    assert.equal(again.rc, 4, 'zypper ar of an existing alias exits 4, as on SUSE');
  });
});
