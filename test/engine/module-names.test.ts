// Which qualified module names converge accepts, checked against what the
// installed Ansible (ansible-core 2.14 and Debian's collections) really has:
// a name Ansible would refuse is refused here too, and the other way round.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { allModules, findModule, suggestModule } from '../../src/engine/registry.js';

const PY = '/usr/lib/python3/dist-packages';
const COLLECTIONS: Record<string, string> = {
  'ansible.posix': `${PY}/ansible_collections/ansible/posix/plugins/modules`,
  'community.general': `${PY}/ansible_collections/community/general/plugins/modules`,
};
const builtinRouting = readFileSync(`${PY}/ansible/config/ansible_builtin_runtime.yml`, 'utf8');

/** ansible.builtin.X resolves: a module of ansible-core, or one of its redirects to a collection. */
function ansibleBuiltinHas(x: string): boolean {
  return existsSync(`${PY}/ansible/modules/${x}.py`) || new RegExp(`^    ${x}:\\n      redirect: `, 'm').test(builtinRouting);
}

test('qualified names: only the collections that have the module', () => {
  assert.equal(findModule('ansible.builtin.copy')?.name, 'copy');
  assert.equal(findModule('ansible.legacy.copy')?.name, 'copy');
  assert.equal(findModule('converge.copy')?.name, 'copy');
  assert.equal(findModule('ansible.builtin.sysctl')?.name, 'sysctl', 'ansible-core redirects it to ansible.posix');
  assert.equal(findModule('ansible.posix.sysctl')?.name, 'sysctl');
  assert.equal(findModule('community.general.zypper')?.name, 'zypper');
  for (const bad of ['foo.bar.copy', 'ansible.posix.copy', 'community.general.copy', 'community.general.sysctl', 'ansible.builtin.nfs_export', 'ansible.builtin.', 'converge.ansible.builtin.copy', 'ansible.builtin.ansible.posix.sysctl']) {
    assert.equal(findModule(bad), undefined, `${bad} is refused`);
  }
  assert.equal(findModule('converge.nfs_export')?.name, 'nfs_export');
  assert.match(suggestModule('foo.bar.copy')!, /ansible\.builtin\.copy/);
});

test('every module: its qualified names are the ones the installed Ansible resolves', () => {
  for (const m of allModules()) {
    for (const n of [m.name, ...(m.aliases ?? [])].filter((a) => !a.includes('.'))) {
      if (m.convergeOnly) assert.ok(!ansibleBuiltinHas(n), `${n} is marked converge's own but Ansible has it`);
      else assert.ok(ansibleBuiltinHas(n), `ansible.builtin.${n} does not exist in Ansible: mark ${m.name} convergeOnly`);
      for (const [coll, dir] of Object.entries(COLLECTIONS)) {
        const listed = (m.aliases ?? []).includes(`${coll}.${n}`);
        assert.equal(listed, existsSync(`${dir}/${n}.py`), `${coll}.${n}: ${listed ? 'listed but the collection has no such module' : 'the collection has it: add the alias to ' + m.name}`);
      }
    }
    for (const a of (m.aliases ?? []).filter((x) => x.includes('.'))) {
      const [coll, x] = [a.split('.').slice(0, 2).join('.'), a.split('.').slice(2).join('.')];
      assert.ok(COLLECTIONS[coll] && existsSync(`${COLLECTIONS[coll]}/${x}.py`), `alias ${a} of ${m.name}: no such module in the installed collections`);
    }
  }
});
