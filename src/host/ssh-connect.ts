// Opening one ssh2 connection: authentication methods in OpenSSH's spirit,
// host key checking against known_hosts, and one-line HostUnreachableErrors.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AuthenticationType, Client, ConnectConfig } from 'ssh2';
import { HostUnreachableError } from './host.js';
import { loadSsh2Client, loadSsh2ParseKey } from './ssh2-load.cjs';
import {
  appendKnownHost, checkHostKey, fingerprintSha256, keyTypeOf, knownHostsName, knownKeyTypes, readKnownHosts,
} from './known-hosts.js';

// ssh2 is loaded on the first SSH connection only (ssh2-load.cts).
interface Ssh2 {
  Client: ReturnType<typeof loadSsh2Client>;
  utils: { parseKey: ReturnType<typeof loadSsh2ParseKey> };
}
let ssh2Module: Ssh2 | undefined;
function loadSsh2(): Ssh2 {
  ssh2Module ??= { Client: loadSsh2Client(), utils: { parseKey: loadSsh2ParseKey() } };
  return ssh2Module;
}

/**
 * For the bundle's code-cache training run (scripts/bundle.mjs), which runs
 * locally: loads ssh2 and builds a client so that its code is in the cache too.
 */
export function warmSsh2ForCodeCache(): void {
  new (loadSsh2().Client)().removeAllListeners();
}

export interface SshTarget {
  /** Inventory name (for errors). */
  name: string;
  /** Address or DNS name to connect to (after ~/.ssh/config HostName). */
  host: string;
  port: number;
  user: string;
  /** Private key files tried first, in order. */
  privateKeyFiles: string[];
  /** Also try ~/.ssh/id_ed25519, id_ecdsa, id_rsa (OpenSSH's defaults) when present. */
  tryDefaultKeys: boolean;
  password?: string;
  /** ssh-agent socket (SSH_AUTH_SOCK). */
  agentSocket?: string;
  knownHostsFile: string;
  acceptNewHostKeys: boolean;
  connectTimeoutMs: number;
}

// ssh2's supported host key algorithms, in its default order.
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
];

/** OpenSSH prefers the algorithms of keys it already knows, so a known host is not "changed" by a new key type. */
function preferredHostKeyAlgorithms(known: string[]): string[] {
  const first: string[] = [];
  for (const t of known) {
    for (const a of t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]) {
      if (HOST_KEY_ALGORITHMS.includes(a) && !first.includes(a)) first.push(a);
    }
  }
  return [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

interface AuthPlan {
  methods: Array<Record<string, unknown> & { type: AuthenticationType; label: string }>;
  notes: string[];
}

function planAuth(t: SshTarget, ssh2: Ssh2): AuthPlan {
  const methods: AuthPlan['methods'] = [];
  const notes: string[] = [];
  const keyFiles = [...t.privateKeyFiles];
  if (t.tryDefaultKeys) {
    for (const f of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      const p = path.join(os.homedir(), '.ssh', f);
      if (fs.existsSync(p) && !keyFiles.includes(p)) keyFiles.push(p);
    }
  }
  const explicit = new Set(t.privateKeyFiles);
  for (const file of keyFiles) {
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      if (explicit.has(file)) notes.push(`cannot read key ${file}: ${(e as NodeJS.ErrnoException).code}`);
      continue;
    }
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      notes.push(`key ${file} not usable (${/encrypt|passphrase/i.test(parsed.message) ? 'encrypted, no passphrase support' : parsed.message})`);
      continue;
    }
    methods.push({ type: 'publickey', username: t.user, key: data, label: `key ${file}` });
  }
  if (t.agentSocket) methods.push({ type: 'agent', username: t.user, agent: t.agentSocket, label: 'ssh-agent' });
  if (t.password !== undefined) {
    const password = t.password;
    methods.push({ type: 'password', username: t.user, password, label: 'password' });
    methods.push({
      type: 'keyboard-interactive', username: t.user, label: 'keyboard-interactive',
      // Answer password-looking prompts with the password, anything else with nothing.
      prompt: (_n: string, _i: string, _l: string, prompts: Array<{ prompt: string }>, finish: (r: string[]) => void) =>
        finish(prompts.map((p) => (/password/i.test(p.prompt) ? password : ''))),
    });
  }
  return { methods, notes };
}

function socketMessage(e: NodeJS.ErrnoException, t: SshTarget, timeoutMs: number): string {
  const where = `${t.host}:${t.port}`;
  switch (e.code) {
    case 'ECONNREFUSED': return `cannot connect to ${where}: connection refused`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `cannot resolve host name ${t.host}`;
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `cannot connect to ${where}: no route to host`;
    case 'ETIMEDOUT': return `cannot connect to ${where}: timed out`;
    case 'ECONNRESET': return `connection to ${where} reset during the SSH handshake`;
  }
  if (/timed out while waiting for handshake/i.test(e.message)) {
    return `cannot connect to ${where}: no SSH handshake within ${Math.round(timeoutMs / 1000)} s`;
  }
  return `cannot connect to ${where}: ${e.message.split('\n')[0]}`;
}

/** A failure before the server said anything: sshd's MaxStartups drops excess new connections so. */
class DroppedBeforeHandshake extends HostUnreachableError {}

const CONNECT_ATTEMPTS = 4;

/**
 * Connects, checks the host key, authenticates. Rejects with HostUnreachableError only.
 * A connection the server drops before its greeting is retried a few times after a
 * short random pause: many hosts behind one sshd (or a bastion) start at once.
 */
export async function openSshConnection(t: SshTarget): Promise<Client> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(t);
    } catch (e) {
      if (!(e instanceof DroppedBeforeHandshake) || attempt >= CONNECT_ATTEMPTS) {
        throw e instanceof DroppedBeforeHandshake ? new HostUnreachableError(t.name, e.message) : e;
      }
      await new Promise((r) => setTimeout(r, 100 * attempt + Math.random() * 400));
    }
  }
}

async function connectOnce(t: SshTarget): Promise<Client> {
  const name = knownHostsName(t.host, t.port);
  let entries;
  try {
    entries = readKnownHosts(t.knownHostsFile);
  } catch (e) {
    throw new HostUnreachableError(t.name, `cannot read known hosts file ${t.knownHostsFile}: ${(e as Error).message}`);
  }
  const ssh2 = loadSsh2();
  const { methods, notes } = planAuth(t, ssh2);
  if (methods.length === 0) {
    throw new HostUnreachableError(t.name, `no way to authenticate to ${t.user}@${t.host}:${t.port}: no usable key, `
      + `no ssh-agent (SSH_AUTH_SOCK), no password${notes.length ? ` (${notes.join('; ')})` : ''}`);
  }
  let hostKeyProblem: string | undefined;
  const tried: string[] = [];
  const client = new ssh2.Client();
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    let greeted = false;
    const fail = (msg: string, dropped = false) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(dropped && !greeted && !hostKeyProblem ? new DroppedBeforeHandshake(t.name, msg) : new HostUnreachableError(t.name, msg));
    };
    client.on('handshake', () => { greeted = true; });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      resolve(client);
    });
    client.on('error', (e: Error & { level?: string; code?: string }) => {
      if (hostKeyProblem) return fail(hostKeyProblem);
      if (e.level === 'client-authentication') {
        return fail(`authentication failed for ${t.user}@${t.host}:${t.port} (tried: ${tried.join(', ') || 'nothing'}`
          + `${notes.length ? `; ${notes.join('; ')}` : ''})`);
      }
      if (e.level === 'client-timeout') {
        return fail(`cannot connect to ${t.host}:${t.port}: no SSH handshake within ${Math.round(t.connectTimeoutMs / 1000)} s`);
      }
      const code = (e as NodeJS.ErrnoException).code;
      fail(socketMessage(e as NodeJS.ErrnoException, t, t.connectTimeoutMs),
        code === 'ECONNRESET' || /lost before handshake/i.test(e.message));
    });
    client.on('close', () => fail(hostKeyProblem ?? `connection to ${t.host}:${t.port} closed during the SSH handshake`, true));
    let next = 0;
    const cfg: ConnectConfig = {
      host: t.host,
      port: t.port,
      username: t.user,
      readyTimeout: t.connectTimeoutMs,
      keepaliveInterval: 15000,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(knownKeyTypes(entries, name)) as never },
      authHandler: (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, cb: (next: never) => void) => {
        while (next < methods.length) {
          const m = methods[next++];
          if (methodsLeft && !methodsLeft.includes(m.type)) continue;
          tried.push(m.label);
          const { label: _label, ...auth } = m;
          return cb(auth as never);
        }
        return cb(false as never);
      },
      hostVerifier: ((key: Buffer, verify: (ok: boolean) => void) => {
        const verdict = checkHostKey(entries, name, key);
        const fp = `${keyTypeOf(key)} key ${fingerprintSha256(key)}`;
        if (verdict.status === 'known') return verify(true);
        if (verdict.status === 'revoked') {
          hostKeyProblem = `host key of ${name} (${fp}) is marked @revoked in ${t.knownHostsFile} line ${verdict.line}`;
          return verify(false);
        }
        if (verdict.status === 'changed') {
          hostKeyProblem = `HOST KEY CHANGED for ${name}: it presents ${fp}, which does not match the key in `
            + `${t.knownHostsFile} line ${verdict.lines.join(',')} (possible man-in-the-middle attack); if the change is `
            + `expected, remove the old key with: ssh-keygen -R '${name}' -f ${t.knownHostsFile}`;
          return verify(false);
        }
        if (!t.acceptNewHostKeys) {
          hostKeyProblem = `host key of ${name} is not known (${fp} not in ${t.knownHostsFile}); `
            + `check the fingerprint and run with --accept-new-host-keys to record it`;
          return verify(false);
        }
        appendKnownHost(t.knownHostsFile, name, key).then(() => verify(true), (e: Error) => {
          hostKeyProblem = `cannot record the host key of ${name} in ${t.knownHostsFile}: ${e.message}`;
          verify(false);
        });
      }) as never,
    };
    try {
      client.connect(cfg);
    } catch (e) {
      fail(`cannot connect to ${t.host}:${t.port}: ${(e as Error).message}`);
    }
  });
}
