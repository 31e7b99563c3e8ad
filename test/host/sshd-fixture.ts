// A real OpenSSH server for tests: throwaway host and client keys in a temp
// dir, listening on a free loopback port, plus two non-root users for the
// become cases (one with passwordless sudo, one that must give a password).
// Everything is removed by stop()/removeUsers(), also after failures.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runLocal } from '../../src/host/local-host.js';

/** Login password of the test users and sudo password of the `pw` one (throwaway test accounts). */
export const USER_PASSWORD = 'cvg-Secret-1';

/** Two non-root users per test file (tag), so test files running at once do not share accounts. */
export interface TestUsers { nopw: string; pw: string; sudoers: string }

export function testUsers(tag: string): TestUsers {
  return { nopw: `cvg-ssh-${tag}-nopw`, pw: `cvg-ssh-${tag}-pw`, sudoers: `/etc/sudoers.d/cvg-ssh-${tag}` };
}

export interface Sshd {
  dir: string;
  port: number;
  pid: number;
  /** Authorised client key (private key file). */
  clientKey: string;
  /** A key that is not authorised anywhere. */
  wrongKey: string;
  /** known_hosts holding the server's real key. */
  knownHosts: string;
  hostKeyPub: string;
  stop(): Promise<void>;
  /** PIDs of the per-connection sshd processes (children of the listener). */
  sessionPids(): Promise<number[]>;
}

async function must(argv: string[], stdin?: string): Promise<string> {
  const r = await runLocal(argv, { stdin });
  if (r.rc !== 0) throw new Error(`${argv.join(' ')} failed (${r.rc}): ${r.stderr}`);
  return r.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function keygen(file: string): Promise<void> {
  await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'converge-test', '-f', file]);
}

/**
 * `sftp: false` starts a server without an SFTP subsystem (some hardened hosts);
 * `maxSessions` lowers OpenSSH's limit of sessions per connection (default 10).
 */
export async function startSshd(opts: { sftp?: boolean; maxSessions?: number } = {}): Promise<Sshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cvg-ssh-'));
  fs.chmodSync(dir, 0o755); // the users' sshd children read authorized_keys from here
  await keygen(path.join(dir, 'host_key'));
  await keygen(path.join(dir, 'client_key'));
  await keygen(path.join(dir, 'wrong_key'));
  fs.copyFileSync(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  fs.chmodSync(path.join(dir, 'authorized_keys'), 0o644);
  fs.mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${dir}/host_key`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    'StrictModes no',
    'UsePAM no',
    `PidFile ${dir}/sshd.pid`,
    'PermitRootLogin yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    // bash reads ~/.bashrc for an sshd command only at shell level 1. The build
    // machines' root runs `pyenv init` (and its 60 s rehash lock, left behind when
    // the fault tests cut a session) from there: not converge's cost, so kept out.
    'SetEnv SHLVL=1',
    ...(opts.sftp === false ? [] : ['Subsystem sftp /usr/lib/openssh/sftp-server']),
    ...(opts.maxSessions ? [`MaxSessions ${opts.maxSessions}`] : []),
    process.env.CVG_SSHD_DEBUG ? 'LogLevel DEBUG1' : 'LogLevel ERROR',
  ].join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'sshd_config'), config);
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); if (process.env.CVG_SSHD_DEBUG) process.stderr.write(d); });
  // Ready when the port accepts a connection.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${log}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (i > 200) throw new Error(`sshd did not listen: ${log}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const hostKeyPub = fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKeyPub}\n`);
  const pid = child.pid!;
  return {
    dir, port, pid, knownHosts, hostKeyPub,
    clientKey: path.join(dir, 'client_key'),
    wrongKey: path.join(dir, 'wrong_key'),
    async sessionPids() {
      const r = await runLocal(['pgrep', '-P', String(pid)]);
      return r.stdout.split('\n').filter(Boolean).map(Number);
    },
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Kills a process and all its descendants (SIGKILL): drops that SSH connection.
 * Top down, so the session's sshd dies before the command could report its exit.
 */
export async function killTree(pid: number): Promise<void> {
  const all: number[] = [];
  const collect = async (p: number) => {
    all.push(p);
    const r = await runLocal(['pgrep', '-P', String(p)]);
    for (const c of r.stdout.split('\n').filter(Boolean)) await collect(Number(c));
  };
  await collect(pid);
  for (const p of all) {
    try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
  }
}

export async function createUsers(u: TestUsers): Promise<void> {
  await removeUsers(u);
  for (const name of [u.nopw, u.pw]) {
    await must(['useradd', '-m', '-s', '/bin/sh', name]);
    // A password also unlocks the account: sshd without PAM refuses locked accounts.
    await must(['chpasswd'], `${name}:${USER_PASSWORD}\n`);
  }
  const rules = `${u.nopw} ALL=(ALL) NOPASSWD: ALL\n${u.pw} ALL=(ALL) ALL\nDefaults:${u.pw} !lecture\n`;
  fs.writeFileSync(u.sudoers + '.tmp', rules, { mode: 0o440 });
  await must(['visudo', '-c', '-q', '-f', u.sudoers + '.tmp']);
  fs.renameSync(u.sudoers + '.tmp', u.sudoers);
}

export async function removeUsers(u: TestUsers): Promise<void> {
  fs.rmSync(u.sudoers, { force: true });
  fs.rmSync(u.sudoers + '.tmp', { force: true });
  for (const name of [u.nopw, u.pw]) {
    const r = await runLocal(['id', '-u', name]);
    if (r.rc === 0) await runLocal(['userdel', '-r', '-f', name]);
  }
}
