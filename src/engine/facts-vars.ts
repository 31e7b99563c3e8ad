// Facts as playbooks read them: `ansible_facts.os_family` and the classic
// top-level `ansible_os_family`, `ansible_distribution_major_version` ...

import type { Facts } from '../host/host.js';

export function factVariables(f: Facts): Record<string, unknown> {
  const ansibleFacts: Record<string, unknown> = {
    // converge manages Linux hosts only (facts come from /etc/os-release and /proc).
    system: 'Linux',
    os_family: f.os_family,
    distribution: f.distribution,
    distribution_version: f.distribution_version,
    distribution_major_version: f.distribution_major_version,
    distribution_id: f.os_id,
    pkg_mgr: f.pkg_mgr,
    service_mgr: f.service_mgr,
    hostname: f.hostname.split('.')[0],
    nodename: f.hostname,
    fqdn: f.hostname,
    architecture: f.architecture,
    machine: f.architecture,
    interfaces: f.interfaces,
    systemd_running: f.systemd_running,
  };
  if (f.hardware) Object.assign(ansibleFacts, f.hardware);
  for (const iface of f.interfaces) {
    const addrs = f.ipv4[iface] ?? [];
    const [address, prefix] = (addrs[0] ?? '').split('/');
    ansibleFacts[iface.replace(/[-.]/g, '_')] = {
      device: iface,
      ipv4: address ? { address, prefix } : undefined,
      ipv4_secondaries: addrs.slice(1).map((a) => ({ address: a.split('/')[0], prefix: a.split('/')[1] })),
    };
  }
  const out: Record<string, unknown> = { ansible_facts: ansibleFacts };
  for (const [k, v] of Object.entries(ansibleFacts)) out[`ansible_${k}`] = v;
  return out;
}
