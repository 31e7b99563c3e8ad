// Gathered facts against Ansible's setup on the same machine: the values
// roles read for sizing and addressing (processors, memory, kernel, default
// route, mounts, environment), printed with `debug: var=` by both tools from
// test/compat/facts-hardware/playbook.yml and compared value by value. (The
// harness in playbooks/ also compares recaps; converge does not list fact
// gathering as a task, so this playbook lives here.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { converge } from '../helpers/cli.js';
import { ansiblePlaybook } from './playbooks/ansible-run.js';
import { ansibleDebugVars, convergeDebugVars } from './playbooks/differential.js';

const PB = fileURLToPath(new URL('../../../test/compat/facts-hardware/playbook.yml', import.meta.url));

test('facts equal to ansible-playbook\'s on this machine', () => {
  const outA = mkdtempSync(path.join(tmpdir(), 'cvg-facts-a-'));
  const outB = mkdtempSync(path.join(tmpdir(), 'cvg-facts-b-'));
  try {
    const a = ansiblePlaybook(PB, { extraVars: { out: outA } });
    const c = converge([PB, '--json', '-e', `out=${outB}`], { cwd: path.dirname(PB) });
    assert.equal(a.code, 0, a.stderr);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    const av = ansibleDebugVars(a.json);
    const cv = convergeDebugVars(c.json);
    assert.ok(av.length >= 15, `ansible printed ${av.length} values`);
    assert.deepEqual(cv, av);
    assert.ok(av.some(([k, v]) => k === 'ansible_memtotal_mb' && typeof v === 'number' && v > 0));
  } finally {
    rmSync(outA, { recursive: true, force: true });
    rmSync(outB, { recursive: true, force: true });
  }
});
