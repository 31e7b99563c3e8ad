// From an inventory host and its variables to a Host: local, ssh or chroot,
// with Ansible's connection variables. Nothing is contacted here; an SshHost
// connects on first use (or its connect()), failing with HostUnreachableError.

import * as os from 'node:os';
import * as path from 'node:path';
import { ChrootHost } from './chroot-host.js';
import type { Host } from './host.js';
import { LocalHost } from './local-host.js';
import { defaultSshConfigFile, loadSshConfig } from './ssh-config.js';
import { SshHost } from './ssh-host.js';

export interface ConnectOptions {
  /** Record unknown host keys instead of refusing (OpenSSH accept-new). */
  acceptNewHostKeys?: boolean;
  /** Default: ~/.ssh/config's UserKnownHostsFile, else ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** Default: ~/.ssh/config. */
  sshConfigFile?: string;
  /** TCP connect + SSH handshake limit; also the limit for sudo to start a command. Default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Remember stat/readFile results until the host may have changed (SshHost): for one run, whose own
   * writes and commands are what change the host. A host kept across runs (a test watching a bed host
   * while separate converge processes change it) must not, or it sees stale files.
   */
  rememberObservations?: boolean;
}

/** A connection variable that is set but wrong: a configuration error, found before any host is contacted. */
export class ConnectionConfigError extends Error {
  constructor(public readonly host: string, message: string) {
    super(message);
    this.name = 'ConnectionConfigError';
  }
}

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

function str(vars: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = vars[n];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return undefined;
}

function bool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return ['yes', 'true', 'on', '1', 'y'].includes(v.toLowerCase());
  return false;
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** Which connection a host uses: ansible_connection, else local for an implicit localhost, else ssh. */
export function connectionKind(name: string, vars: Record<string, unknown>): 'local' | 'ssh' | 'chroot' {
  const c = str(vars, 'ansible_connection');
  if (c === undefined) return LOCAL_NAMES.has(name) && str(vars, 'ansible_host') === undefined ? 'local' : 'ssh';
  switch (c) {
    case 'local': case 'ansible.builtin.local': return 'local';
    case 'ssh': case 'smart': case 'paramiko': case 'ansible.builtin.ssh': case 'ansible.builtin.paramiko_ssh': return 'ssh';
    case 'chroot': case 'community.general.chroot': return 'chroot';
    default:
      throw new ConnectionConfigError(name, `ansible_connection: '${c}' is not supported (use ssh, local or chroot)`);
  }
}

/** ansible_timeout / ansible_ssh_timeout: seconds, as in Ansible. */
function timeoutVar(name: string, vars: Record<string, unknown>): number | undefined {
  const t = str(vars, 'ansible_timeout', 'ansible_ssh_timeout');
  if (t === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(t) || Number(t) <= 0) throw new ConnectionConfigError(name, `ansible_timeout: '${t}' is not a number of seconds`);
  return Number(t) * 1000;
}

export function connectHost(name: string, vars: Record<string, unknown>, opts: ConnectOptions = {}): Host {
  const kind = connectionKind(name, vars);
  if (kind === 'local') return new LocalHost(name);
  if (kind === 'chroot') {
    const tree = str(vars, 'ansible_chroot_path', 'ansible_host') ?? name;
    if (!path.isAbsolute(tree)) {
      throw new ConnectionConfigError(name, `chroot host needs an absolute tree path (ansible_chroot_path or ansible_host), got '${tree}'`);
    }
    return new ChrootHost(name, tree);
  }

  // OpenSSH command-line options cannot apply: converge speaks SSH itself. Say so rather than ignore them.
  for (const v of ['ansible_ssh_common_args', 'ansible_ssh_extra_args', 'ansible_ssh_args', 'ansible_ssh_executable',
    'ansible_become_flags', 'ansible_become_exe']) {
    if (str(vars, v) !== undefined) {
      throw new ConnectionConfigError(name, `${v} is not supported: converge connects with its own SSH client `
        + '(use ~/.ssh/config Host/HostName/User/Port/IdentityFile, or ansible_host/ansible_port/ansible_user)');
    }
  }
  const becomeMethod = str(vars, 'ansible_become_method');
  if (becomeMethod !== undefined && becomeMethod !== 'sudo') {
    throw new ConnectionConfigError(name, `ansible_become_method: '${becomeMethod}' is not supported (only sudo)`);
  }
  // ~/.ssh/config is matched against the name ssh would be given: ansible_host, else the inventory name.
  const alias = str(vars, 'ansible_host', 'ansible_ssh_host') ?? name;
  const cfgFile = opts.sshConfigFile ?? defaultSshConfigFile();
  const cfg = loadSshConfig(cfgFile, alias);
  if (cfg.unsupported.length) {
    throw new ConnectionConfigError(name, `${cfgFile} sets ${cfg.unsupported.join(', ')} for ${alias}: not supported by converge's SSH client`);
  }
  const portStr = str(vars, 'ansible_port', 'ansible_ssh_port');
  let port = cfg.port ?? 22;
  if (portStr !== undefined) {
    if (!/^\d+$/.test(portStr) || Number(portStr) < 1 || Number(portStr) > 65535) {
      throw new ConnectionConfigError(name, `ansible_port: '${portStr}' is not a port number`);
    }
    port = Number(portStr);
  }
  const user = str(vars, 'ansible_user', 'ansible_ssh_user') ?? cfg.user ?? os.userInfo().username;
  const keyVar = str(vars, 'ansible_ssh_private_key_file', 'ansible_private_key_file');
  const privateKeyFiles = [...(keyVar ? [expandHome(keyVar)] : []), ...cfg.identityFiles];
  const become = bool(vars.ansible_become);
  return new SshHost({
    name,
    host: cfg.hostName ?? alias,
    port,
    user,
    privateKeyFiles,
    // OpenSSH's default identities are tried only when nothing names a key.
    tryDefaultKeys: privateKeyFiles.length === 0,
    password: str(vars, 'ansible_password', 'ansible_ssh_pass', 'ansible_ssh_password'),
    agentSocket: process.env.SSH_AUTH_SOCK || undefined,
    knownHostsFile: opts.knownHostsFile ?? cfg.userKnownHostsFile ?? path.join(os.homedir(), '.ssh', 'known_hosts'),
    acceptNewHostKeys: opts.acceptNewHostKeys ?? false,
    connectTimeoutMs: timeoutVar(name, vars) ?? opts.connectTimeoutMs ?? 10000,
    rememberObservations: opts.rememberObservations ?? false,
    become: become
      ? {
        user: str(vars, 'ansible_become_user') ?? 'root',
        password: str(vars, 'ansible_become_password', 'ansible_become_pass', 'ansible_sudo_pass'),
      }
      : undefined,
  });
}
