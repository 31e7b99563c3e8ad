// PLAYBOOK.schema.yaml: inventory variables checked before any host is
// contacted, with the inventory file and line that set the bad value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { CLI, converge, project } from '../helpers/cli.js';

const SCHEMA = `
groups:
  compute:
    schema:
      type: object
      required: [mac, ip]
      properties:
        mac: { type: string, pattern: '^([0-9a-f]{2}:){5}[0-9a-f]{2}$', description: 'a MAC address like fc:ab:14:e8:66:01' }
        ip: { type: string, format: ipv4 }
    unique: [mac, ip]
`;

function setup(hosts: string) {
  return project({
    'pb.yaml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - copy: { content: "{{ groups.compute | join(',') }}", dest: "{{ playbook_dir }}/touched" }
`,
    'pb.schema.yaml': SCHEMA,
    'inv/hosts.yml': `all:\n  children:\n    compute:\n      hosts:\n${hosts}\n    local:\n      hosts:\n        localhost: { ansible_connection: local }\n`,
  });
}

test('a bad MAC, a bad address and a duplicate are refused with their inventory lines, and nothing runs', () => {
  const dir = setup([
    '        node-000: { mac: "fc:ab:14:e8:66:01", ip: 192.168.0.100 }',
    '        node-001: { mac: "fc:ab:14:e8:66:zz", ip: 192.168.0.300 }',
    '        node-002: { mac: "fc:ab:14:e8:66:01", ip: 192.168.0.102 }',
  ].join('\n'));
  const r = converge([path.join(dir, 'pb.yaml'), '-i', path.join(dir, 'inv')]);
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.match(r.stderr, /hosts\.yml:6:\d+: host 'node-001' \(group 'compute'\): mac must match pattern/);
  assert.match(r.stderr, /hosts\.yml:6:\d+: host 'node-001' \(group 'compute'\): ip must match format "ipv4"/);
  assert.match(r.stderr, /hosts\.yml:7:\d+: host 'node-002' has the same mac/);
  assert.equal(existsSync(path.join(dir, 'touched')), false, 'no task ran');
  rmSync(dir, { recursive: true, force: true });
});

test('a valid inventory passes the schema and the play runs', () => {
  const dir = setup('        node-000: { mac: "fc:ab:14:e8:66:01", ip: 192.168.0.100 }');
  const r = converge([path.join(dir, 'pb.yaml'), '-i', path.join(dir, 'inv')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.ok(existsSync(path.join(dir, 'touched')));
  rmSync(dir, { recursive: true, force: true });
});

test('the head node playbook checks its optional knobs too: bad compute_image_repos and nfs4_support stop the run at their lines', () => {
  const root = path.resolve(path.dirname(CLI), '..');
  const dir = project({});
  cpSync(path.join(root, 'inventory'), path.join(dir, 'inventory'), { recursive: true });
  const all = path.join(dir, 'inventory', 'group_vars', 'all.yml');
  const before = readFileSync(all, 'utf8');
  const line = before.split('\n').length;
  appendFileSync(all, 'nfs4_support: maybe\ncompute_image_repos:\n  - { name: local }\n');
  const r = converge([path.join(root, 'playbooks', 'headnode.yaml'), '-i', path.join(dir, 'inventory'), '--check']);
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`all\\.yml:${line}:\\d+: .*nfs4_support must be boolean`));
  assert.match(r.stderr, new RegExp(`all\\.yml:${line + 2}:\\d+: .*compute_image_repos\\.0 is missing 'url'`));
  rmSync(dir, { recursive: true, force: true });
});

test("the repository's playbook schemas are precompiled by the build and judge exactly as a schema compiled at run time", async () => {
  const { groupSchema, newVarsAjv, varsValidatorName } = await import('../../src/config/vars-schema.js');
  const generated = await import('../../src/config/schema/generated-vars-validators.js') as Record<string, unknown>;
  const { loadYamlFile } = await import('../../src/config/yaml-source.js');
  const file = path.resolve(path.dirname(CLI), '../playbooks/headnode.schema.yaml');
  const groups = (loadYamlFile(file, 'vars schema').value as { groups: Record<string, { schema?: string }> }).groups;
  const samples = [{}, { mac: 'zz', ip: '300.1.1.1', cluster_network: 5, headnode_ip: 'x', dns_forwarders: ['a', 1] },
    { mac: 'fc:ab:14:e8:66:01', ip: '192.168.0.5' }];
  let judged = 0;
  for (const [group, rule] of Object.entries(groups)) {
    const schema = groupSchema(file, rule);
    const pre = generated[varsValidatorName(schema)] as ((d: unknown) => boolean) & { errors?: unknown };
    assert.equal(typeof pre, 'function', `group ${group}: no precompiled validator`);
    const runtime = newVarsAjv().compile(schema);
    for (const s of samples) {
      assert.equal(pre(structuredClone(s)), runtime(structuredClone(s)), `group ${group}: ${JSON.stringify(s)}`);
      assert.deepEqual(pre.errors, runtime.errors);
      if (runtime.errors?.length) judged++;
    }
  }
  assert.ok(judged >= 4, 'the samples include failures');
});
