// Issue 16, item 8: converge SIGKILLed while a validator checks the new
// content. The copy the validator reads (the new content, perhaps a password)
// stays behind; before the fix no later run removed it. Now it is named like
// the target's temp files, and the next run that validates or writes the
// target removes it. Each round kills converge (its whole process group) at
// the moment the validators of its 5 hosts all have the copy of that round's
// content (5 local hosts, or 5 SSH connections with sudo to the same machine,
// each with a target of its own: 10 kills, 50 validations killed), and checks
// that this run had removed the copies the previous kill left; a last run,
// left to finish, must leave none. Over SSH the validator runs under the
// privileged shell, and the killed controller leaves it to sshd.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { runCli, sleep, tempDir } from './cli-process.js';
import { convergeTemps, report, sudoTarget, type SudoTarget } from './race-fixture.js';

const ROUNDS = 10;
const HOSTS = ['s1', 's2', 's3', 's4', 's5'];

let t: ReturnType<typeof tempDir>;
let ssh: SudoTarget | undefined;
before(() => {
  t = tempDir('validatekill');
  fs.chmodSync(t.dir, 0o755);
  fs.writeFileSync(path.join(t.dir, 'local.yaml'), 'all:\n  hosts:\n' + HOSTS.map((h) => `    ${h.replace('s', 'l')}: { ansible_connection: local }\n`).join(''));
  // The validator waits for a file the test creates (or 60 s): the kill lands while it runs.
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), `- hosts: all
  gather_facts: false
  tasks:
    - copy:
        content: "password={{ gen }}\\n"
        dest: "{{ etc }}/app-{{ inventory_hostname }}.conf"
        mode: "0600"
        validate: "sh -c 'i=0; while [ ! -e \\"$2\\" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; grep -q password \\"$1\\"' v %s {{ etc }}-go-{{ gen }}"
`);
});
after(async () => {
  await ssh?.stop();
  t?.remove();
});

/** The copy of `gen`'s content for each host, once every one exists (or null after 60 s). */
async function copiesOf(etc: string, hosts: string[], gen: number, deadline: number): Promise<string[] | null> {
  while (Date.now() < deadline) {
    const found: string[] = [];
    for (const p of convergeTemps(etc)) {
      let text = '';
      try { text = fs.readFileSync(p, 'utf8'); } catch { continue; }
      if (text === `password=${gen}\n`) found.push(p);
    }
    if (hosts.every((h) => found.some((p) => path.basename(p).startsWith(`.app-${h}.conf.converge-`)))) return found;
    await sleep(20);
  }
  return null;
}

async function killRounds(label: string, rounds: number, hosts: string[], target: string[]): Promise<void> {
  const etc = path.join(t.dir, `etc-${label}`);
  fs.mkdirSync(etc);
  const state = path.join(t.dir, `state-${label}`);
  const site = path.join(t.dir, 'site.yaml');
  let killed = 0;
  let removedByNext = 0;
  const started = Date.now();
  let previous: string[] = [];
  for (let round = 0; round < rounds; round++) {
    let copies = null as string[] | null;
    const r = await runCli([site, '-e', `etc=${etc}`, '-e', `gen=${round}`, ...target], {
      cwd: t.dir, env: { CONVERGE_STATE_DIR: state }, detached: true,
      onSpawn: (child) => {
        void copiesOf(etc, hosts, round, Date.now() + 60_000).then((c) => {
          copies = c;
          try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
        });
      },
    });
    assert.ok(copies && r.signal === 'SIGKILL', `round ${round}: converge was not killed during validation (${r.rc} ${r.signal}: ${r.stdout}${r.stderr})`);
    killed += hosts.length;
    const left = convergeTemps(etc);
    // This run removed what the previous kill left before it wrote its own copy.
    const stale = previous.filter((p) => left.includes(p));
    assert.deepEqual(stale, [], `round ${round}: the copies of round ${round - 1} are still there`);
    removedByNext += previous.length;
    for (const c of copies!) {
      assert.ok(left.includes(c), `round ${round}: ${c} vanished`);
      assert.equal(fs.statSync(c).mode & 0o777, 0o600, 'the copy has the final mode, 0600');
    }
    previous = left;
    // Validators of a killed SSH run that sshd has not ended: let them finish (they only read the copy).
    fs.writeFileSync(`${etc}-go-${round}`, '');
  }
  // A run left to finish removes the last kill's copies and writes every target.
  const last = rounds + 1000;
  fs.writeFileSync(`${etc}-go-${last}`, '');
  const again = await runCli([site, '-e', `etc=${etc}`, '-e', `gen=${last}`, ...target], { cwd: t.dir, env: { CONVERGE_STATE_DIR: state } });
  assert.equal(again.rc, 0, again.stdout + again.stderr);
  assert.deepEqual(convergeTemps(etc), [], 'copies left after the run that finished');
  removedByNext += previous.length;
  for (const h of hosts) assert.equal(fs.readFileSync(path.join(etc, `app-${h}.conf`), 'utf8'), `password=${last}\n`);
  report(`validate kill (${label})`, [`${rounds} SIGKILLs of converge during validation (${killed} validations of ${hosts.length} host${hosts.length > 1 ? 's' : ''} at once) each left the 0600 copy of the new content; the next run removed every one (${removedByNext}), 0 left`, `${((Date.now() - started) / 1000).toFixed(1)} s`]);
}

it(`SIGKILL during validate: the copy of the new content is gone after the next run (${ROUNDS} kills of ${HOSTS.length} local hosts)`, { timeout: 300_000 }, async () => {
  await killRounds('local', ROUNDS, HOSTS.map((h) => h.replace('s', 'l')), ['-i', path.join(t.dir, 'local.yaml')]);
});

it(`... nor over SSH with sudo (${ROUNDS} kills of ${HOSTS.length} hosts)`, { timeout: 300_000 }, async () => {
  ssh = await sudoTarget('vkill', t.dir, HOSTS.length);
  await killRounds('ssh-sudo', ROUNDS, HOSTS, ssh.args);
});
