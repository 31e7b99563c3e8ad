// converge nodes without a head node: log lines as dhcpd, Kea, tftpd-hpa and
// nginx write them, folded into each node's last boot.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpLog, parseJournal } from '../../src/nodes/boot-events.js';
import { bootReport, type HeadnodeFacts } from '../../src/nodes/boot-stages.js';

const T0 = 1764806400; // 2025-12-04T00:00:00Z
const at = (s: number) => (T0 + s).toFixed(6);
const iso = (s: number) => new Date((T0 + s) * 1000).toISOString();

const FACTS: HeadnodeFacts = {
  ipxeBinaries: ['undionly.kpxe', 'ipxe.efi'],
  imageDirs: { failsafe: 'failsafe-0123456789abcdef', compute: 'compute-fedcba9876543210' },
  imageFileSizes: {
    'failsafe-0123456789abcdef/vmlinuz': 1000, 'failsafe-0123456789abcdef/initrd.img': 5000,
    'compute-fedcba9876543210/vmlinuz': 1000, 'compute-fedcba9876543210/initrd.img': 90000,
  },
  unknownClients: 'deny',
  tftpLogged: true,
};
const NODES = [
  { name: 'node-000', mac: 'fc:ab:14:e8:66:01', ip: '192.168.0.100', image: 'failsafe' },
  { name: 'node-001', mac: 'fc:ab:14:e8:66:02', ip: '192.168.0.101', image: 'compute' },
  { name: 'node-002', mac: 'fc:ab:14:e8:66:03', ip: '192.168.0.102', image: 'compute' },
];

function journal(lines: Array<[number, string, string]>): string {
  return lines.map(([s, ident, msg]) => `${at(s)} head ${ident}[42]: ${msg}`).join('\n');
}

function pxe(s: number, mac: string, ip: string, client: string): Array<[number, string, string]> {
  const short = mac.split(':').map((b) => b.replace(/^0/, '')).join(':');
  return [
    [s, 'dhcpd', `converge-dhcp ${short} ${client}`],
    [s, 'dhcpd', `DHCPDISCOVER from ${mac} via eth1`],
    [s + 0.5, 'dhcpd', `DHCPOFFER on ${ip} to ${mac} via eth1`],
    [s + 1, 'dhcpd', `converge-dhcp ${short} ${client}`],
    [s + 1, 'dhcpd', `DHCPREQUEST for ${ip} (192.168.0.1) from ${mac} via eth1`],
    [s + 1.5, 'dhcpd', `DHCPACK on ${ip} to ${mac} via eth1`],
  ];
}

test('a BIOS PXE boot through TFTP, the script, kernel and initrd is booted, with each stage time', () => {
  const j = journal([
    ...pxe(0, NODES[0].mac, NODES[0].ip, 'pxe'),
    [2, 'in.tftpd', 'RRQ from 192.168.0.100 filename undionly.kpxe'],
    ...pxe(3, NODES[0].mac, NODES[0].ip, 'ipxe'),
  ]);
  const http = [
    `${at(5)} 192.168.0.100 200 300 "GET /nodes/node-000.ipxe"`,
    `${at(6)} 192.168.0.100 200 1000 "GET /images/failsafe-0123456789abcdef/vmlinuz"`,
    `${at(8)} 192.168.0.100 200 5000 "GET /images/failsafe-0123456789abcdef/initrd.img"`,
  ].join('\n');
  const r = bootReport(NODES, [...parseJournal(j), ...parseHttpLog(http)], FACTS, (T0 + 600) * 1000);
  const n = r.nodes[0];
  assert.equal(n.stage, 'booted');
  assert.equal(n.state, 'booted');
  assert.deepEqual(n.stages, {
    dhcp_offer: iso(0.5), dhcp_ack: iso(1.5), ipxe_binary: iso(2), ipxe_script: iso(5), kernel: iso(6), initrd: iso(8), booted: iso(8),
  });
  assert.equal(n.booted_image, 'failsafe-0123456789abcdef');
  assert.equal(n.booted_image_kind, 'failsafe');
  assert.equal(n.last_seen, iso(8));
  assert.match(n.summary, /^booted the failsafe image 10 min ago$/);
  assert.equal(r.nodes[1].state, 'no_boot');
  assert.match(r.nodes[1].summary, /no DHCP request from fc:ab:14:e8:66:02/);
  assert.deepEqual(r.unknown, []);
});

test('stuck stages are said in words; a recent one is still booting', () => {
  const cases: Array<{ journal: Array<[number, string, string]>; http: string[]; now: number; state: string; stage: string; words: RegExp }> = [
    { journal: pxe(0, NODES[1].mac, NODES[1].ip, 'ipxe'), http: [], now: 600, state: 'stuck', stage: 'dhcp_ack', words: /^got an address, never fetched its iPXE script \(10 min ago\)$/ },
    { journal: pxe(0, NODES[1].mac, NODES[1].ip, 'pxe'), http: [], now: 600, state: 'stuck', stage: 'dhcp_ack', words: /never fetched the iPXE binary over TFTP/ },
    { journal: pxe(0, NODES[1].mac, NODES[1].ip, 'pxe'), http: [], now: 30, state: 'booting', stage: 'dhcp_ack', words: /^booting: got an address/ },
    { journal: [...pxe(0, NODES[1].mac, NODES[1].ip, 'pxe'), [2, 'in.tftpd', 'RRQ from 192.168.0.101 filename undionly.kpxe']], http: [], now: 600,
      state: 'stuck', stage: 'ipxe_binary', words: /fetched the iPXE binary over TFTP, never fetched its iPXE script/ },
    { journal: pxe(0, NODES[1].mac, NODES[1].ip, 'ipxe'), http: [`${at(3)} 192.168.0.101 404 153 "GET /nodes/node-001.ipxe"`], now: 600,
      state: 'stuck', stage: 'dhcp_ack', words: /asked for its iPXE script \(\/nodes\/node-001\.ipxe\) and got HTTP 404/ },
    { journal: pxe(0, NODES[1].mac, NODES[1].ip, 'ipxe'), http: [`${at(3)} 192.168.0.101 200 300 "GET /nodes/node-001.ipxe"`], now: 600,
      state: 'stuck', stage: 'ipxe_script', words: /fetched its iPXE script, never fetched the kernel/ },
    { journal: pxe(0, NODES[1].mac, NODES[1].ip, 'ipxe'), http: [
      `${at(3)} 192.168.0.101 200 300 "GET /nodes/node-001.ipxe"`,
      `${at(4)} 192.168.0.101 200 1000 "GET /images/compute-fedcba9876543210/vmlinuz"`,
      `${at(9)} 192.168.0.101 200 4096 "GET /images/compute-fedcba9876543210/initrd.img"`], now: 600,
    state: 'stuck', stage: 'kernel', words: /the initrd download stopped at 4096 of 90000 bytes/ },
  ];
  for (const c of cases) {
    const r = bootReport(NODES, [...parseJournal(journal(c.journal)), ...parseHttpLog(c.http.join('\n'))], FACTS, (T0 + c.now) * 1000);
    const n = r.nodes[1];
    assert.equal(n.state, c.state, JSON.stringify(c));
    assert.equal(n.stage, c.stage, JSON.stringify(c));
    assert.match(n.summary, c.words);
  }
});

test('a reboot starts a new boot; the OS asking for an address after the boot does not', () => {
  const first = [
    `${at(3)} 192.168.0.101 200 300 "GET /nodes/node-001.ipxe"`,
    `${at(4)} 192.168.0.101 200 1000 "GET /images/compute-fedcba9876543210/vmlinuz"`,
    `${at(9)} 192.168.0.101 200 90000 "GET /images/compute-fedcba9876543210/initrd.img"`,
  ];
  const osDhcp = pxe(60, NODES[1].mac, NODES[1].ip, 'os');
  const booted = bootReport(NODES, [...parseJournal(journal([...pxe(0, NODES[1].mac, NODES[1].ip, 'ipxe'), ...osDhcp])), ...parseHttpLog(first.join('\n'))], FACTS, (T0 + 900) * 1000).nodes[1];
  assert.equal(booted.stage, 'booted');
  assert.equal(booted.last_seen, iso(61.5), 'the OS\'s DHCP is when it was last seen');
  const rebooted = bootReport(NODES, [...parseJournal(journal([...pxe(0, NODES[1].mac, NODES[1].ip, 'ipxe'), ...osDhcp, ...pxe(500, NODES[1].mac, NODES[1].ip, 'ipxe')])),
    ...parseHttpLog(first.join('\n'))], FACTS, (T0 + 900) * 1000).nodes[1];
  assert.equal(rebooted.stage, 'dhcp_ack');
  assert.equal(rebooted.stages.dhcp_offer, iso(500.5));
  assert.equal(rebooted.stages.kernel, null);
  assert.equal(rebooted.state, 'stuck');
});

test('an unknown MAC is listed with the address it got and the stage it reached', () => {
  const mac = '52:54:00:c0:ff:ee';
  const r = bootReport(NODES, parseJournal(journal([
    ...pxe(0, mac, '192.168.0.200', 'os'),
    [2, 'in.tftpd', 'RRQ from 192.168.0.200 filename undionly.kpxe'],
    [3, 'in.tftpd', 'sending NAK (1, File not found) to 192.168.0.200'],
  ])), FACTS, (T0 + 600) * 1000);
  assert.equal(r.unknown.length, 1);
  const u = r.unknown[0];
  assert.deepEqual([u.name, u.mac, u.ip, u.known, u.stage], [null, mac, '192.168.0.200', false, 'ipxe_binary']);
  const deny = bootReport(NODES, parseJournal(journal(pxe(0, mac, '192.168.0.201', 'pxe'))), FACTS, (T0 + 10) * 1000).unknown[0];
  assert.equal(deny.stage, 'dhcp_ack');
  assert.equal(deny.state, 'stuck');
  assert.match(deny.summary, /not in the inventory, so it is offered nothing to boot \(unknown_clients: deny\)/);
});

test('Kea\'s lease messages give the DHCP stages; lines that do not parse are dropped', () => {
  const j = [
    `${at(0)} head kea-dhcp4[7]: INFO  [kea-dhcp4.leases/7.140] DHCP4_LEASE_ADVERT [hwtype=1 fc:ab:14:e8:66:02], cid=[no info], tid=0x1: lease 192.168.0.101 will be advertised`,
    `${at(1)} head kea-dhcp4[7]: INFO  [kea-dhcp4.leases/7.140] DHCP4_LEASE_ALLOC [hwtype=1 fc:ab:14:e8:66:02], cid=[no info], tid=0x2: lease 192.168.0.101 has been allocated for 3600 seconds`,
    `${at(2)} head dhcpd[1]: DHCPACK on not-an-ip to fc:ab:14:e8:66:02 via eth1`,
    `${at(2)} head dhcpd[1]: DHCPACK on 192.168.0.101 to zz:ab:14:e8:66:02 via eth1`,
    'garbage',
  ].join('\n');
  const events = parseJournal(j);
  assert.equal(events.length, 2);
  const n = bootReport(NODES, events, FACTS, (T0 + 600) * 1000).nodes[1];
  assert.equal(n.stages.dhcp_offer, iso(0));
  assert.equal(n.stages.dhcp_ack, iso(1));
  assert.deepEqual(parseHttpLog('1.5 192.168.0.1 200 1 "GET /a b"\nnot a line\n'), []);
});

test('a node that booted an image the inventory no longer gives it says so', () => {
  const http = [
    `${at(3)} 192.168.0.102 200 300 "GET /nodes/node-002.ipxe"`,
    `${at(4)} 192.168.0.102 200 1000 "GET /images/failsafe-0123456789abcdef/vmlinuz"`,
    `${at(5)} 192.168.0.102 200 5000 "GET /images/failsafe-0123456789abcdef/initrd.img"`,
  ];
  const n = bootReport(NODES, parseHttpLog(http.join('\n')), FACTS, (T0 + 60) * 1000).nodes[2];
  assert.equal(n.stage, 'booted');
  assert.match(n.summary, /booted the failsafe image .*; the inventory now gives it the compute image \(reboot it to apply\)/);
});

test('an operating system asking for an address is not a boot; firmware asking again restarts the DHCP stage', () => {
  const r = bootReport(NODES, parseJournal(journal(pxe(0, NODES[1].mac, NODES[1].ip, 'os'))), FACTS, (T0 + 600) * 1000);
  assert.equal(r.nodes[1].stage, 'none');
  assert.equal(r.nodes[1].state, 'no_boot');
  assert.match(r.nodes[1].summary, /as an operating system, not as boot firmware/);
  assert.equal(r.nodes[1].last_seen, iso(1.5));
  const again = bootReport(NODES, parseJournal(journal([...pxe(0, NODES[1].mac, NODES[1].ip, 'ipxe'), ...pxe(100, NODES[1].mac, NODES[1].ip, 'ipxe')])), FACTS, (T0 + 600) * 1000);
  assert.equal(again.nodes[1].stages.dhcp_offer, iso(100.5));
});
