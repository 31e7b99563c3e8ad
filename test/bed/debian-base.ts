// The debian12 layer: a minbase bookworm with systemd, dbus, iproute2,
// netbase, an OpenSSH server and sudo, plus the bed's users. Every flavor
// starts from this tree. Per-host files (keys, machine-id, hostname) are
// written at `up` into the host's own overlay, never into the cache.

import { rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './proc.js';
import { runInTree } from './layer-build.js';
import type { Layer } from './rootfs.js';

export const DEBIAN_MIRROR = process.env.CONVERGE_TESTBED_MIRROR ?? 'http://deb.debian.org/debian';
export const DEBIAN_SUITE = 'bookworm';

/** A fresh Debian box: what debootstrap minbase lacks for systemd + SSH + sudo. */
export const DEBIAN_BASE_PACKAGES = [
  'systemd', 'systemd-sysv', 'dbus', 'iproute2', 'netbase', 'openssh-server', 'sudo',
  // what an operator's fresh install also has, and tests use
  'procps', 'less', 'curl', 'ca-certificates', 'iputils-ping', 'kmod',
];

/** The non-root login with passwordless sudo, and one whose sudo asks for the password. */
export const BED_USER = 'converge';
export const BED_PASSWORD_SUDO_USER = 'convergepw';
/** Password of both users (for become-with-password tests; sudo of BED_USER never asks for it). */
export const BED_SUDO_PASSWORD = 'converge-bed-sudo';

const CUSTOMIZE = `
useradd -m -s /bin/bash ${BED_USER}
useradd -m -s /bin/bash ${BED_PASSWORD_SUDO_USER}
printf '%s:%s\\n%s:%s\\n' ${BED_USER} ${BED_SUDO_PASSWORD} ${BED_PASSWORD_SUDO_USER} ${BED_SUDO_PASSWORD} | chpasswd
printf '${BED_USER} ALL=(ALL:ALL) NOPASSWD: ALL\\n' > /etc/sudoers.d/${BED_USER}
printf '${BED_PASSWORD_SUDO_USER} ALL=(ALL:ALL) ALL\\n' > /etc/sudoers.d/${BED_PASSWORD_SUDO_USER}
chmod 0440 /etc/sudoers.d/${BED_USER} /etc/sudoers.d/${BED_PASSWORD_SUDO_USER}
rm -f /etc/ssh/ssh_host_*
apt-get update -qq
apt-get clean
`;

/** sshd settings of the bed: one converge connection opens many channels at once. */
const SSHD_DROPIN = `# converge test bed
MaxSessions 100
MaxStartups 100:30:200
UseDNS no
PasswordAuthentication yes
`;

export const debian12Base: Layer = {
  id: 'debian12',
  inputs: { DEBIAN_MIRROR, DEBIAN_SUITE, DEBIAN_BASE_PACKAGES, CUSTOMIZE, SSHD_DROPIN },
  async build(dir, _merged, log) {
    await runOk(['debootstrap', '--variant=minbase', `--include=${DEBIAN_BASE_PACKAGES.join(',')}`,
      DEBIAN_SUITE, dir, DEBIAN_MIRROR], { onOutput: (s) => { if (/^E:|^W:/m.test(s)) log(s); } });
    writeFileSync(join(dir, 'etc/apt/sources.list'), `deb ${DEBIAN_MIRROR} ${DEBIAN_SUITE} main\n`);
    writeFileSync(join(dir, 'etc/ssh/sshd_config.d/converge-bed.conf'), SSHD_DROPIN);
    await runInTree(dir, CUSTOMIZE, log);
    // debootstrap's downloads and logs are not part of a fresh box
    for (const f of readdirSync(join(dir, 'var/cache/apt/archives'))) if (f.endsWith('.deb')) rmSync(join(dir, 'var/cache/apt/archives', f));
    rmSync(join(dir, 'debootstrap'), { recursive: true, force: true });
  },
};
