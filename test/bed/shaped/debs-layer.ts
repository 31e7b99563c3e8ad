// The layer under every SHAPED flavor: the debian12 tree plus the Debian
// builds of the daemons the shaped RPMs wrap, and rpm. Installed with apt
// here, then hidden by each flavor layer (see hide.ts) so that the shaped
// distribution sees them only after `dnf install` / `zypper install` of the
// matching RPM.

import { debian12Base } from '../debian-base.js';
import { runInTree } from '../layer-build.js';
import type { Layer } from '../rootfs.js';

/** Debian packages whose programs the shaped RPMs wrap. */
export const WRAPPED_DEBS = [
  'isc-dhcp-server', 'tftpd-hpa', 'nginx', 'kea-dhcp4-server', 'firewalld',
  'nfs-kernel-server', 'nfs-ganesha', 'nfs-ganesha-vfs', 'python3',
  // nft: the real distributions have it (firewalld's nftables backend does not need the command)
  'nftables',
  // named, named-checkconf and named-checkzone for the shaped bind and bind-utils
  'bind9', 'bind9-utils',
];

const INSTALL = `
apt-get install -y -q --no-install-recommends ${WRAPPED_DEBS.join(' ')} rpm
apt-get clean
`;

export const shapedDebsLayer: Layer = {
  id: 'shaped-debs',
  parent: debian12Base,
  inputs: { WRAPPED_DEBS, INSTALL },
  async build(_dir, merged, log) {
    await runInTree(merged, INSTALL, log);
  },
};
