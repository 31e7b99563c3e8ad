// A small reader for OpenSSH client configuration (~/.ssh/config), for the
// keywords converge honours: Host, HostName, User, Port, IdentityFile,
// UserKnownHostsFile. ssh_config(5) rules kept: keywords are case-insensitive,
// `key value` or `key=value`, the first value obtained for a keyword wins
// (IdentityFile accumulates), Host patterns use `*`/`?` and `!` negation.
// Not supported (ignored, said here): Match blocks (their keywords are
// skipped), Include, tokens other than %h %p %r %u %d %%, and options that only
// tune OpenSSH. ProxyJump, ProxyCommand, HostKeyAlias and CertificateFile would
// change where or how to connect: they are reported (`unsupported`) and refused.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SshConfigBlock {
  patterns: string[];
  /** Lower-cased keyword -> values in file order. */
  options: Array<[string, string]>;
}

export interface ResolvedSshConfig {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  userKnownHostsFile?: string;
  /** Keywords that change where or how to connect and that converge cannot honour (ProxyJump ...). */
  unsupported: string[];
}

/** These would make a direct connection go to the wrong place or fail mysteriously: refuse them. */
const UNSUPPORTED = new Map([['proxyjump', 'ProxyJump'], ['proxycommand', 'ProxyCommand'], ['hostkeyalias', 'HostKeyAlias'],
  ['certificatefile', 'CertificateFile']]);

function splitArgs(rest: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m;
  while ((m = re.exec(rest))) out.push(m[1] ?? m[2]);
  return out;
}

export function parseSshConfig(text: string): SshConfigBlock[] {
  // Options before the first Host line apply to every host.
  const blocks: SshConfigBlock[] = [{ patterns: ['*'], options: [] }];
  let current: SshConfigBlock | null = blocks[0];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const args = splitArgs(m[2]);
    if (key === 'host') {
      current = { patterns: args, options: [] };
      blocks.push(current);
    } else if (key === 'match') {
      current = null; // unsupported: its options are skipped rather than misapplied
    } else if (current && args.length) {
      current.options.push([key, args.join(' ')]);
    }
  }
  return blocks;
}

function globMatch(pattern: string, name: string): boolean {
  const re = '^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$';
  return new RegExp(re, 'i').test(name);
}

export function hostMatches(patterns: string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

function expandTokens(value: string, t: { h: string; p: number; r: string }): string {
  const home = os.homedir();
  let v = value.replace(/%([%hprud])/g, (_, c: string) => {
    switch (c) {
      case '%': return '%';
      case 'h': return t.h;
      case 'p': return String(t.p);
      case 'r': return t.r;
      case 'u': return os.userInfo().username;
      case 'd': return home;
      default: return '';
    }
  });
  if (v === '~' || v.startsWith('~/')) v = path.join(home, v.slice(1));
  return v;
}

/** The options that apply to `alias` (the name given on the command line / ansible_host). */
export function resolveSshConfig(blocks: SshConfigBlock[], alias: string): ResolvedSshConfig {
  const first = new Map<string, string>();
  const identities: string[] = [];
  for (const b of blocks) {
    if (!hostMatches(b.patterns, alias)) continue;
    for (const [k, v] of b.options) {
      if (k === 'identityfile') identities.push(v);
      else if (!first.has(k)) first.set(k, v);
    }
  }
  const hostName = first.has('hostname') ? first.get('hostname')!.replace(/%h/g, alias).replace(/%%/g, '%') : undefined;
  const portStr = first.get('port');
  const port = portStr && /^\d+$/.test(portStr) ? Number(portStr) : undefined;
  const user = first.get('user');
  const tokens = { h: hostName ?? alias, p: port ?? 22, r: user ?? os.userInfo().username };
  return {
    hostName,
    user,
    port,
    identityFiles: identities.filter((f) => f.toLowerCase() !== 'none').map((f) => expandTokens(f, tokens)),
    unsupported: [...UNSUPPORTED].filter(([k]) => first.has(k) && first.get(k)!.toLowerCase() !== 'none').map(([, name]) => name),
    userKnownHostsFile: first.has('userknownhostsfile')
      ? expandTokens(first.get('userknownhostsfile')!.split(/\s+/)[0], tokens) : undefined,
  };
}

/** Reads and resolves a config file; a missing file resolves to nothing. */
export function loadSshConfig(file: string, alias: string): ResolvedSshConfig {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { /* no config: defaults */ }
  return resolveSshConfig(parseSshConfig(text), alias);
}

export function defaultSshConfigFile(): string {
  return path.join(os.homedir(), '.ssh', 'config');
}
