// Host key checking against an OpenSSH known_hosts file, the way `ssh` does
// with StrictHostKeyChecking=yes (default) or accept-new (--accept-new-host-keys).
//
// Format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): `[marker] hostpatterns keytype base64-key [comment]`.
// Host patterns are comma-separated, may use `*`/`?` wildcards and `!` negation, and name
// non-standard ports as `[host]:port`. Hashed entries are `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.

import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface KnownHostEntry {
  marker?: '@revoked' | '@cert-authority';
  patterns: string;
  keyType: string;
  key: Buffer;
  line: number;
}

/** `host` for port 22, `[host]:port` otherwise: the name known_hosts stores. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** SHA256 fingerprint as OpenSSH prints it: `SHA256:` + unpadded base64. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type is the first string inside the wire-format key blob. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const f = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (f[0].startsWith('@')) {
      if (f[0] !== '@revoked' && f[0] !== '@cert-authority') return;
      marker = f.shift() as KnownHostEntry['marker'];
    }
    if (f.length < 3) return;
    const key = Buffer.from(f[2], 'base64');
    if (key.length === 0) return;
    out.push({ marker, patterns: f[0], keyType: f[1], key, line: i + 1 });
  });
  return out;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const re = '^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$';
  return new RegExp(re, 'i').test(name);
}

function hashedMatch(entry: string, name: string): boolean {
  const m = /^\|1\|([^|]+)\|([^|]+)$/.exec(entry);
  if (!m) return false;
  const salt = Buffer.from(m[1], 'base64');
  const want = Buffer.from(m[2], 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return got.equals(want);
}

/** Does a host-pattern field match `name` (already in `[host]:port` form when needed)? */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (wildcardMatch(p.slice(1), name)) return false; // a negated match wins over everything
    } else if (wildcardMatch(p, name)) matched = true;
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown' }
  | { status: 'changed'; knownTypes: string[]; lines: number[] }
  | { status: 'revoked'; line: number };

/** Compares a presented key with the entries for `name`. */
export function checkHostKey(entries: KnownHostEntry[], name: string, keyBlob: Buffer): HostKeyVerdict {
  const mine = entries.filter((e) => e.marker !== '@cert-authority' && patternsMatch(e.patterns, name));
  const revoked = mine.find((e) => e.marker === '@revoked' && e.key.equals(keyBlob));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = mine.filter((e) => !e.marker);
  if (plain.some((e) => e.key.equals(keyBlob))) return { status: 'known' };
  if (plain.length === 0) return { status: 'unknown' };
  return { status: 'changed', knownTypes: [...new Set(plain.map((e) => e.keyType))], lines: plain.map((e) => e.line) };
}

/** Key types known for `name`, so the connection can prefer them (as OpenSSH does). */
export function knownKeyTypes(entries: KnownHostEntry[], name: string): string[] {
  return [...new Set(entries.filter((e) => !e.marker && patternsMatch(e.patterns, name)).map((e) => e.keyType))];
}

/**
 * Synchronous on purpose (a small file): a connection's whole start, up to the socket's connect,
 * then happens in the call that asks for it, before the caller goes on with its own work.
 */
export function readKnownHosts(file: string): KnownHostEntry[] {
  try {
    return parseKnownHosts(readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/**
 * Records a newly accepted key (accept-new). One appended line per key; an
 * O_APPEND write of one short line is atomic, so parallel hosts do not interleave.
 */
export async function appendKnownHost(file: string, name: string, keyBlob: Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const line = `${name} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`;
  // The file may not end with a newline (hand edited): start ours on a fresh line.
  let prefix = '';
  try {
    const fh = await fs.open(file, 'r');
    try {
      const st = await fh.stat();
      if (st.size > 0) {
        const b = Buffer.alloc(1);
        await fh.read(b, 0, 1, st.size - 1);
        if (b[0] !== 0x0a) prefix = '\n';
      }
    } finally { await fh.close(); }
  } catch { /* missing: created below */ }
  await fs.appendFile(file, prefix + line, { mode: 0o600 });
}
