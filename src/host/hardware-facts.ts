// The facts Ansible's setup reads from /proc and /sys that roles use for
// sizing and addressing: memory, processors, kernel, the default IPv4 route,
// mounts and the environment. One fixed script (no user data in it), parsed
// here; the names and shapes are Ansible's (ansible_memtotal_mb,
// ansible_processor_vcpus, ansible_default_ipv4.address, ansible_mounts[].size_total).

import type { HardwareFacts } from './hardware-facts-shape.js';

export type { HardwareFacts } from './hardware-facts-shape.js';

const SEP = '--cvg-facts--';

const SCRIPT = [
  // Each command is a process start (5-15 ms on a busy host): one uname, no head, and the
  // addresses come from the facts probe's own `ip -o -4 addr show` (gatherFacts).
  'uname -rv; nproc 2>/dev/null || echo 0',
  `echo ${SEP}; cat /proc/meminfo 2>/dev/null`,
  `echo ${SEP}; cat /proc/cpuinfo 2>/dev/null`,
  `echo ${SEP}; ip -o -4 route show default 2>/dev/null`,
  // read, not $(cat ...): two process starts fewer per interface (one line each; a missing file gives '').
  `echo ${SEP}; for d in /sys/class/net/*; do a=; m=; read -r a 2>/dev/null < "$d/address"; read -r m 2>/dev/null < "$d/mtu"; `
    + `echo "\${d##*/} $a $m"; done`,
  // Each mount line, then, from one stat for all the mounts that can be listed (see mounts()), their
  // statvfs numbers by mount point (as /proc writes it: escaped, one word): frsize blocks bfree bavail bsize files ffree.
  `echo ${SEP}; set --; while read -r dev mnt fs opts dump pass; do echo "M $dev $mnt $fs $opts $dump $pass"; `
    + `case $fs in none) continue ;; esac; case $dev in /*|\\\\*|*:/*) set -- "$@" "$mnt" ;; esac; done < /proc/self/mounts; `
    + `[ $# -eq 0 ] || stat -f -c 'S %n %S %b %f %a %s %c %d' -- "$@" 2>/dev/null`,
  `echo ${SEP}; env -0`,
].join('; ');

const mb = (kb: number | undefined) => Math.floor((kb ?? 0) / 1024);

function meminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(l);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

function cpus(text: string, nproc: number): Pick<HardwareFacts, 'processor' | 'processor_count' | 'processor_cores' | 'processor_threads_per_core' | 'processor_vcpus' | 'processor_nproc'> {
  const processor: string[] = [];
  const sockets = new Set<string>();
  let cores = 0;
  let siblings = 0;
  let vcpus = 0;
  for (const block of text.split(/\n\s*\n/)) {
    const f: Record<string, string> = {};
    for (const l of block.split('\n')) {
      const i = l.indexOf(':');
      if (i > 0) f[l.slice(0, i).trim()] = l.slice(i + 1).trim();
    }
    if (f.processor === undefined) continue;
    vcpus++;
    processor.push(f.processor, ...(f.vendor_id !== undefined ? [f.vendor_id] : []), ...(f['model name'] !== undefined ? [f['model name']] : []));
    if (f['physical id'] !== undefined) sockets.add(f['physical id']);
    if (f['cpu cores'] !== undefined) cores = Number(f['cpu cores']);
    if (f.siblings !== undefined) siblings = Number(f.siblings);
  }
  const count = sockets.size || 1;
  const perSocket = cores || 1;
  return {
    processor,
    processor_count: count,
    processor_cores: perSocket,
    processor_threads_per_core: siblings && cores ? Math.max(1, Math.floor(siblings / cores)) : 1,
    processor_vcpus: vcpus,
    processor_nproc: nproc || vcpus,
  };
}

function netmaskOf(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
}

function defaultIpv4(route: string, addrs: string, links: string): Record<string, unknown> {
  const r = /^default(?:\s+via\s+(\S+))?\s+dev\s+(\S+)/.exec(route.trim());
  if (!r) return {};
  const [, gateway, iface] = r;
  const a = addrs.split('\n').map((l) => /^\d+:\s+(\S+)\s+inet\s+(\S+)\/(\d+)(?:\s+brd\s+(\S+))?/.exec(l)).find((m) => m && m[1] === iface);
  const link = links.split('\n').map((l) => l.split(' ')).find((f) => f[0] === iface);
  const out: Record<string, unknown> = { interface: iface, alias: iface, gateway: gateway ?? 'unknown' };
  if (a) {
    const prefix = Number(a[3]);
    const mask = netmaskOf(prefix);
    const net = a[2].split('.').map((o, i) => Number(o) & Number(mask.split('.')[i])).join('.');
    Object.assign(out, { address: a[2], prefix: String(prefix), netmask: mask, network: net, broadcast: a[4] ?? '' });
  }
  if (link) {
    if (link[1]) out.macaddress = link[1];
    if (link[2]) out.mtu = Number(link[2]);
    out.type = iface === 'lo' ? 'loopback' : 'ether';
  }
  return out;
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

function mounts(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const lines = text.split('\n');
  const statvfs = new Map<string, RegExpExecArray>();
  for (const l of lines) {
    const s = /^S (\S+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$/.exec(l);
    if (s) statvfs.set(s[1], s);
  }
  for (let i = 0; i < lines.length; i++) {
    const m = /^M (\S+) (\S+) (\S+) (\S+) (\d+) (\d+)$/.exec(lines[i]);
    if (!m) continue;
    const s = statvfs.get(m[2]);
    const [, dev, mnt, fstype, options, dump, pass] = m;
    const device = unescape(dev);
    // Ansible lists block devices, network shares and bind mounts only.
    if ((!device.startsWith('/') && !device.startsWith('\\') && !device.includes(':/')) || fstype === 'none') continue;
    const entry: Record<string, unknown> = { mount: unescape(mnt), device, fstype, options, dump: Number(dump), passno: Number(pass), uuid: 'N/A' };
    if (s) {
      const [frsize, blocks, bfree, bavail, bsize, files, ffree] = s.slice(2).map(Number);
      Object.assign(entry, {
        size_total: frsize * blocks, size_available: frsize * bavail,
        block_size: bsize, block_total: blocks, block_available: bavail, block_used: blocks - bfree,
        inode_total: files, inode_available: ffree, inode_used: files - ffree,
      });
    }
    out.push(entry);
  }
  return out;
}

function environment(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of text.replace(/^\n/, '').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** The fixed script whose output parseHardwareFacts reads (gatherFacts runs it with its own probe, one command). */
export const HARDWARE_SCRIPT = SCRIPT;

/** `addrs`: the host's `ip -o -4 addr show`. */
export function parseHardwareFacts(stdout: string, addrs: string): HardwareFacts {
  const parts = stdout.split(`${SEP}\n`);
  const [head = '', mem = '', cpu = '', route = '', links = '', mnt = '', env = ''] = parts;
  const [unameRv = '', nproc = '0'] = head.split('\n');
  // `uname -rv`: the release has no space, the version may have many.
  const sp = unameRv.indexOf(' ');
  const [kernel, kernelVersion] = sp < 0 ? [unameRv, ''] : [unameRv.slice(0, sp), unameRv.slice(sp + 1)];
  const mi = meminfo(mem);
  return {
    kernel,
    kernel_version: kernelVersion,
    memtotal_mb: mb(mi.MemTotal),
    memfree_mb: mb(mi.MemFree),
    swaptotal_mb: mb(mi.SwapTotal),
    swapfree_mb: mb(mi.SwapFree),
    ...cpus(cpu, Number(nproc)),
    default_ipv4: defaultIpv4(route, addrs, links),
    mounts: mounts(mnt),
    env: environment(env),
  };
}
