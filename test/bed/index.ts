// The converge test bed: disposable real hosts (systemd-nspawn containers
// booted from cached Debian trees) with SSH, a private cluster network and
// PXE-booting qemu VMs. Usage from a test:
//
//   import { upHost, downHost } from '../bed/index.js';
//   let h: BedHost;
//   before(async () => { h = await upHost('debian12'); });     // ~1 s once the cache exists
//   after(() => downHost(h.name));                              // also done at process exit
//   await h.exec(['systemctl', 'is-system-running', '--wait']); // inside the container (nsenter)
//   new ssh2.Client().connect(h.sshConfig);                     // user `converge`, passwordless sudo
//   h.sshConfigFor('root'); h.sshConfigFor(h.passwordSudoUser)  // the latter's sudo asks for h.sudoPassword
//   h.address, h.port, h.user, h.privateKeyPath, h.knownHostsPath  // for the `ssh` client / an inventory
//   h.privateInterface ('eth1' inside, no address), h.bridge ('br0' in h.switchNetns)
//   await pxeBoot(h.name, { mac: '52:54:00:12:34:56', expect: 'MARKER', timeoutS: 120 })
//   const a = await ensurePxeAssets();  // cached kernel + busybox initramfs printing PXE_MARKER, iPXE binaries
//
// Flavors: 'debian12' (real Debian, apt through a NAT to the mirror), and SHAPED ones — 'rocky8',
// 'rocky9', 'rocky10', 'suse15' — Debian 12 underneath with that distribution's /etc/os-release, its
// package manager (Debian's dnf or zypper, rpm database in /var/lib/rpm) and a local repository
// (/var/lib/converge-bed/repo inside the host, `converge-bed` repo already configured) of shaped RPMs:
//   Rocky: dhcp-server (8, 9), kea (9, 10), tftp-server, nginx, nfs-utils, firewalld,
//          ipxe-bootimgs (8) / ipxe-bootimgs-x86 (9, 10), busybox
//   SUSE:  dhcp-server, tftp, nginx, nfs-kernel-server, firewalld, ipxe-bootimgs, busybox
//   all:   image packages for `dnf --installroot` / `zypper --root`: filesystem setup bash coreutils
//          systemd (busybox-based, SHAPED), plus the release package
// Installing one makes the distribution's unit appear (dhcpd, kea-dhcp4, tftp.socket, nginx,
// nfs-server (NFS-Ganesha, NFSv4), firewalld) running the Debian-built daemon. shapedRepoOnHost(flavor)
// gives the repository's path on the build machine. Network: management 10.213.SLOT.0/24 (host .2,
// build machine .1); private: `eth1` in the host, bridge `br0` in switchNetns, no DHCP on it.
// Hosts created here are torn down when the process exits (exit, SIGINT, SIGTERM) or, if it is
// killed, by a watchdog process; `npm run testbed -- down --all` removes every host.
// CLI: `npm run testbed -- up FLAVOR [--name N] | down N|--all | list | flavors | pxe N --mac M --expect T`.

import { readFileSync } from 'node:fs';
import { upHostState, type UpOptions } from './host.js';
import { downHostSync, installExitGuard, ownedHosts, reapOrphans } from './teardown.js';
import { publicKeyBlob } from './keys.js';
import { run, runOk, type ProcOptions, type ProcResult } from './proc.js';
import { listStates, readState, type HostState } from './state.js';

export type { HostState, UpOptions, ProcResult };
export { installExitGuard, reapOrphans };
export { pxeBoot, type PxeOptions, type PxeResult } from './pxe.js';
export { ensurePxeAssets, PXE_MARKER, type PxeAssets } from './pxe-assets.js';
export { shapedRepoOnHost, SHAPED_REPO } from './shaped/flavors.js';

/** Connection settings for ssh2's Client.connect. */
export interface BedSshConfig {
  host: string;
  port: number;
  username: string;
  privateKey: Buffer;
  hostVerifier: (key: Buffer) => boolean;
  readyTimeout: number;
}

const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class BedHost {
  readonly name: string;
  readonly flavor: string;
  /** SSH address on the management network, and port. */
  readonly address: string;
  readonly port: number;
  /** Non-root login with passwordless sudo. */
  readonly user: string;
  readonly rootUser: string;
  /** Login whose sudo asks for sudoPassword (become-with-password tests). */
  readonly passwordSudoUser: string;
  readonly sudoPassword: string;
  readonly privateKeyPath: string;
  readonly knownHostsPath: string;
  readonly knownHostsLine: string;
  readonly hostKeyFingerprint: string;
  /** The private cluster NIC inside the container (no address, no DHCP on its network). */
  readonly privateInterface: string;
  /** The private network's bridge, in switchNetns (where PXE VMs' taps go). */
  readonly bridge: string;
  readonly switchNetns: string;
  /** The container's network namespace (ip netns name). */
  readonly netns: string;
  /** The build machine's address on the management network. */
  readonly hostAddress: string;
  readonly leaderPid: number;
  /** The container's root as seen from the build machine (overlay mount). */
  readonly rootDir: string;
  readonly logPath: string;

  constructor(st: HostState) {
    this.name = st.name;
    this.flavor = st.flavor;
    this.address = st.address;
    this.port = st.port;
    this.user = st.user;
    this.rootUser = st.rootUser;
    this.passwordSudoUser = st.passwordSudoUser;
    this.sudoPassword = st.sudoPassword;
    this.privateKeyPath = st.privateKeyPath;
    this.knownHostsPath = st.knownHostsPath;
    this.knownHostsLine = st.knownHostsLine;
    this.hostKeyFingerprint = st.hostKeyFingerprint;
    this.privateInterface = st.privateInterface;
    this.bridge = st.bridge;
    this.switchNetns = st.switchNetns;
    this.netns = st.netns;
    this.hostAddress = st.hostAddress;
    this.leaderPid = st.leaderPid ?? 0;
    this.rootDir = st.rootDir;
    this.logPath = st.logPath;
  }

  /** ssh2 settings for the non-root user. */
  get sshConfig(): BedSshConfig {
    return this.sshConfigFor(this.user);
  }

  sshConfigFor(username: string): BedSshConfig {
    const expected = publicKeyBlob(this.knownHostsLine.split(' ').slice(1).join(' '));
    return {
      host: this.address,
      port: this.port,
      username,
      privateKey: readFileSync(this.privateKeyPath),
      hostVerifier: (key: Buffer) => Buffer.isBuffer(key) && key.equals(expected),
      readyTimeout: 20_000,
    };
  }

  /** argv for the `ssh` client (BatchMode, this host's key and known_hosts). */
  sshArgv(username: string = this.user): string[] {
    return ['ssh', '-i', this.privateKeyPath, '-p', String(this.port), '-o', 'BatchMode=yes',
      '-o', `UserKnownHostsFile=${this.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', `${username}@${this.address}`];
  }

  /** Runs argv as root inside the container (all its namespaces), with a clean environment. */
  exec(argv: string[], opts: ProcOptions = {}): Promise<ProcResult> {
    return run(this.execArgv(argv), opts);
  }

  /** Like exec, but throws unless the command exits 0. */
  execOk(argv: string[], opts: ProcOptions = {}): Promise<ProcResult> {
    return runOk(this.execArgv(argv), opts);
  }

  execArgv(argv: string[]): string[] {
    return ['nsenter', '-t', String(this.leaderPid), '-a', '--', '/usr/bin/env', '-i',
      `PATH=${CONTAINER_PATH}`, 'LANG=C.UTF-8', 'HOME=/root', 'TERM=dumb', ...argv];
  }

  down(): Promise<void> {
    return downHost(this.name);
  }
}

/** Boots a fresh host of a flavor (building its cached tree the first time). */
export async function upHost(flavor: string, opts: UpOptions = {}): Promise<BedHost> {
  return new BedHost(await upHostState(flavor, opts));
}

/** A host that is up (from this or another process), or undefined. */
export function getHost(name: string): BedHost | undefined {
  const st = readState(name);
  return st ? new BedHost(st) : undefined;
}

/** Tears a host down (processes by PID, mounts, namespaces, links, nft table, state). Missing hosts are fine. */
export async function downHost(name: string): Promise<void> {
  downHostSync(name);
}

/** Tears down every host of the bed on this machine (all processes' hosts). */
export async function downAll(): Promise<string[]> {
  const names = listStates().map((s) => s.name);
  for (const n of names) downHostSync(n);
  return names;
}

/** Tears down the hosts this process created. */
export async function downOwned(): Promise<void> {
  for (const n of [...ownedHosts]) downHostSync(n);
}

export function listHosts(): HostState[] {
  return listStates();
}
