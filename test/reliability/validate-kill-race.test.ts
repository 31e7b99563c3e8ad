// Issue 16, item 8: converge SIGKILLed while a validator checks the new
// content. The copy the validator reads (the new content, perhaps a password)
// stays behind; before the fix no later run removed it. Now it is named like
// the target's temp files, and the next run that validates or writes the
// target removes it. Each round kills converge (its whole process group) at
// the moment the validator has the copy open, then runs the playbook again.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { runCli, sleep, tempDir } from './cli-process.js';
import { convergeTemps, report } from './race-fixture.js';

const ROUNDS = 3;

let t: ReturnType<typeof tempDir>;
before(() => {
  t = tempDir('validatekill');
  fs.mkdirSync(path.join(t.dir, 'etc'));
  // The validator waits for a file the test creates (or 60 s): the kill lands while it runs.
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), `- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - copy:
        content: "password={{ gen }}\\n"
        dest: "${t.dir}/etc/app.conf"
        mode: "0600"
        validate: "sh -c 'i=0; while [ ! -e \\"$2\\" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; grep -q password \\"$1\\"' v %s ${t.dir}/go-{{ gen }}"
`);
});
after(() => t?.remove());

it(`SIGKILL during validate: the copy of the new content is gone after the next run (${ROUNDS} rounds)`, { timeout: 300_000 }, async () => {
  const etc = path.join(t.dir, 'etc');
  const state = path.join(t.dir, 'state');
  let leftAfterKill = 0;
  const started = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    // Killed while the validator has the copy.
    let killed = false;
    const run = runCli([path.join(t.dir, 'site.yaml'), '-e', `gen=${round}`], {
      cwd: t.dir, env: { CONVERGE_STATE_DIR: state }, detached: true,
      onSpawn: (child) => {
        const poll = async () => {
          for (let i = 0; i < 600 && convergeTemps(etc).length === 0; i++) await sleep(50);
          try { process.kill(-child.pid!, 'SIGKILL'); killed = true; } catch { /* gone */ }
        };
        void poll();
      },
    });
    const r = await run;
    assert.ok(killed && r.signal === 'SIGKILL', `round ${round}: converge was not killed during validation (${r.stdout}${r.stderr})`);
    const left = convergeTemps(etc);
    assert.ok(left.length >= 1, `round ${round}: the kill should have left the validator's copy`);
    leftAfterKill += left.length;
    assert.equal(fs.statSync(left[0]).mode & 0o777, 0o600, 'the copy has the final mode, 0600');
    // The next run validates the same target: the old copy goes, whatever happens to the new one.
    fs.writeFileSync(path.join(t.dir, `go-${round + 100}`), '');
    const again = await runCli([path.join(t.dir, 'site.yaml'), '-e', `gen=${round + 100}`], { cwd: t.dir, env: { CONVERGE_STATE_DIR: state } });
    assert.equal(again.rc, 0, again.stdout + again.stderr);
    assert.deepEqual(convergeTemps(etc), [], `round ${round}: copies left after the next run`);
    assert.equal(fs.readFileSync(path.join(etc, 'app.conf'), 'utf8'), `password=${round + 100}\n`);
  }
  report('validate kill', [`${ROUNDS} kills during validation left ${leftAfterKill} copies of the new content (0600); the next run removed every one`, `${((Date.now() - started) / 1000).toFixed(1)} s`]);
});
