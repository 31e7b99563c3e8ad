// Clients of the head node's name server on the private network: dig from a
// namespace on the bed's private bridge, and the name server and domain a
// DHCP lease carries (udhcpc's dns and domain).

import { rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BedHost } from '../bed/index.js';
import { run, runOk, type ProcResult } from '../bed/proc.js';

let seq = 0;

/** Runs `fn` with a fresh namespace whose veth is on the private bridge (an address when given); removed afterwards. */
async function onPrivateNetwork<T>(h: BedHost, cidr: string | undefined, mac: string | undefined, fn: (ns: string, dev: string) => Promise<T>): Promise<T> {
  const id = `${process.pid % 10000}${seq++}`;
  const ns = `cvdns-${id}`;
  const a = `cvdn${id}a`;
  const b = `cvdn${id}b`;
  try {
    await runOk(['ip', 'netns', 'add', ns]);
    await runOk(['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    await runOk(['ip', 'link', 'set', a, 'netns', h.switchNetns]);
    await runOk(['ip', '-n', h.switchNetns, 'link', 'set', a, 'master', h.bridge, 'up']);
    await runOk(['ip', 'link', 'set', b, 'netns', ns]);
    if (mac) await runOk(['ip', '-n', ns, 'link', 'set', b, 'address', mac]);
    if (cidr) await runOk(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', b]);
    await runOk(['ip', '-n', ns, 'link', 'set', b, 'up']);
    return await fn(ns, b);
  } finally {
    await run(['ip', '-n', h.switchNetns, 'link', 'del', a]);
    await run(['ip', 'netns', 'del', ns]);
  }
}

/** `dig +short ARGS` against `server` from the private network (192.168.0.252). */
export async function digPrivate(h: BedHost, server: string, args: string[]): Promise<ProcResult> {
  return onPrivateNetwork(h, '192.168.0.252/24', undefined, (ns) =>
    run(['ip', 'netns', 'exec', ns, 'dig', `@${server}`, '+short', '+time=3', '+tries=2', ...args], { timeoutMs: 30_000 }));
}

/** The name servers and domain a DHCP lease for `mac` carries. */
export async function dhcpNameService(h: BedHost, mac: string): Promise<{ dns?: string; domain?: string }> {
  const script = path.join(os.tmpdir(), `converge-dns-udhcpc-${process.pid}-${seq++}.sh`);
  writeFileSync(script, '#!/bin/sh\n[ "$1" = bound ] && echo "BOUND dns=$dns domain=$domain"\nexit 0\n', { mode: 0o755 });
  try {
    return await onPrivateNetwork(h, undefined, mac, async (ns, dev) => {
      const r = await run(['ip', 'netns', 'exec', ns, 'udhcpc', '-f', '-q', '-n', '-t', '4', '-T', '2', '-i', dev, '-s', script], { timeoutMs: 60_000 });
      const m = /BOUND dns=(\S*) domain=(\S*)/.exec(r.stdout);
      return m ? { dns: m[1] || undefined, domain: m[2] || undefined } : {};
    });
  } finally {
    rmSync(script, { force: true });
  }
}
