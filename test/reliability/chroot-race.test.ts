// Issue 16, item 5: a chroot host (a compute image) is a tree whose links
// mean what they mean inside it. Before the fix an absolute link was followed
// on the build machine: a write to the image's /var/run/x (/var/run -> /run)
// landed in the build machine's /run, and an image whose os-release points
// at /dev/zero made the run read forever. Here the image has both, and a user
// of the image (nobody, owner of /home/u) races root's mkdir/chmod/chown in
// its home with links to a root file of the build machine, as racer.js.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { runLocal } from '../../src/host/local-host.js';
import { runCli, tempDir } from './cli-process.js';
import { attackerDir, convergeTemps, fingerprint, report, startRacer } from './race-fixture.js';

const RUNS = 2;
const PER_RUN = 25;
const MARK = `cvg-chroot-race-${process.pid}`;

let t: ReturnType<typeof tempDir>;
let tree: string;
before(async () => {
  t = tempDir('chrootrace');
  fs.chmodSync(t.dir, 0o755);
  tree = path.join(t.dir, 'image');
  for (const d of ['etc', 'run', 'var', 'dev', 'home', 'usr/lib']) fs.mkdirSync(path.join(tree, d), { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(tree, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  fs.writeFileSync(path.join(tree, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  // Absolute links, as images have them: they mean the image's /run and the image's /dev/zero.
  fs.symlinkSync('/run', path.join(tree, 'var/run'));
  fs.symlinkSync('/dev/zero', path.join(tree, 'etc/os-release'));
  fs.symlinkSync('/dev/zero', path.join(tree, 'usr/lib/os-release'));
  assert.equal((await runLocal(['mknod', '-m', '0666', path.join(tree, 'dev/zero'), 'c', '1', '5'])).rc, 0);
  fs.mkdirSync(path.join(t.dir, 'victims'), { mode: 0o700 });
  // The same image reached through a parent host (ansible_chroot_via), as a compute image on a head node is.
  fs.cpSync(tree, `${tree}-via`, { recursive: true, verbatimSymlinks: true });
  fs.writeFileSync(path.join(t.dir, 'hosts.yml'), `all:
  hosts:
    image: { ansible_connection: chroot, ansible_chroot_path: ${tree} }
    head: { ansible_connection: local }
    image-via: { ansible_connection: chroot, ansible_host: ${tree}-via, ansible_chroot_via: head }
`);
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), `- hosts: image
  gather_facts: true
  tasks:
    - copy: { content: "in the image\\n", dest: "/var/run/${MARK}.conf", mode: "0600" }
    - file: { path: "/var/run/${MARK}.d", state: directory, mode: "0700" }
    - file: { path: "/home/u/made-{{ item }}", state: directory, mode: "0777", owner: nobody, group: nogroup }
      loop: "{{ range(${PER_RUN}) | list }}"
      ignore_errors: true
    - copy: { content: "x\\n", dest: "/home/u/file-{{ item }}", mode: "0666", owner: nobody }
      loop: "{{ range(${PER_RUN}) | list }}"
      ignore_errors: true
- hosts: image-via
  gather_facts: true
  tasks:
    - copy: { content: "in the image\\n", dest: "/var/run/${MARK}.conf", mode: "0600" }
    - file: { path: "/var/run/${MARK}.d", state: directory, mode: "0700" }
`);
});
after(() => {
  t?.remove();
  fs.rmSync(`/run/${MARK}.conf`, { force: true });
  fs.rmSync(`/run/${MARK}.d`, { recursive: true, force: true });
});

it(`chroot host: absolute links resolve inside the image, os-release -> /dev/zero is survived, ${RUNS * PER_RUN * 2} races by an image user redirect nothing`, { timeout: 300_000 }, async () => {
  const victim = path.join(t.dir, 'victims', 'shadow');
  fs.writeFileSync(victim, 'root:secret\n', { mode: 0o640 });
  fs.chmodSync(victim, 0o640);
  const victimBefore = fingerprint(victim);
  const names = Array.from({ length: PER_RUN }, (_, i) => [`made-${i}`, `file-${i}`]).flat();
  let swaps = 0;
  let refused = 0;
  const started = Date.now();
  for (let run = 0; run < RUNS; run++) {
    fs.rmSync(path.join(tree, 'home/u'), { recursive: true, force: true });
    const u = attackerDir(path.join(tree, 'home'), 'u');
    const racer = await startRacer(120_000, ['swap', u, victim, ...names]);
    const r = await runCli([path.join(t.dir, 'site.yaml'), '-i', path.join(t.dir, 'hosts.yml')], { cwd: t.dir, env: { CONVERGE_STATE_DIR: path.join(t.dir, 'state') } });
    const lines = await racer.stop();
    swaps += lines.length;
    refused += Number(/ignored=(\d+)/.exec(r.stdout)?.[1] ?? 0);
    assert.equal(r.rc, 0, `run ${run}: ${r.stdout}${r.stderr}`);
    assert.equal(fingerprint(victim), victimBefore, `run ${run}: the victim changed`);
    assert.deepEqual(convergeTemps(tree), [], `run ${run}: temp files left`);
  }
  for (const image of [tree, `${tree}-via`]) {
    assert.equal(fs.readFileSync(path.join(image, `run/${MARK}.conf`), 'utf8'), 'in the image\n');
    assert.ok(fs.statSync(path.join(image, `run/${MARK}.d`)).isDirectory());
  }
  assert.equal(fs.existsSync(`/run/${MARK}.conf`), false, 'the write landed on the build machine');
  assert.equal(fs.existsSync(`/run/${MARK}.d`), false, 'the directory landed on the build machine');
  assert.ok(swaps >= RUNS * PER_RUN, `the attacker landed only ${swaps} swaps`);
  report('chroot race', [`/var/run -> /run and os-release -> /dev/zero inside the image (chroot, and chroot through a parent host): the write and mkdir landed in the image, facts gathered, run exit 0`, `${swaps} swaps landed on ${RUNS * PER_RUN * 2} paths (mkdir, copy with owner), victim on the build machine unchanged, ${refused} tasks refused, 0 temp files`, `${((Date.now() - started) / 1000).toFixed(1)} s`]);
});
