// A SHAPED test-bed host (Debian 12 underneath, shaped like Rocky Linux
// 8/9/10 or openSUSE Leap 15.6: os-release, dnf/zypper, a local repository of
// RPMs laid out like the real packages) prepared to become the head node.
//
// What differs from the debian12 fixture (fixture.ts), and why:
// - nfs_server stays `kernel`: the shaped nfs-utils / nfs-kernel-server
//   packages provide the distribution's nfs-server.service and exportfs
//   (NFS-Ganesha underneath, NFSv4 only), so the playbook takes the same
//   path as on a real Rocky or SUSE box.
// - The compute tree is built for real from the flavor's local repository,
//   named explicitly in the inventory (compute_image_repos), never inherited
//   from the host's repository configuration. Its packages are unsigned
//   (compute_image_gpg_check: false). A shaped build takes seconds, so there
//   is no seed cache.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { SHAPED_REPO, type BedHost } from '../bed/index.js';
import { runOk } from '../bed/proc.js';
import { HEADNODE_IP, writeInventory, type HeadnodeBed } from './fixture.js';

/** What each shaped flavor's head node runs, by the distribution's unit names. */
export interface ShapedExpect {
  flavor: 'rocky8' | 'rocky9' | 'rocky10' | 'suse15';
  dhcpUnit: string;
  dhcpConfig: string;
  units: string[];
  bootRoot: string;
  /** The iPXE BIOS binary as the distribution's package installs it. */
  ipxeBios: string;
  manager: 'dnf' | 'zypper';
}

export const SHAPED: Record<ShapedExpect['flavor'], ShapedExpect> = {
  rocky8: { flavor: 'rocky8', dhcpUnit: 'dhcpd', dhcpConfig: '/etc/dhcp/dhcpd.conf', units: ['dhcpd', 'tftp.socket', 'nginx', 'nfs-server', 'firewalld', 'named'], bootRoot: '/var/lib/tftpboot', ipxeBios: '/usr/share/ipxe/undionly.kpxe', manager: 'dnf' },
  rocky9: { flavor: 'rocky9', dhcpUnit: 'dhcpd', dhcpConfig: '/etc/dhcp/dhcpd.conf', units: ['dhcpd', 'tftp.socket', 'nginx', 'nfs-server', 'firewalld', 'named'], bootRoot: '/var/lib/tftpboot', ipxeBios: '/usr/share/ipxe/undionly.kpxe', manager: 'dnf' },
  rocky10: { flavor: 'rocky10', dhcpUnit: 'kea-dhcp4', dhcpConfig: '/etc/kea/kea-dhcp4.conf', units: ['kea-dhcp4', 'tftp.socket', 'nginx', 'nfs-server', 'firewalld', 'named'], bootRoot: '/var/lib/tftpboot', ipxeBios: '/usr/share/ipxe/undionly.kpxe', manager: 'dnf' },
  suse15: { flavor: 'suse15', dhcpUnit: 'dhcpd', dhcpConfig: '/etc/dhcpd.conf', units: ['dhcpd', 'tftp.socket', 'nginx', 'nfs-server', 'firewalld', 'named'], bootRoot: '/srv/tftpboot', ipxeBios: '/usr/share/ipxe/undionly.kpxe', manager: 'zypper' },
};

/** Inventory variables of a shaped head node (group_vars/all/95-shaped.yml, over the bed's). */
export function shapedVars(flavor: string): Record<string, unknown> {
  return {
    nfs_server: 'kernel',
    compute_image_repos: [{ name: 'compute-image-shaped', url: `file://${SHAPED_REPO}` }],
    compute_image_gpg_check: false,
    // SHAPED: the flavor's repository has the image's core packages, not the
    // real distribution's dependency closure (no NetworkManager, dbus, iproute,
    // systemd-network), and its systemd and openssh-server ship no unit files,
    // so there is nothing to enable inside the tree. The real lists stay in
    // playbooks/vars/{RedHat,Suse}.yml.
    compute_image_packages: [flavor === 'suse15' ? 'openSUSE-release' : 'rocky-release', 'filesystem', 'setup', 'bash', 'coreutils', 'systemd',
      'openssh-server', flavor === 'suse15' ? 'nfs-kernel-server' : 'nfs-utils', flavor === 'suse15' ? 'kernel-default' : 'kernel-core'],
    compute_image_units: [],
  };
}

/** Writes the inventory for a shaped head node (the debian12 fixture's, plus shapedVars). */
export function writeShapedInventory(dir: string, h: BedHost, nodePub: string,
  extraNodes: Record<string, Record<string, unknown>> = {}): string {
  writeInventory(dir, { host: h, seeded: false }, nodePub, extraNodes);
  writeFileSync(path.join(dir, 'group_vars', 'all', '95-shaped.yml'), YAML.stringify(shapedVars(h.flavor)));
  return dir;
}

/** Gives the shaped host the head node's address and writes its inventory. */
export async function prepareShapedHeadnode(h: BedHost): Promise<HeadnodeBed> {
  await h.execOk(['ip', 'addr', 'add', `${HEADNODE_IP}/24`, 'dev', h.privateInterface]);
  const tmp = mkdtempSync(path.join(os.tmpdir(), `converge-headnode-${h.flavor}-`));
  const nodeKey = path.join(tmp, 'node_key');
  await runOk(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'converge-headnode-shaped-test', '-f', nodeKey]);
  const nodePub = readFileSync(nodeKey + '.pub', 'utf8').trim();
  const bed: HeadnodeBed = { host: h, seeded: false, nodeKey, tmp, inventory: '' };
  bed.inventory = writeShapedInventory(path.join(tmp, 'inventory'), h, nodePub);
  return bed;
}
