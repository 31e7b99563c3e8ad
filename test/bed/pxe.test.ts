// The PXE demo: real isc-dhcp-server, tftpd-hpa and nginx (installed with apt
// inside a debian12 bed host and started by hand with systemd-run) serve iPXE
// a script that boots the bed's kernel and busybox initramfs in a qemu VM on
// the host's private network; the initramfs prints a marker carrying a token
// that only the served script contains.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downHost, ensurePxeAssets, pxeBoot, PXE_MARKER, upHost, type BedHost } from './index.js';
import { run } from './proc.js';

const NET = '192.168.60';

const DHCPD_CONF = `option client-arch code 93 = unsigned integer 16;
default-lease-time 600;
max-lease-time 600;
authoritative;
subnet ${NET}.0 netmask 255.255.255.0 {
  range ${NET}.100 ${NET}.200;
  next-server ${NET}.1;
  if exists user-class and option user-class = "iPXE" {
    filename "boot.ipxe";
  } elsif option client-arch = 7 or option client-arch = 9 {
    filename "ipxe.efi";
  } else {
    filename "undionly.kpxe";
  }
}
`;

const NGINX_CONF = `daemon off;
worker_processes 1;
pid /run/demo-nginx.pid;
events { worker_connections 64; }
http {
  access_log /var/log/nginx/demo-access.log;
  server { listen ${NET}.1:80; root /srv/demo-www; }
}
`;

async function dhcpOfferSeen(h: BedHost): Promise<boolean> {
  const r = await run(['ip', 'netns', 'exec', h.switchNetns, 'udhcpc', '-f', '-q', '-n', '-t', '3', '-T', '1', '-i', h.bridge, '-s', '/bin/true']);
  return r.rc === 0;
}

describe('test bed: PXE demo (dhcpd + tftpd + nginx by hand in a debian12 host)', () => {
  let h: BedHost;
  const token = `demo-${randomBytes(4).toString('hex')}`;
  before(async () => {
    const [host, assets] = await Promise.all([upHost('debian12'), ensurePxeAssets()]);
    h = host;
    // packages only: a policy-rc.d keeps the Debian units from starting on install
    const install = await h.exec(['sh', '-c', 'printf "#!/bin/sh\\nexit 101\\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && ' +
      'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends isc-dhcp-server tftpd-hpa nginx && rm /usr/sbin/policy-rc.d']);
    assert.equal(install.rc, 0, install.stderr + install.stdout);
    const r = h.rootDir;
    for (const d of ['srv/demo-tftp', 'srv/demo-www']) mkdirSync(join(r, d), { recursive: true });
    copyFileSync(assets.undionly, join(r, 'srv/demo-tftp/undionly.kpxe'));
    copyFileSync(assets.ipxeEfi, join(r, 'srv/demo-tftp/ipxe.efi'));
    writeFileSync(join(r, 'srv/demo-tftp/boot.ipxe'), `#!ipxe\nkernel http://${NET}.1/vmlinuz initrd=initrd.gz console=ttyS0 quiet bedmarker=${token}\ninitrd http://${NET}.1/initrd.gz\nboot\n`);
    copyFileSync(assets.kernel, join(r, 'srv/demo-www/vmlinuz'));
    copyFileSync(assets.initrd, join(r, 'srv/demo-www/initrd.gz'));
    writeFileSync(join(r, 'etc/dhcp/demo.conf'), DHCPD_CONF);
    writeFileSync(join(r, 'etc/nginx/demo.conf'), NGINX_CONF);
    await h.execOk(['ip', 'addr', 'add', `${NET}.1/24`, 'dev', h.privateInterface]);
    await h.execOk(['dhcpd', '-t', '-cf', '/etc/dhcp/demo.conf']);
    await h.execOk(['touch', '/var/lib/dhcp/demo.leases']);
    await h.execOk(['systemd-run', '--unit=demo-dhcpd', 'dhcpd', '-4', '-f', '-d', '-cf', '/etc/dhcp/demo.conf',
      '-lf', '/var/lib/dhcp/demo.leases', '-pf', '/run/demo-dhcpd.pid', h.privateInterface]);
    await h.execOk(['systemd-run', '--unit=demo-tftpd', 'in.tftpd', '-L', '-s', '-a', `${NET}.1:69`, '/srv/demo-tftp']);
    await h.execOk(['systemd-run', '--unit=demo-nginx', 'nginx', '-e', 'stderr', '-c', '/etc/nginx/demo.conf']);
  });
  after(() => downHost(h.name));

  it('the private network now carries DHCP offers (the probe the bed tests rely on can see one)', async () => {
    assert.equal(await dhcpOfferSeen(h), true);
  });

  it('a BIOS VM PXE-boots the served kernel and initramfs', async () => {
    const r = await pxeBoot(h.name, { mac: '52:54:00:c0:be:01', expect: `${PXE_MARKER} ${token}`, timeoutS: 240 });
    assert.equal(r.ok, true);
  });

  it('a UEFI VM (OVMF) PXE-boots the same kernel', async () => {
    const r = await pxeBoot(h.name, { mac: '52:54:00:c0:be:03', uefi: true, expect: `${PXE_MARKER} ${token}`, timeoutS: 300 });
    assert.equal(r.ok, true);
  });

  it('fails with the console tail when the text never appears', async () => {
    await assert.rejects(pxeBoot(h.name, { mac: '52:54:00:c0:be:02', expect: 'TEXT-THAT-NEVER-APPEARS', timeoutS: 4 }),
      /not seen|exited.*before.*serial console/s);
  });
});
