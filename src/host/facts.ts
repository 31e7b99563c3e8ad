// Facts shared by every Host kind: parsed from os-release and one command.

import type { Facts, Host } from './host.js';
import { HARDWARE_SCRIPT, parseHardwareFacts } from './hardware-facts.js';

const PROBE_END = '--cvg-probe-end--';

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]] = v.replace(/\\(.)/g, '$1');
  }
  return out;
}

/** Ansible's os_family for an os-release ID / ID_LIKE. */
export function osFamily(id: string, idLike: string): string {
  const ids = [id, ...idLike.split(/\s+/)].filter(Boolean);
  if (ids.some((i) => ['rhel', 'fedora', 'centos', 'rocky', 'almalinux'].includes(i))) return 'RedHat';
  if (ids.some((i) => i.startsWith('suse') || i.startsWith('opensuse') || i === 'sles' || i === 'sled')) return 'Suse';
  if (ids.some((i) => ['debian', 'ubuntu'].includes(i))) return 'Debian';
  return id ? id.charAt(0).toUpperCase() + id.slice(1) : 'Unknown';
}

const DISTRIBUTION_NAMES: Record<string, string> = {
  debian: 'Debian', ubuntu: 'Ubuntu', rocky: 'Rocky', rhel: 'RedHat', centos: 'CentOS', almalinux: 'AlmaLinux',
  fedora: 'Fedora', 'opensuse-leap': 'openSUSE Leap', sles: 'SLES', 'opensuse-tumbleweed': 'openSUSE Tumbleweed',
};

/**
 * os-release's text, or null. One that cannot be read (a link to a device, a
 * directory) says nothing about the system: the facts are "unknown", the run goes on.
 */
async function readOsRelease(host: Pick<Host, 'readFile'>): Promise<Buffer | null> {
  for (const p of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      const b = await host.readFile(p);
      if (b !== null) return b;
    } catch { /* unreadable: try the next one */ }
  }
  return null;
}

/**
 * Gathers facts with one file read and one command. The command is a fixed
 * script (no user data in it): hostname, machine, whether systemd is PID 1,
 * which package managers exist, and the IPv4 addresses.
 */
export async function gatherFacts(host: Pick<Host, 'readFile' | 'run'>, opts: { offline?: boolean } = {}): Promise<Facts> {
  const probe = [
    'uname -nm',
    opts.offline ? 'echo no' : '[ -d /run/systemd/system ] && echo yes || echo no',
    'for p in dnf zypper apt-get; do command -v $p >/dev/null 2>&1 && echo $p; done; echo --',
    'command -v systemctl >/dev/null 2>&1 && echo systemctl; echo --',
    'if command -v ip >/dev/null 2>&1; then ip -o -4 addr show 2>/dev/null; else ls /sys/class/net 2>/dev/null; fi',
  ].join('; ');
  // The file read and the probe overlap; the hardware facts come from the same command as the probe
  // (over SSH each command is a round trip, and through sudo they would wait for each other).
  const [osText, both] = await Promise.all([
    readOsRelease(host),
    // observeOnly: a host that remembers what it saw (a prefetch for a chroot tree's play) keeps it.
    host.run(['sh', '-c', opts.offline ? probe : `${probe}; echo ${PROBE_END}; ${HARDWARE_SCRIPT}`], { observeOnly: true }),
  ]);
  const end = both.stdout.indexOf(`${PROBE_END}\n`);
  const r = opts.offline || end < 0 ? both : { ...both, stdout: both.stdout.slice(0, end) };
  const lines = r.stdout.split('\n');
  const [nameAndMachine = '', sd = 'no'] = lines;
  const [hostname = '', arch = ''] = nameAndMachine.split(' ');
  const rest = lines.slice(2);
  const sep1 = rest.indexOf('--');
  const mgrs = rest.slice(0, sep1);
  const rest2 = rest.slice(sep1 + 1);
  const sep2 = rest2.indexOf('--');
  const hasSystemctl = rest2.slice(0, sep2).includes('systemctl');
  const ipLines = rest2.slice(sep2 + 1).filter(Boolean);
  const hardware = opts.offline ? undefined
    : parseHardwareFacts(end < 0 ? '' : both.stdout.slice(end + PROBE_END.length + 1), ipLines.join('\n'));
  const osr = parseOsRelease((osText ?? '').toString());
  const id = osr.ID ?? '';
  const family = osFamily(id, osr.ID_LIKE ?? '');
  const version = osr.VERSION_ID ?? '';
  const ipv4: Record<string, string[]> = {};
  const interfaces: string[] = [];
  for (const l of ipLines) {
    const m = /^\d+:\s+(\S+)\s+inet\s+(\S+)/.exec(l);
    if (m) {
      const ifname = m[1].replace(/@.*$/, '');
      (ipv4[ifname] ??= []).push(m[2]);
      if (!interfaces.includes(ifname)) interfaces.push(ifname);
    } else if (/^\S+$/.test(l) && !interfaces.includes(l)) interfaces.push(l);
  }
  const pkg: Facts['pkg_mgr'] = family === 'RedHat' && mgrs.includes('dnf') ? 'dnf'
    : family === 'Suse' && mgrs.includes('zypper') ? 'zypper'
    : family === 'Debian' && mgrs.includes('apt-get') ? 'apt'
    : mgrs.includes('dnf') ? 'dnf' : mgrs.includes('zypper') ? 'zypper' : mgrs.includes('apt-get') ? 'apt' : 'unknown';
  return {
    os_family: family,
    distribution: DISTRIBUTION_NAMES[id] ?? (osr.NAME ?? id),
    distribution_version: version,
    distribution_major_version: version.split('.')[0] ?? '',
    os_id: id,
    pkg_mgr: pkg,
    service_mgr: hasSystemctl ? 'systemd' : 'none',
    systemd_running: sd === 'yes',
    hostname,
    architecture: arch,
    interfaces,
    ipv4,
    ...(hardware ? { hardware } : {}),
  };
}
