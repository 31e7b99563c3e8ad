// Differential harness: every playbook under test/compat/playbooks/cases runs
// through converge and through the real ansible-playbook (-c local), each in
// a throwaway directory of its own (passed as -e out=DIR), in the same test
// run: --check on a fresh directory, the first run, then a second run. The
// recaps, the trees the runs leave and the values `debug: var=` prints must
// be the same. `converge validate` must accept what --syntax-check accepts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { converge } from '../../helpers/cli.js';
import { ansiblePlaybook, ansibleSyntaxCheck } from './ansible-run.js';
import { ansibleDebugVars, ansibleRecaps, convergeDebugVars, convergeRecaps, fileTree, type Observed } from './differential.js';

const CASES = fileURLToPath(new URL('../../../../test/compat/playbooks/cases', import.meta.url));

/** A case may bring its own inventory (inventory.ini: hosts with ansible_connection=local); otherwise it runs on localhost. */
function inventoryOf(pb: string): string | undefined {
  const inv = path.join(path.dirname(pb), 'inventory.ini');
  return existsSync(inv) ? inv : undefined;
}

function both(pb: string, outA: string, outB: string, check: boolean): { ansible: Observed; converge: Observed; detail: string } {
  const inventory = inventoryOf(pb);
  const a = ansiblePlaybook(pb, { extraVars: { out: outA }, check, inventory });
  const c = converge([pb, '--json', '-e', `out=${outB}`, ...(inventory ? ['-i', inventory] : []), ...(check ? ['--check'] : [])], { cwd: path.dirname(pb) });
  assert.ok(a.json, `ansible-playbook gave no JSON: ${a.stderr}`);
  assert.ok(c.json, `converge gave no JSON: ${c.stdout}${c.stderr}`);
  const norm = <T>(v: T, out: string): T => JSON.parse(JSON.stringify(v).split(out).join('OUT'));
  const hosts = Object.keys(c.json?.hosts ?? {}).sort();
  const debugVars = (f: (json: any, h: string) => Array<[string, unknown]>, json: any, out: string) =>
    norm(Object.fromEntries(Object.keys(json?.stats ?? json?.hosts ?? {}).sort().map((h) => [h, f(json, h)])), out);
  return {
    ansible: { recap: ansibleRecaps(a.json), tree: norm(fileTree(outA), outA), debugVars: debugVars(ansibleDebugVars, a.json, outA) },
    converge: { recap: convergeRecaps(c.json), tree: norm(fileTree(outB), outB), debugVars: debugVars(convergeDebugVars, c.json, outB) },
    detail: hosts.map((h) => `converge ${h}:\n${(c.json.hosts[h].tasks ?? []).map((t: any) => `  [${t.task}] ${t.status} ${t.name}${t.item ? ` (${t.item})` : ''}${t.message && t.status === 'failed' ? `: ${t.message}` : ''}`).join('\n')}`).join('\n'),
  };
}

function compare(what: string, r: ReturnType<typeof both>): void {
  assert.deepEqual(r.converge.recap, r.ansible.recap, `${what}: recap differs\n${r.detail}`);
  assert.deepEqual(r.converge.debugVars, r.ansible.debugVars, `${what}: debug var values differ`);
  assert.deepEqual(r.converge.tree, r.ansible.tree, `${what}: file trees differ`);
}

const all = readdirSync(CASES).filter((d) => existsSync(path.join(CASES, d, 'playbook.yml'))).sort();
// CONVERGE_COMPAT_CASES=a,b runs a subset while working on them.
const only = process.env.CONVERGE_COMPAT_CASES?.split(',').map((s) => s.trim());
const cases = only ? all.filter((c) => only.includes(c)) : all;

test('the harness has its playbooks', () => {
  assert.ok(all.length >= 30, `found ${all.length} cases in ${CASES}`);
});

for (const name of cases) {
  test(`same as ansible-playbook: ${name}`, () => {
    const pb = path.join(CASES, name, 'playbook.yml');
    const syn = ansibleSyntaxCheck(pb, inventoryOf(pb));
    assert.equal(syn.code, 0, `ansible-playbook --syntax-check refuses the case itself: ${syn.output}`);
    const inv = inventoryOf(pb);
    const v = converge(['validate', pb, '-e', 'out=/nonexistent/out', ...(inv ? ['-i', inv] : [])]);
    assert.equal(v.code, 0, `converge validate refuses what ansible --syntax-check accepts:\n${v.stdout}${v.stderr}`);

    const dirs = Array.from({ length: 4 }, () => mkdtempSync(path.join(tmpdir(), `cvg-compat-${name}-`)));
    try {
      const [checkA, checkB, runA, runB] = dirs;
      compare('--check on a fresh directory', both(pb, checkA, checkB, true));
      compare('first run', both(pb, runA, runB, false));
      compare('second run', both(pb, runA, runB, false));
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
}
