// Bringing a bed host up and down. `up`: reserve a slot, write the state
// file, mount an overlay of the flavor's cached tree, write the per-host
// files, create the networks, boot systemd-nspawn detached, wait for the
// container's PID 1 and its sshd. `down`: kill by PID, unmount, delete
// namespaces, links and the nft table, remove state. Teardown is synchronous
// and tolerant of missing parts, so it runs from exit handlers and after crashes.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { lookup } from 'node:dns/promises';
import { BED_PASSWORD_SUDO_USER, BED_SUDO_PASSWORD, BED_USER, DEBIAN_MIRROR } from './debian-base.js';
import { getFlavor } from './flavors.js';
import { createHostCgroups } from './cgroups.js';
import { downHostSync, installExitGuard, ownedHosts, reapOrphans, startWatchdog } from './teardown.js';
import { generateKeys } from './keys.js';
import { createNetworks, netNames, subnetInUse } from './network.js';
import { ensureHostTools } from './prereqs.js';
import { pidAlive, run, runOk, sleep, tail } from './proc.js';
import { ensureLayer } from './rootfs.js';
import { HOST_DIR, readState, reserveSlot, writeState, type HostState } from './state.js';

export interface UpOptions {
  name?: string;
  /** Keep the host after this process exits (the CLI's `up`). Default: torn down at exit. */
  persistent?: boolean;
  /** Progress of a first-time cache build (default: stderr). */
  log?: (s: string) => void;
}

const NAME_RE = /^[a-z][a-z0-9-]{0,30}$/;

export async function upHostState(flavorName: string, opts: UpOptions = {}): Promise<HostState> {
  await ensureHostTools();
  reapOrphans();
  const flavor = await getFlavor(flavorName);
  const lower = await ensureLayer(await flavor.layer(), opts.log);
  const name = opts.name ?? `${flavorName}-${randomBytes(2).toString('hex')}`;
  if (!NAME_RE.test(name)) throw new Error(`test bed: bad host name "${name}" (lowercase letters, digits, '-', up to 31)`);
  if (readState(name)) throw new Error(`test bed: a host named "${name}" exists; \`npm run testbed -- down ${name}\` first`);
  const slot = reserveSlot(name, subnetInUse);
  const n = netNames(slot);
  const dir = join(HOST_DIR, name);
  const st: HostState = {
    name, flavor: flavorName, slot, ownerPid: opts.persistent ? null : process.pid, createdAt: new Date().toISOString(),
    netns: n.netns, switchNetns: n.switchNetns, bridge: n.bridge, privateInterface: n.privateInterface,
    hostVeth: n.hostVeth, hostAddress: n.hostAddress, address: n.address, port: 22, nftTable: n.nftTable,
    dir, rootDir: join(dir, 'root'), logPath: join(dir, 'console.log'),
    user: BED_USER, rootUser: 'root', sudoPassword: BED_SUDO_PASSWORD, passwordSudoUser: BED_PASSWORD_SUDO_USER,
    privateKeyPath: join(dir, 'id_ed25519'), knownHostsPath: join(dir, 'known_hosts'), knownHostsLine: '', hostKeyFingerprint: '',
    vms: [],
  };
  writeState(st);
  if (!opts.persistent) {
    ownedHosts.add(name);
    installExitGuard();
    startWatchdog();
  }
  try {
    rmSync(dir, { recursive: true, force: true });
    for (const d of ['upper', 'work', 'root']) mkdirSync(join(dir, d), { recursive: true });
    const ovl = `lowerdir=${lower.join(':')},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`;
    // nfs_export (with index): file handles for NFS-Ganesha's VFS backend inside the host;
    // a kernel that refuses them still gets a host, without NFS serving
    const m = await run(['mount', '-t', 'overlay', `cvbed-${name}`, '-o', `${ovl},index=on,nfs_export=on`, st.rootDir]);
    if (m.rc !== 0) await runOk(['mount', '-t', 'overlay', `cvbed-${name}`, '-o', ovl, st.rootDir]);
    const keys = await generateKeys(dir, name);
    st.knownHostsLine = `${st.address} ${keys.hostPublicKey.split(/\s+/).slice(0, 2).join(' ')}`;
    st.hostKeyFingerprint = keys.hostKeyFingerprint;
    writeFileSync(st.knownHostsPath, st.knownHostsLine + '\n');
    writePerHostFiles(st, keys.hostKeyPath, keys.clientPublicKey, await containerDns());
    writeState(st);
    await createNetworks(n);
    await boot(st);
    writeState(st);
    await waitForSsh(st);
    return st;
  } catch (e) {
    const log = existsSync(st.logPath) ? tail(readFileSync(st.logPath, 'utf8'), 30) : '';
    downHostSync(name);
    throw new Error(`test bed: up ${name} failed: ${(e as Error).message}${log ? `\n--- console ---\n${log}` : ''}`);
  }
}

function passwdIds(root: string, user: string): { uid: number; gid: number; home: string } {
  for (const line of readFileSync(join(root, 'etc/passwd'), 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === user) return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] };
  }
  throw new Error(`test bed: user ${user} missing from the image`);
}

interface ContainerDns {
  resolvConf: string;
  /** /etc/hosts lines for the mirror when the build machine's resolver is not reachable from a host. */
  hostsLines: string;
}

/**
 * The build machine's resolver, reached through the NAT. A loopback resolver
 * (systemd-resolved, dnsmasq on 127.x) is not reachable from a host: then the
 * mirror's addresses, resolved here, go into the host's /etc/hosts.
 */
async function containerDns(): Promise<ContainerDns> {
  let resolvConf = '';
  try {
    resolvConf = readFileSync('/etc/resolv.conf', 'utf8');
  } catch { /* none */ }
  const servers = [...resolvConf.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]);
  if (servers.some((a) => !a.startsWith('127.') && a !== '::1')) return { resolvConf, hostsLines: '' };
  const mirrorHost = new URL(DEBIAN_MIRROR).hostname;
  try {
    const addrs = await lookup(mirrorHost, { all: true, family: 4 });
    return { resolvConf: '', hostsLines: addrs.map((a) => `${a.address}\t${mirrorHost}\n`).join('') };
  } catch {
    return { resolvConf: '', hostsLines: '' };
  }
}

function writePerHostFiles(st: HostState, hostKeyPath: string, clientPublicKey: string, dns: ContainerDns): void {
  const r = st.rootDir;
  writeFileSync(join(r, 'etc/machine-id'), randomBytes(16).toString('hex') + '\n');
  writeFileSync(join(r, 'etc/hostname'), st.name + '\n');
  writeFileSync(join(r, 'etc/hosts'), `127.0.0.1\tlocalhost\n127.0.1.1\t${st.name}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  writeFileSync(join(r, 'etc/resolv.conf'), dns.resolvConf);
  if (dns.hostsLines) appendFileSync(join(r, 'etc/hosts'), dns.hostsLines);
  const keyDest = join(r, 'etc/ssh/ssh_host_ed25519_key');
  writeFileSync(keyDest, readFileSync(hostKeyPath), { mode: 0o600 });
  chmodSync(keyDest, 0o600);
  writeFileSync(`${keyDest}.pub`, readFileSync(`${hostKeyPath}.pub`), { mode: 0o644 });
  for (const user of ['root', st.user, st.passwordSudoUser]) {
    const { uid, gid, home } = passwdIds(r, user);
    const sshDir = join(r, home, '.ssh');
    mkdirSync(sshDir, { recursive: true, mode: 0o700 });
    chownSync(sshDir, uid, gid);
    chmodSync(sshDir, 0o700);
    writeFileSync(join(sshDir, 'authorized_keys'), clientPublicKey + '\n', { mode: 0o600 });
    chownSync(join(sshDir, 'authorized_keys'), uid, gid);
  }
}

async function boot(st: HostState): Promise<void> {
  const logFd = openSync(st.logPath, 'a');
  const cgroups = createHostCgroups(st.name);
  // A fixed script: join the host's cgroups, then become systemd-nspawn with the given argv.
  const joinCgroups = 'for c in $CVBED_CGROUPS; do echo $$ > "$c/cgroup.procs"; done; exec "$@"';
  const child = spawn('/bin/sh', ['-c', joinCgroups, 'sh', 'systemd-nspawn', 
    '-D', st.rootDir, '-b', '-M', st.name, '--register=no', '--keep-unit',
    `--network-namespace-path=/run/netns/${st.netns}`,
    // a private network namespace: the container may manage it (firewalld, nftables, addresses)
    '--capability=CAP_NET_ADMIN',
    // NFS-Ganesha's VFS backend needs open_by_handle_at, which nspawn's default seccomp filter denies.
    '--system-call-filter=open_by_handle_at',
    '--resolv-conf=off', '--timezone=off', '--link-journal=no', '--console=passive',
  ], { detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, CVBED_CGROUPS: cgroups.join(' ') } });
  closeSync(logFd);
  child.unref();
  if (!child.pid) throw new Error('systemd-nspawn did not start');
  st.nspawnPid = child.pid;
  writeState(st);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!pidAlive(st.nspawnPid) || child.exitCode !== null) throw new Error('systemd-nspawn exited during boot');
    const r = await run(['pgrep', '-P', String(st.nspawnPid), '-x', 'systemd']);
    const pid = Number(r.stdout.trim().split('\n')[0]);
    if (pid > 0) {
      st.leaderPid = pid;
      return;
    }
    await sleep(30);
  }
  throw new Error('the container did not start systemd within 30 s');
}

function sshBanner(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: address, port });
    const done = (ok: boolean) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(2000, () => done(false));
    sock.on('data', (d) => done(d.toString().startsWith('SSH-')));
    sock.on('error', () => done(false));
    sock.on('close', () => resolve(false));
  });
}

async function waitForSsh(st: HostState): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await sshBanner(st.address, st.port)) return;
    if (!pidAlive(st.leaderPid)) throw new Error('the container stopped during boot');
    await sleep(50);
  }
  throw new Error(`sshd did not answer on ${st.address}:${st.port} within 60 s`);
}

/**
 * Boots a host again after its systemd powered it off or rebooted it (nspawn
 * then exits, code 133 for a reboot): the machine's firmware, for reboot tests.
 * Same tree, network and keys; resolves when sshd answers.
 */
export async function bootAgain(name: string): Promise<void> {
  const st = readState(name);
  if (!st) throw new Error(`test bed: no host named ${name}`);
  if (st.nspawnPid && pidAlive(st.nspawnPid)) throw new Error(`test bed: ${name} is still running`);
  await boot(st);
  writeState(st);
  await waitForSsh(st);
}

export { downHostSync, installExitGuard, ownedHosts, reapOrphans };
