// Inventories as Ansible reads them: INI and YAML, ranges, children,
// group_vars/host_vars precedence, host patterns, cycles.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { ConfigError, ConfigErrors } from '../../src/config/errors.js';
import { project } from '../helpers/cli.js';

test('INI inventory with ranges, children and :vars; group_vars and host_vars precedence', () => {
  const dir = project({
    'inventory/hosts.ini': `
[headnode]
head ansible_connection=local

[compute]
node[000:002] ansible_port=2222

[cluster:children]
headnode
compute

[cluster:vars]
domain=cluster
level=cluster
`,
    'inventory/group_vars/all.yml': 'level: all\nonly_all: 1\n',
    'inventory/group_vars/compute.yml': 'level: compute\n',
    'inventory/host_vars/node-001.yml': 'level: host\n',
    'inventory/host_vars/node001.yml': 'level: host\n',
  });
  const inv = loadInventory(path.join(dir, 'inventory'));
  assert.deepEqual([...inv.hosts.keys()], ['head', 'node000', 'node001', 'node002']);
  assert.deepEqual(inv.match('compute'), ['node000', 'node001', 'node002']);
  assert.deepEqual(inv.match('cluster:!compute'), ['head']);
  assert.deepEqual(inv.match('node00*:&compute'), ['node000', 'node001', 'node002']);
  assert.deepEqual(inv.match('~node00[12]'), ['node001', 'node002']);
  assert.equal(inv.varsOf('node000').ansible_port, 2222);
  assert.equal(inv.varsOf('node000').level, 'compute', 'child group beats parent and all');
  assert.equal(inv.varsOf('node001').level, 'host', 'host_vars beat group_vars');
  assert.equal(inv.varsOf('head').level, 'cluster');
  assert.equal(inv.varsOf('head').only_all, 1);
  assert.deepEqual(inv.groupNames('head'), ['cluster', 'headnode']);
});

test('YAML inventory with children and host variables', () => {
  const dir = project({
    'hosts.yml': `
all:
  vars: { net: 192.168.0.0/24 }
  children:
    headnode:
      hosts:
        localhost: { ansible_connection: local }
    compute:
      hosts:
        node-000: { mac: "fc:ab:14:e8:66:01", ip: 192.168.0.100 }
        node-001: { mac: "fc:ab:14:e8:66:02", ip: 192.168.0.101 }
`,
  });
  const inv = loadInventory(path.join(dir, 'hosts.yml'));
  assert.deepEqual(inv.match('all'), ['localhost', 'node-000', 'node-001']);
  assert.equal(inv.varsOf('node-001').mac, 'fc:ab:14:e8:66:02');
  assert.equal(inv.varsOf('node-001').net, '192.168.0.0/24');
  assert.deepEqual(inv.groupMap().compute, ['node-000', 'node-001']);
});

test('a group cycle is an error naming the file and line', () => {
  const dir = project({
    'hosts.ini': `[a:children]\nb\n\n[b:children]\na\n`,
  });
  assert.throws(() => loadInventory(path.join(dir, 'hosts.ini')), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.located, /hosts\.ini:\d+:\d+: group cycle: (a -> b -> a|b -> a -> b)/);
    return true;
  });
});

test('a wrong connection variable type is refused before any host is contacted', () => {
  const dir = project({ 'hosts.yml': 'all:\n  hosts:\n    h1: { ansible_port: "not-a-port" }\n' });
  assert.throws(() => loadInventory(path.join(dir, 'hosts.yml')), (e: unknown) => {
    assert.ok(e instanceof ConfigErrors);
    assert.match(e.message, /hosts\.yml:3:\d+: host 'h1': ansible_port 'not-a-port' is not valid: must be integer/);
    return true;
  });
});

test('comma-separated host lists and the implicit localhost', () => {
  const inv = loadInventory('web1,web2,');
  assert.deepEqual([...inv.hosts.keys()], ['web1', 'web2']);
  assert.equal(inv.implicitLocalhost, true);
});
