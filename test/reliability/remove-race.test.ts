// Issue 16, item 4: `file: state=absent` removes a tree that holds a
// directory another user owns. Once the removal has started inside that
// user's directory, the user renames it away and puts a link to a root
// directory in its place; a removal that goes on by path deletes the files
// behind the link (1991 of 2000 before the fix). Attacker: racer.js as
// nobody, watching each directory for the first entry to disappear (its mtime).
// Held when the victim directory keeps every file and nothing of converge's
// is left, whatever the run's exit code.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { tempDir } from './cli-process.js';
import { attackerDir, converge, convergeTemps, report, startRacer, sudoTarget, type SudoTarget } from './race-fixture.js';

// 60 trees of 500 files, so that at least 50 swaps land mid-removal on a loaded machine (with 300
// files, rm -rf over sudo was often done with a directory before the attacker was scheduled: 36 of 50;
// with 800, 60 of 60 but 252 s for the file). Over sudo 8 runs (96 trees): a CI run on a loaded machine
// had 47 of 60 with 5, the look before the removal having become quicker.
const RUNS = 5;
const SUDO_RUNS = 8;
const PER_RUN = 12;
const FILES = 500;

const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - file: { path: "{{ base }}/tree-{{ item }}", state: absent }
      loop: "{{ range(${PER_RUN}) | list }}"
      ignore_errors: true
`;

let t: ReturnType<typeof tempDir>;
let ssh: SudoTarget | undefined;
before(() => {
  t = tempDir('rmrace');
  fs.chmodSync(t.dir, 0o755);
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), PLAYBOOK);
  fs.writeFileSync(path.join(t.dir, 'local.yaml'), 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n');
  fs.mkdirSync(path.join(t.dir, 'victims'), { mode: 0o700 });
});
after(async () => {
  await ssh?.stop();
  t?.remove();
});

const names = Array.from({ length: FILES }, (_, i) => `f-${String(i).padStart(3, '0')}`);

async function raceRemovals(label: string, target: string[], runs = RUNS): Promise<void> {
  const victim = path.join(t.dir, 'victims', `keep-${label}`);
  fs.mkdirSync(victim, { mode: 0o700 });
  for (const n of names) fs.writeFileSync(path.join(victim, n), 'keep\n');
  let swaps = 0;
  let removed = 0;
  const started = Date.now();
  for (let run = 0; run < runs; run++) {
    const base = path.join(t.dir, `${label}-run${run}`);
    fs.mkdirSync(base, { mode: 0o755 });
    const watched: string[] = [];
    for (let i = 0; i < PER_RUN; i++) {
      // tree-i (root) / home (the user's) / sub (the user's, the one swapped) / f-000 ... f-299
      const tree = path.join(base, `tree-${i}`);
      fs.mkdirSync(tree, { mode: 0o755 });
      fs.writeFileSync(path.join(tree, 'root-file'), 'x');
      const sub = attackerDir(attackerDir(tree, 'home'), 'sub');
      for (const n of names) { fs.writeFileSync(path.join(sub, n), 'x'); fs.chownSync(path.join(sub, n), 65534, 65534); }
      watched.push(sub);
    }
    const racer = await startRacer(120_000, ['swap-tree', victim, ...watched]);
    const r = await converge(path.join(t.dir, 'site.yaml'), path.join(t.dir, 'state'), ['-e', `base=${base}`, ...target]);
    const lines = await racer.stop();
    swaps += lines.length;
    const left = fs.readdirSync(victim).length;
    assert.equal(left, FILES, `run ${run}: ${FILES - left} files of the victim directory were deleted (racer: ${lines.join(', ')})\n${r.stdout}${r.stderr}`);
    assert.deepEqual(convergeTemps(base), [], `run ${run}: temp files left`);
    for (let i = 0; i < PER_RUN; i++) if (!fs.existsSync(path.join(base, `tree-${i}`))) removed++;
    assert.match(r.stdout, /RECAP/, r.stderr);
  }
  assert.ok(swaps >= 50, `the attacker swapped only ${swaps} directories mid-removal: the race was not exercised 50 times`);
  report(`remove race (${label})`, [`${runs * PER_RUN} trees of ${FILES + 1} files: ${swaps} directories swapped for a link to a root directory mid-removal, 0 of its ${FILES} files deleted, ${removed} trees removed completely, 0 temp files`, `${((Date.now() - started) / 1000).toFixed(1)} s`]);
}

it(`file: state=absent on ${RUNS * PER_RUN} trees raced by an unprivileged user: nothing outside them is deleted`, { timeout: 300_000 }, async () => {
  await raceRemovals('local', ['-i', path.join(t.dir, 'local.yaml')]);
});

it('... nor over SSH with sudo', { timeout: 300_000 }, async () => {
  ssh = await sudoTarget('rmrace', t.dir);
  await raceRemovals('ssh-sudo', ssh.args, SUDO_RUNS);
});
