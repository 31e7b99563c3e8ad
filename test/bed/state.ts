// Where the bed keeps things, and the per-host state file that lets `down`
// work from another process or after a crash: every resource a host owns is
// named from its slot number, and the state file is written before the
// resource is created, so teardown can always find (and tolerate missing) parts.

import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** Cached root filesystems, one directory per flavor and recipe hash. */
export const CACHE_DIR = process.env.CONVERGE_TESTBED_CACHE ?? '/var/cache/converge-testbed';
/** State files (<name>.json) and slot reservations. */
export const RUN_DIR = '/run/converge-testbed';
/** Per-host overlay upper/work/merged directories and logs (on disk: apt installs can be large). */
export const HOST_DIR = '/var/tmp/converge-testbed';

/** Management subnets are 10.213.SLOT.0/24 (host side .1, container .2). */
export const MGMT_PREFIX = '10.213';
export const MAX_SLOT = 250;

export interface VmState {
  pid: number;
  tap: string;
  log: string;
}

export interface HostState {
  name: string;
  flavor: string;
  slot: number;
  /** PID of the process that created the host, or null when created by the CLI (lives until `down`). */
  ownerPid: number | null;
  createdAt: string;
  /** The container's network namespace (ip netns name). */
  netns: string;
  /** The private cluster "switch": a namespace holding the bridge, taps of PXE VMs and radvd. */
  switchNetns: string;
  bridge: string;
  privateInterface: string;
  hostVeth: string;
  hostAddress: string;
  address: string;
  port: number;
  nftTable: string;
  dir: string;
  rootDir: string;
  logPath: string;
  user: string;
  rootUser: string;
  sudoPassword: string;
  passwordSudoUser: string;
  privateKeyPath: string;
  knownHostsPath: string;
  knownHostsLine: string;
  hostKeyFingerprint: string;
  nspawnPid?: number;
  leaderPid?: number;
  radvdPid?: number;
  vms: VmState[];
  /** Whether this host turned on IPv4 forwarding (restored when the last host goes down). */
  forwardingWas?: string;
}

export function ensureRunDir(): void {
  mkdirSync(RUN_DIR, { recursive: true, mode: 0o755 });
}

export function statePath(name: string): string {
  return join(RUN_DIR, `${name}.json`);
}

export function writeState(s: HostState): void {
  ensureRunDir();
  const tmp = `${statePath(s.name)}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n', { mode: 0o644 });
  renameSync(tmp, statePath(s.name));
}

export function readState(name: string): HostState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(name), 'utf8')) as HostState;
  } catch {
    return undefined;
  }
}

export function listStates(): HostState[] {
  let names: string[] = [];
  try {
    names = readdirSync(RUN_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return names.map((f) => readState(f.slice(0, -5))).filter((s): s is HostState => !!s);
}

export function removeState(name: string): void {
  rmSync(statePath(name), { force: true });
}

function slotPath(slot: number): string {
  return join(RUN_DIR, `slot-${slot}`);
}

/** Reserves the lowest free slot (exclusive create of a marker file). */
export function reserveSlot(name: string, taken: (slot: number) => boolean): number {
  ensureRunDir();
  for (let slot = 1; slot <= MAX_SLOT; slot++) {
    if (taken(slot)) continue;
    try {
      const fd = openSync(slotPath(slot), 'wx');
      writeFileSync(fd, name);
      closeSync(fd);
      return slot;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`test bed: no free slot (1..${MAX_SLOT}) in ${RUN_DIR}; run \`npm run testbed -- down --all\``);
}

export function releaseSlot(slot: number): void {
  rmSync(slotPath(slot), { force: true });
}

export function slotOwner(slot: number): string | undefined {
  try {
    return readFileSync(slotPath(slot), 'utf8');
  } catch {
    return undefined;
  }
}
