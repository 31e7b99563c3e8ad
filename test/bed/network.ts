// A bed host's two networks.
//
// management: a veth pair, `cvbedS-m` on the build machine (10.213.S.1/24) and
//   `host0` in the container's namespace (10.213.S.2/24, default route via .1).
//   An nftables table of the bed's own (`ip cvbed_S`) masquerades the subnet out
//   and lets it reach only HTTP(S) and DNS (the Debian mirror), not other hosts.
// private cluster network: a namespace of its own (the host's "switch",
//   `cvbed-S-sw`) holding bridge `br0`; a veth from it appears as `eth1` in the
//   container, with no address and no DHCP server: a fresh box's second NIC.
//   PXE VMs plug taps into br0; radvd runs there while VMs boot.
// Everything is named from the slot number, so teardown can find it.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk, runSync } from './proc.js';
import { MGMT_PREFIX, RUN_DIR } from './state.js';

export interface NetNames {
  netns: string;
  switchNetns: string;
  hostVeth: string;
  bridge: string;
  privateInterface: string;
  switchPort: string;
  hostAddress: string;
  address: string;
  subnet: string;
  nftTable: string;
}

export function netNames(slot: number): NetNames {
  return {
    netns: `cvbed-${slot}`,
    switchNetns: `cvbed-${slot}-sw`,
    hostVeth: `cvbed${slot}-m`,
    bridge: 'br0',
    privateInterface: 'eth1',
    switchPort: 'port-host',
    hostAddress: `${MGMT_PREFIX}.${slot}.1`,
    address: `${MGMT_PREFIX}.${slot}.2`,
    subnet: `${MGMT_PREFIX}.${slot}.0/24`,
    nftTable: `cvbed_${slot}`,
  };
}

/** True when something else on the machine already routes this slot's subnet. */
export function subnetInUse(slot: number): boolean {
  const r = runSync(['ip', '-o', '-4', 'route', 'show', 'to', 'match', `${MGMT_PREFIX}.${slot}.1/32`]);
  return r.stdout.split('\n').some((l) => l.startsWith(`${MGMT_PREFIX}.${slot}.`));
}

export async function createNetworks(n: NetNames): Promise<void> {
  // three `ip -batch` calls (root, switch and container namespaces) instead of ~17 processes
  const batch = (ns: string | null, lines: string[]) =>
    runOk(['ip', ...(ns ? ['-n', ns] : []), '-batch', '-'], { input: lines.join('\n') + '\n' });
  await batch(null, [
    `netns add ${n.netns}`,
    `netns add ${n.switchNetns}`,
    // management
    `link add ${n.hostVeth} type veth peer name host0 netns ${n.netns}`,
    `addr add ${n.hostAddress}/24 dev ${n.hostVeth}`,
    `link set ${n.hostVeth} up`,
  ]);
  // private cluster network
  await batch(n.switchNetns, [
    'link set lo up',
    `link add ${n.bridge} type bridge forward_delay 0`,
    `link set ${n.bridge} up`,
    `link add ${n.switchPort} type veth peer name ${n.privateInterface} netns ${n.netns}`,
    `link set ${n.switchPort} master ${n.bridge} up`,
  ]);
  await batch(n.netns, [
    'link set lo up',
    `addr add ${n.address}/24 dev host0`,
    'link set host0 up',
    `route add default via ${n.hostAddress}`,
    `link set ${n.privateInterface} up`,
  ]);
  await enableNat(n);
}

const FORWARD_SAVE = join(RUN_DIR, 'ip_forward.orig');

async function enableNat(n: NetNames): Promise<void> {
  const cur = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
  if (!existsSync(FORWARD_SAVE)) writeFileSync(FORWARD_SAVE, cur);
  if (cur !== '1') writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
  const rules = `table ip ${n.nftTable} {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${n.subnet} oifname != "${n.hostVeth}" masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "${n.hostVeth}" ct state established,related accept
    iifname "${n.hostVeth}" tcp dport { 80, 443 } accept
    iifname "${n.hostVeth}" meta l4proto { tcp, udp } th dport 53 accept
    iifname "${n.hostVeth}" drop
  }
}
`;
  await runOk(['nft', '-f', '-'], { input: rules });
}

/** Removes whatever of a host's networks exists (sync: runs from exit handlers). */
export function destroyNetworks(n: NetNames, lastHost: boolean): void {
  runSync(['nft', 'delete', 'table', 'ip', n.nftTable]);
  runSync(['ip', 'link', 'del', n.hostVeth]);
  runSync(['ip', 'netns', 'del', n.switchNetns]);
  runSync(['ip', 'netns', 'del', n.netns]);
  if (lastHost && existsSync(FORWARD_SAVE)) {
    try {
      writeFileSync('/proc/sys/net/ipv4/ip_forward', readFileSync(FORWARD_SAVE, 'utf8').trim());
    } catch { /* leave it */ }
    rmSync(FORWARD_SAVE, { force: true });
  }
}
