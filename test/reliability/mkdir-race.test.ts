// Issue 16, item 2: root makes a directory in a directory another user owns,
// then sets its mode and owner. That user renames the new directory away and
// puts a link to a root-only file in its place; a chmod or chown by path
// would follow the link and change the root file (3 of 8 tries before the
// fix). Attacker: racer.js as nobody, looping on the names converge creates.
// Held when the victim's mode, owner and content never change and no temp
// file is left, whatever the run's exit code.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { tempDir } from './cli-process.js';
import { attackerDir, converge, convergeTemps, fingerprint, report, startRacer } from './race-fixture.js';

const RUNS = 2;
const PER_RUN = 25;

const PLAYBOOK = `- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - file: { path: "{{ u }}/made-{{ item }}", state: directory, mode: "0777", owner: nobody, group: nogroup }
      loop: "{{ range(${PER_RUN}) | list }}"
      ignore_errors: true
    - file: { path: "{{ u }}/parent-{{ item }}/child", state: directory, mode: "0777", owner: nobody }
      loop: "{{ range(${PER_RUN}) | list }}"
      ignore_errors: true
`;

let t: ReturnType<typeof tempDir>;
before(() => {
  t = tempDir('mkdirrace');
  fs.chmodSync(t.dir, 0o755);
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), PLAYBOOK);
  fs.mkdirSync(path.join(t.dir, 'victims'), { mode: 0o700 });
});
after(() => t?.remove());

it(`mkdir then chmod/chown: ${RUNS * PER_RUN * 2} directories raced by an unprivileged user, no victim touched`, { timeout: 300_000 }, async () => {
  const victim = path.join(t.dir, 'victims', 'shadow');
  fs.writeFileSync(victim, 'root:secret\n', { mode: 0o600 });
  const before = fingerprint(victim);
  const names = Array.from({ length: PER_RUN }, (_, i) => [`made-${i}`, `parent-${i}`]).flat();
  let swaps = 0;
  let refused = 0;
  const started = Date.now();
  for (let run = 0; run < RUNS; run++) {
    const u = attackerDir(t.dir, `u${run}`);
    const racer = await startRacer(60_000, ['swap', u, victim, ...names]);
    const r = await converge(path.join(t.dir, 'site.yaml'), path.join(t.dir, 'state'), ['-e', `u=${u}`]);
    const lines = await racer.stop();
    swaps += lines.length;
    refused += Number(/ignored=(\d+)/.exec(r.stdout)?.[1] ?? 0);
    assert.equal(fingerprint(victim), before, `run ${run}: the victim changed (racer: ${lines.join(', ')})\n${r.stdout}${r.stderr}`);
    assert.deepEqual(convergeTemps(u), [], `run ${run}: temp files left`);
    // The refusals name what happened; anything else failing would be a different bug.
    for (const m of r.stdout.matchAll(/^.*(failed|error).*$/gim)) {
      assert.match(m[0], /symbolic link|ELOOP|EEXIST|not a directory|ENOENT|failed=|ignoring|ignored|refusing|replaced/i, `unexpected failure: ${m[0]}`);
    }
  }
  assert.ok(swaps >= RUNS * PER_RUN, `the attacker landed only ${swaps} swaps: the race was not exercised`);
  report('mkdir race', [`${swaps} swaps landed in ${RUNS} runs (${RUNS * PER_RUN * 2} directories), victim unchanged, 0 temp files, ${refused} tasks refused with an error`, `${((Date.now() - started) / 1000).toFixed(1)} s`]);
});
