// A debian12 test-bed host prepared to become the head node: its private
// NIC carries the head node's address, an inventory points the playbook at
// it over SSH, and the compute tree can start from a cached bootstrap.
//
// The compute tree (debootstrap of the image's package list, ~5 min) is
// cached under /var/cache/converge-headnode/, keyed by the release, mirror and
// package list of playbooks/vars/Debian.yml. Without a cache the playbook
// builds the tree for real and the fixture saves it afterwards.

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { BedHost } from '../bed/index.js';
import { run, runOk, type ProcResult } from '../bed/proc.js';

/** The repository root: the directory above this file that holds playbooks/headnode.yaml. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'playbooks', 'headnode.yaml'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (existsSync(path.join(process.cwd(), 'playbooks', 'headnode.yaml'))) return process.cwd();
  throw new Error('playbooks/headnode.yaml not found above ' + fileURLToPath(import.meta.url));
}

/** dist/test/headnode/x.js -> dist/src/cli/main.js */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const PLAYBOOK = path.join(repoRoot(), 'playbooks', 'headnode.yaml');

const CACHE_DIR = '/var/cache/converge-headnode';
/** Where the seed tarball goes inside the head node. */
const SEED_IN_HOST = '/var/tmp/converge-headnode-compute-seed.tar';
const STATE_DIR = '/var/lib/converge-headnode';

export const HEADNODE_IP = '192.168.0.1';
export const NODES = {
  failsafe: { name: 'node-000', mac: 'fc:ab:14:e8:66:01', ip: '192.168.0.100' },
  compute: { name: 'node-001', mac: 'fc:ab:14:e8:66:02', ip: '192.168.0.101' },
  // Not in the repository's inventory: the debian12 bed adds it (bed.extraNodes).
  nfsroot: { name: 'node-003', mac: 'fc:ab:14:e8:66:04', ip: '192.168.0.103' },
};

/** The debian12 bed's nodes besides the repository's: one that boots the compute tree over NFS. */
export const DEBIAN12_EXTRA_NODES: Record<string, Record<string, unknown>> = {
  [NODES.nfsroot.name]: { mac: NODES.nfsroot.mac, ip: NODES.nfsroot.ip, image: 'nfsroot' },
};

function debianVars(): Record<string, unknown> {
  return YAML.parse(readFileSync(path.join(repoRoot(), 'playbooks', 'vars', 'Debian.yml'), 'utf8'));
}

/** The cache file of the compute tree for the package list the playbook declares. */
export function computeSeedCache(): string {
  const v = debianVars();
  const key = createHash('sha256')
    .update(JSON.stringify({ release: v.compute_release, mirror: v.compute_mirror, packages: v.compute_packages }))
    .digest('hex').slice(0, 16);
  return path.join(CACHE_DIR, `compute-tree-${key}.tar`);
}

export interface HeadnodeBed {
  host: BedHost;
  /** Inventory directory for this host (headnode over SSH, the repo's compute nodes). */
  inventory: string;
  /** True when the compute tree starts from the cache. */
  seeded: boolean;
  /** Private key whose public half the compute image authorizes for root. */
  nodeKey: string;
  tmp: string;
  /** Compute nodes every inventory of this bed has besides the repository's. */
  extraNodes?: Record<string, Record<string, unknown>>;
}

/** Extra inventory variables for the test bed (group_vars/all/90-testbed.yml). */
function testbedVars(h: BedHost, nodePub: string, seeded: boolean): Record<string, unknown> {
  return {
    // The bed's public NIC; no kernel NFS server in a container.
    public_interface: 'host0',
    nfs_server: 'ganesha',
    compute_authorized_keys: [nodePub],
    // A smaller compute ramdisk: a VM under TCG unpacks it slowly, and it
    // only needs virtio and NFS (the defaults keep drivers for real hardware).
    compute_image_exclude: [
      './usr/share/doc', './usr/share/man', './usr/share/info', './usr/share/locale', './usr/share/zoneinfo',
      './var/cache/apt', './var/lib/apt/lists', './boot', './usr/lib/firmware',
      ...['gpu', 'media', 'net/wireless', 'net/ethernet', 'infiniband', 'staging', 'comedi', 'iio', 'scsi', 'usb', 'hid',
        'input', 'md', 'platform', 'ata', 'mtd', 'target', 'video', 'hwmon', 'mmc', 'bluetooth', 'isdn', 'misc', 'char']
        .map((d) => `./usr/lib/modules/*/kernel/drivers/${d}`),
      './usr/lib/modules/*/kernel/sound',
    ],
    ...(seeded ? { compute_image_seed: SEED_IN_HOST } : {}),
  };
}

/**
 * Writes an inventory directory: the repository's group_vars, the bed host as
 * the head node, the repository's image tree host and compute nodes plus the
 * bed's and `extraNodes`, and the test bed's variables on top.
 */
export function writeInventory(dir: string, bed: Pick<HeadnodeBed, 'host' | 'seeded' | 'extraNodes'>, nodePub: string,
  extraNodes: Record<string, Record<string, unknown>> = {}): string {
  const root = repoRoot();
  const h = bed.host;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'group_vars', 'all'), { recursive: true });
  copyFileSync(path.join(root, 'inventory', 'group_vars', 'all.yml'), path.join(dir, 'group_vars', 'all', '00-cluster.yml'));
  copyFileSync(path.join(root, 'inventory', 'group_vars', 'compute.yml'), path.join(dir, 'group_vars', 'compute.yml'));
  writeFileSync(path.join(dir, 'group_vars', 'all', '90-testbed.yml'), YAML.stringify(testbedVars(h, nodePub, bed.seeded)));
  const repoInv = YAML.parse(readFileSync(path.join(root, 'inventory', 'hosts.yml'), 'utf8'));
  const compute = { ...repoInv.all.children.compute.hosts, ...(bed.extraNodes ?? {}), ...extraNodes };
  const hosts = {
    all: {
      children: {
        headnode: {
          hosts: {
            [h.name]: {
              ansible_host: h.address,
              ansible_port: h.port,
              ansible_user: h.user,
              ansible_ssh_private_key_file: h.privateKeyPath,
              ansible_become: true,
            },
          },
        },
        images: repoInv.all.children.images,
        compute: { hosts: compute },
      },
    },
  };
  writeFileSync(path.join(dir, 'hosts.yml'), YAML.stringify(hosts));
  return dir;
}

/**
 * Gives the bed host the head node's address and (when cached) the compute
 * tree seed. The container's root is an overlayfs, which NFS-Ganesha's VFS
 * backend cannot export (no file handles): /home and the image state
 * directory get file systems of their own (tmpfs), as on a real head node.
 */
export async function prepareHeadnode(h: BedHost): Promise<HeadnodeBed> {
  await h.execOk(['ip', 'addr', 'add', `${HEADNODE_IP}/24`, 'dev', h.privateInterface]);
  // /home keeps what it has (the bed users' SSH keys).
  await h.execOk(['mkdir', '-p', '/run/converge-headnode-home']);
  await h.execOk(['mount', '-t', 'tmpfs', '-o', 'size=512m,mode=0755', 'tmpfs', '/run/converge-headnode-home']);
  await h.execOk(['cp', '-a', '/home/.', '/run/converge-headnode-home/']);
  await h.execOk(['mount', '--bind', '/run/converge-headnode-home', '/home']);
  await h.execOk(['mkdir', '-p', STATE_DIR]);
  await h.execOk(['mount', '-t', 'tmpfs', '-o', 'size=3g,mode=0755', 'tmpfs', STATE_DIR]);
  const cache = computeSeedCache();
  const seeded = existsSync(cache);
  if (seeded) copyFileSync(cache, path.join(h.rootDir, SEED_IN_HOST));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'converge-headnode-'));
  const nodeKey = path.join(tmp, 'node_key');
  await runOk(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'converge-headnode-test', '-f', nodeKey]);
  const nodePub = readFileSync(nodeKey + '.pub', 'utf8').trim();
  const bed = { host: h, seeded, nodeKey, tmp, inventory: '', extraNodes: DEBIAN12_EXTRA_NODES };
  bed.inventory = writeInventory(path.join(tmp, 'inventory'), bed, nodePub);
  return bed;
}

/** After a run that built the compute tree for real: keep it for the next test run. */
export async function saveComputeSeed(bed: HeadnodeBed): Promise<void> {
  if (bed.seeded) return;
  const cache = computeSeedCache();
  if (existsSync(cache)) return;
  mkdirSync(CACHE_DIR, { recursive: true });
  // The tree is on a tmpfs mounted inside the container: tar it there, into
  // a directory the build machine sees through the container's root.
  const inHost = `/var/tmp/converge-headnode-seed-${process.pid}.tar`;
  const partial = `${cache}.partial-${process.pid}`;
  try {
    await bed.host.execOk(['tar', '-C', STATE_DIR, '--numeric-owner', '-c', '-f', inHost, 'compute-tree']);
    copyFileSync(path.join(bed.host.rootDir, inHost), partial);
    renameSync(partial, cache);
  } finally {
    rmSync(partial, { force: true });
    await bed.host.exec(['rm', '-f', inHost]);
  }
}

export interface ConvergeRun {
  rc: number;
  report: JsonReport;
  stderr: string;
  wallMs: number;
}

export interface JsonTask {
  task: number;
  name: string;
  module: string;
  status: 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';
  item?: string;
  handler: boolean;
  message?: string;
  changes: Array<{ property: string; summary?: string }>;
}

export interface JsonReport {
  hosts: Record<string, { summary: Record<string, number>; unreachable?: string; tasks: JsonTask[] }>;
  duration_ms: number;
}

/** Runs `converge playbooks/headnode.yaml` against the bed host with --json. */
export async function converge(bed: HeadnodeBed, args: string[] = [], inventory = bed.inventory): Promise<ConvergeRun> {
  const started = Date.now();
  // A state directory (agent lock, history) of this test's own: other tests
  // converge other hosts on the same machine at the same time.
  const r: ProcResult = await run([process.execPath, CLI, PLAYBOOK, '-i', inventory, '--json',
    '--known-hosts-file', bed.host.knownHostsPath, '--state-dir', path.join(bed.tmp, 'state'), ...args], { timeoutMs: 30 * 60_000, env: { ...process.env, NO_COLOR: '1' } });
  const wallMs = Date.now() - started;
  let report: JsonReport;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`converge ${args.join(' ')} printed no JSON report (rc ${r.rc}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  return { rc: r.rc, report, stderr: r.stderr, wallMs };
}

/** `converge nodes --json` against the bed's head node. */
export async function convergeNodes(bed: HeadnodeBed, args: string[] = []): Promise<{ rc: number; doc: any; stderr: string }> {
  const r = await run([process.execPath, CLI, 'nodes', '-i', bed.inventory, '--json', '--known-hosts-file', bed.host.knownHostsPath, ...args],
    { timeoutMs: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  let doc: any;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`converge nodes printed no JSON (rc ${r.rc}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  return { rc: r.rc, doc, stderr: r.stderr };
}

/** The head node's task events. */
export function tasksOf(run: ConvergeRun, bed: HeadnodeBed): JsonTask[] {
  const h = run.report.hosts[bed.host.name];
  if (!h) throw new Error(`no report for ${bed.host.name}: ${JSON.stringify(Object.keys(run.report.hosts))}`);
  return h.tasks;
}

/** "name" or "name (item)" for each task event with this status. */
export function withStatus(run: ConvergeRun, bed: HeadnodeBed, status: JsonTask['status'], handlers = false): string[] {
  return tasksOf(run, bed).filter((t) => t.status === status && t.handler === handlers)
    .map((t) => (t.item ? `${t.name} (${t.item})` : t.name));
}

/** Explains a run for an assertion message. */
export function describeRun(run: ConvergeRun, bed: HeadnodeBed): string {
  const lines = tasksOf(run, bed).filter((t) => t.status !== 'ok')
    .map((t) => `${t.status.padEnd(8)} [${t.task}]${t.handler ? ' handler' : ''} ${t.name}${t.item ? ` (${t.item})` : ''}${t.message ? `: ${t.message.slice(0, 400)}` : ''}`);
  return `rc ${run.rc}\n${lines.join('\n')}\n${run.stderr.slice(-2000)}`;
}

/** A DHCP exchange from the private network (the bed's switch namespace) with udhcpc. */
export interface DhcpAnswer {
  bound: boolean;
  ip?: string;
  siaddr?: string;
  bootFile?: string;
}

let dhcpSeq = 0;

/**
 * Asks the head node's dhcpd for a lease from a fresh veth on the private
 * bridge, with MAC `mac` and optionally user class iPXE or an RFC 4578
 * architecture. The link is removed afterwards.
 */
export async function dhcpProbe(h: BedHost, mac: string, opts: { ipxe?: boolean; arch?: number; vendorClass?: string } = {}): Promise<DhcpAnswer> {
  const id = `${process.pid % 10000}${dhcpSeq++}`;
  const ns = `cvhn-dc${id}`;
  const a = `cvhn${id}a`;
  const b = `cvhn${id}b`;
  const script = path.join(os.tmpdir(), `converge-headnode-udhcpc-${id}.sh`);
  writeFileSync(script, '#!/bin/sh\n[ "$1" = bound ] && echo "BOUND ip=$ip siaddr=$siaddr boot_file=$boot_file"\nexit 0\n', { mode: 0o755 });
  try {
    await runOk(['ip', 'netns', 'add', ns]);
    await runOk(['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    await runOk(['ip', 'link', 'set', a, 'netns', h.switchNetns]);
    await runOk(['ip', '-n', h.switchNetns, 'link', 'set', a, 'master', h.bridge, 'up']);
    await runOk(['ip', 'link', 'set', b, 'netns', ns]);
    await runOk(['ip', '-n', ns, 'link', 'set', b, 'address', mac, 'up']);
    const argv = ['ip', 'netns', 'exec', ns, 'udhcpc', '-f', '-q', '-n', '-t', '4', '-T', '2', '-i', b, '-s', script];
    if (opts.ipxe) argv.push('-x', '0x4d:69505845');
    if (opts.arch !== undefined) argv.push('-x', `0x5d:${opts.arch.toString(16).padStart(4, '0')}`);
    // PXE firmware says PXEClient:Arch:... in option 60.
    if (opts.vendorClass !== undefined) argv.push('-V', opts.vendorClass);
    const r = await run(argv, { timeoutMs: 60_000 });
    const m = /BOUND ip=(\S*) siaddr=(\S*) boot_file=(\S*)/.exec(r.stdout);
    if (!m) return { bound: false };
    return { bound: true, ip: m[1] || undefined, siaddr: m[2] || undefined, bootFile: m[3] || undefined };
  } finally {
    await run(['ip', '-n', h.switchNetns, 'link', 'del', a]);
    await run(['ip', 'netns', 'del', ns]);
    rmSync(script, { force: true });
  }
}

/** Fetches a URL (tftp:// or http:// on the head node) with curl from the private network. */
export async function fetchPrivate(h: BedHost, url: string): Promise<Buffer> {
  const id = `${process.pid % 10000}${dhcpSeq++}`;
  const ns = `cvhn-tf${id}`;
  const a = `cvhn${id}a`;
  const b = `cvhn${id}b`;
  const out = path.join(os.tmpdir(), `converge-headnode-tftp-${id}`);
  try {
    await runOk(['ip', 'netns', 'add', ns]);
    await runOk(['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    await runOk(['ip', 'link', 'set', a, 'netns', h.switchNetns]);
    await runOk(['ip', '-n', h.switchNetns, 'link', 'set', a, 'master', h.bridge, 'up']);
    await runOk(['ip', 'link', 'set', b, 'netns', ns]);
    await runOk(['ip', '-n', ns, 'addr', 'add', '192.168.0.253/24', 'dev', b]);
    await runOk(['ip', '-n', ns, 'link', 'set', b, 'up']);
    // curl exits 68 when the file is missing (tftp-hpa's own client would exit 0).
    await runOk(['ip', 'netns', 'exec', ns, 'curl', '-sS', '--fail', '--max-time', '30', '-o', out, url]);
    return readFileSync(out);
  } finally {
    await run(['ip', '-n', h.switchNetns, 'link', 'del', a]);
    await run(['ip', 'netns', 'del', ns]);
    rmSync(out, { force: true });
  }
}

/**
 * Runs `cmd` as root on a compute node over SSH from the private network (the
 * bed's switch namespace, which gets a temporary address on the bridge).
 */
export async function sshToNode(bed: HeadnodeBed, ip: string, cmd: string, timeoutMs = 60_000): Promise<ProcResult> {
  const h = bed.host;
  return run(['ip', 'netns', 'exec', h.switchNetns, 'ssh', '-i', bed.nodeKey, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR',
    // The VM is killed as soon as its console shows what the test waits for: notice a dead peer.
    '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', `root@${ip}`, cmd], { timeoutMs });
}

/**
 * Tells the VM's watcher that the checks are done, in a connection of its own:
 * the VM is killed the moment its console shows the marker, and output still in
 * flight on the same connection would be lost (a check's last line went missing
 * that way in CI). The kill may cut this connection too, so its result is ignored.
 */
export async function signalConsole(bed: HeadnodeBed, ip: string, marker: string): Promise<void> {
  await sshToNode(bed, ip, `echo ${marker} > /dev/ttyS0`, 60_000);
}

/** An address for the build machine on the private bridge (removed by the returned function). */
export async function addBridgeAddress(h: BedHost, cidr = '192.168.0.254/24'): Promise<() => Promise<void>> {
  await run(['ip', '-n', h.switchNetns, 'addr', 'del', cidr, 'dev', h.bridge]);
  await runOk(['ip', '-n', h.switchNetns, 'addr', 'add', cidr, 'dev', h.bridge]);
  return async () => { await run(['ip', '-n', h.switchNetns, 'addr', 'del', cidr, 'dev', h.bridge]); };
}
