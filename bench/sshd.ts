// The benchmark's own OpenSSH server: throwaway host and client keys, a free
// loopback port, root login with the client key, and limits raised so that
// 200 hosts' connections arriving at once are not dropped by MaxStartups.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface BenchSshd {
  port: number;
  keyFile: string;
  knownHosts: string;
  stop(): Promise<void>;
  /** Immediate SIGTERM, for an interrupted bench. */
  kill(): void;
  /**
   * CPU time (ms) used so far by the server side of every session: sshd's
   * session processes and what they ran (ansible's remote python, converge's
   * sftp-server). From a cpuacct cgroup holding the listener; undefined where
   * there is none.
   */
  serverCpuMs(): number | undefined;
}

const CPUACCT = '/sys/fs/cgroup/cpuacct';

/** A cpuacct (accounting only, no limits) cgroup for the listener; its children inherit it. */
function accountingCgroup(pid: number): string | undefined {
  if (!fs.existsSync(path.join(CPUACCT, 'cpuacct.usage'))) return undefined;
  const dir = path.join(CPUACCT, `converge-bench-sshd-${pid}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
    return dir;
  } catch {
    return undefined;
  }
}

function removeAccountingCgroup(dir: string | undefined): void {
  if (!dir) return;
  try {
    for (const p of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try { fs.writeFileSync(path.join(CPUACCT, 'cgroup.procs'), p); } catch { /* exited */ }
    }
    fs.rmdirSync(dir);
  } catch { /* busy or gone */ }
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

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'converge-bench', '-f', file]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

/** Starts sshd in dir (which must exist and be empty of keys). */
export async function startBenchSshd(dir: string): Promise<BenchSshd> {
  keygen(path.join(dir, 'host_key'));
  keygen(path.join(dir, 'client_key'));
  fs.copyFileSync(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  fs.mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'sshd_config'), [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${dir}/host_key`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    `PidFile ${dir}/sshd.pid`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // 50-200 clients connect at the same moment; the defaults (10:30:100, 10 sessions) drop them.
    'MaxStartups 1000',
    'MaxSessions 1000',
    'UseDNS no',
    // bash reads ~/.bashrc for an sshd command only at shell level 1; this machine's root
    // runs `pyenv init` there (~0.4 s a session). Both tools would pay it on every session,
    // ansible far more often: kept out so that the ratio measures the tools, not a dotfile.
    'SetEnv SHLVL=1',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    'LogLevel ERROR',
  ].join('\n') + '\n');
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  for (let i = 0; !(await portOpen(port)); i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${log}`);
    if (i > 400) throw new Error(`sshd did not listen: ${log}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  // Before any session starts, so that every session is counted.
  const acct = accountingCgroup(child.pid!);
  const hostKey = fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);
  return {
    port,
    keyFile: path.join(dir, 'client_key'),
    knownHosts,
    kill() {
      if (child.exitCode === null) child.kill('SIGTERM');
      removeAccountingCgroup(acct);
    },
    serverCpuMs() {
      if (!acct) return undefined;
      try {
        return Number(fs.readFileSync(path.join(acct, 'cpuacct.usage'), 'utf8')) / 1e6;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      removeAccountingCgroup(acct);
    },
  };
}
