// `converge nodes` as a user runs it, with the head node being this machine
// (a local connection) and its logs in a temp directory named by --sources:
// the report, its metrics, and the inputs it refuses before reading anything.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';

function inventory(node1Mac = 'fc:ab:14:e8:66:02'): string {
  return `all:
  children:
    headnode:
      hosts:
        localhost:
          ansible_connection: local
          ansible_become: false
    compute:
      hosts:
        node-000:
          mac: "fc:ab:14:e8:66:01"
          ip: 192.168.0.100
          image: failsafe
        node-001:
          mac: "${node1Mac}"
          ip: "{{ '192.168.0.' ~ (100 + 1) }}"
`;
}

function headnodeFiles(dir: string, now: number): string {
  mkdirSync(path.join(dir, 'images', 'failsafe-0123456789'), { recursive: true });
  writeFileSync(path.join(dir, 'images', 'failsafe-0123456789', 'vmlinuz'), Buffer.alloc(1000));
  writeFileSync(path.join(dir, 'images', 'failsafe-0123456789', 'initrd.img'), Buffer.alloc(5000));
  const t = (ago: number) => ((now - ago * 1000) / 1000).toFixed(3);
  writeFileSync(path.join(dir, 'boot.log'), [
    `${t(300)} 192.168.0.100 200 300 "GET /nodes/node-000.ipxe"`,
    `${t(299)} 192.168.0.100 200 1000 "GET /images/failsafe-0123456789/vmlinuz"`,
    `${t(298)} 192.168.0.100 200 5000 "GET /images/failsafe-0123456789/initrd.img"`,
    `${t(200)} 192.168.0.101 200 300 "GET /nodes/node-001.ipxe"`,
    '',
  ].join('\n'));
  const sources = path.join(dir, 'sources.json');
  writeFileSync(sources, JSON.stringify({
    journal_identifiers: ['converge-test-none'], http_log: path.join(dir, 'boot.log'), images_dir: path.join(dir, 'images'),
    ipxe_binaries: ['undionly.kpxe'], image_dirs: { failsafe: 'failsafe-0123456789' }, unknown_clients: 'deny', tftp_logged: true,
  }));
  return sources;
}

test('converge nodes reads the head node\'s logs: a booted node, a stuck one, in text, JSON and metrics', () => {
  const dir = project({ 'inventory/hosts.yml': inventory() }, 'cvg-nodes-');
  const sources = headnodeFiles(dir, Date.now());
  const metrics = path.join(dir, 'metrics');
  mkdirSync(metrics);
  const j = converge(['nodes', '-i', path.join(dir, 'inventory'), '--json', '--sources', sources, '--metrics-dir', metrics]);
  assert.equal(j.code, 0, j.stderr);
  const [n0, n1] = j.json.nodes;
  assert.deepEqual([n0.name, n0.stage, n0.state, n0.booted_image_kind], ['node-000', 'booted', 'booted', 'failsafe']);
  assert.deepEqual([n1.name, n1.ip, n1.stage, n1.state], ['node-001', '192.168.0.101', 'ipxe_script', 'stuck']);
  assert.match(n1.summary, /^fetched its iPXE script, never fetched the kernel \(3 min ago\)$/);
  const prom = readFileSync(path.join(metrics, 'converge_nodes.prom'), 'utf8');
  const check = spawnSync('promtool', ['check', 'metrics'], { input: prom, encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  assert.match(prom, /^converge_node_boot_stage\{node="node-001",mac="fc:ab:14:e8:66:02"\} 4$/m);

  const text = converge(['nodes', '-i', path.join(dir, 'inventory'), '--sources', sources]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^node-000 +192\.168\.0\.100 +booted +booted the failsafe image 5 min ago$/m);
  assert.match(text.stdout, /^node-001 +192\.168\.0\.101 +stuck +fetched its iPXE script, never fetched the kernel/m);
});

test('converge nodes refuses a bad inventory MAC at its line, a missing sources file and bad options', () => {
  const dir = project({ 'inventory/hosts.yml': inventory('fc:ab:14:e8:66') }, 'cvg-nodes-bad-');
  const sources = headnodeFiles(dir, Date.now());
  const bad = converge(['nodes', '-i', path.join(dir, 'inventory'), '--sources', sources]);
  assert.equal(bad.code, 4, bad.stderr);
  assert.match(bad.stderr, /hosts\.yml:\d+.*node-001: mac 'fc:ab:14:e8:66' is not a MAC address/);
  const good = project({ 'inventory/hosts.yml': inventory() }, 'cvg-nodes-nosrc-');
  const missing = converge(['nodes', '-i', path.join(good, 'inventory'), '--sources', path.join(good, 'absent.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /absent\.json is not on localhost: converge the head node with playbooks\/headnode\.yaml first/);
  const watch = converge(['nodes', '-i', path.join(good, 'inventory'), '--watch', '0']);
  assert.equal(watch.code, 5);
  assert.match(watch.stderr, /--watch takes a number of seconds/);
});
