// fetch: host to controller, side by side with ansible-playbook (the host and
// the controller are both this machine); a hostile host or source name cannot
// put the file outside dest; over SSH from a bed host.

import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, lchownSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { differential } from './fixtures/ansible-differential.js';
import { host } from './file-fixtures.js';
import { runModule, planModule } from '../helpers/module-harness.js';
import { fetchModule } from '../../modules/fetch.js';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';

test('fetch: converge and ansible-playbook agree', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => {
      mkdirSync(path.join(root, 'remote/dir'), { recursive: true });
      mkdirSync(path.join(root, 'into'));
      writeFileSync(path.join(root, 'remote/motd'), 'welcome\n');
      writeFileSync(path.join(root, 'remote/hosts'), '127.0.0.1 localhost\n');
      writeFileSync(path.join(root, 'stale'), 'old copy\n');
      symlinkSync('motd', path.join(root, 'remote/motd.link'));
    },
    // dest/<host>/<absolute src> differs between the two trees by their own directory names: shown by the debug task.
    compare: (rel) => !rel.startsWith('fetched/localhost/'),
    tasks: `
    - name: fetch into the host's tree
      fetch: { src: "{{ root }}/remote/motd", dest: "{{ root }}/fetched" }
      register: r1
    - name: show r1
      debug: { msg: "{{ r1.dest }} {{ r1.checksum }} {{ r1.remote_checksum }} {{ r1.file | default('no file') }}" }
    - name: flat to a file
      ansible.builtin.fetch: { src: "{{ root }}/remote/hosts", dest: "{{ root }}/hosts.copy", flat: yes }
    - name: flat into a directory
      fetch: { src: "{{ root }}/remote/motd.link", dest: "{{ root }}/into/", flat: true }
      register: r3
    - name: show r3
      debug: { msg: "{{ r3.dest }} {{ r3.checksum }}" }
    - name: replaces a different copy
      fetch: { src: "{{ root }}/remote/motd", dest: "{{ root }}/stale", flat: true }
    - name: missing, tolerated
      fetch: { src: "{{ root }}/remote/nope", dest: "{{ root }}/fetched", fail_on_missing: false }
      register: r5
    - name: show r5
      debug: { msg: "{{ r5.msg }} {{ r5.changed }}" }
    - name: missing
      fetch: { src: "{{ root }}/remote/nope", dest: "{{ root }}/fetched" }
      ignore_errors: true
    - name: a directory
      fetch: { src: "{{ root }}/remote/dir", dest: "{{ root }}/fetched" }
      ignore_errors: true
      register: r7
    - name: show r7
      debug: { msg: "{{ r7.msg }}" }
`,
  });
});

describe('fetch: the controller path is the task\'s, not the host\'s', () => {
  let dir: string;
  before(() => { dir = mkdtempSync('/tmp/cvg-fetch-'); writeFileSync(path.join(dir, 'f'), 'data\n'); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a source or host name with .. is refused before anything is read or written', async () => {
    const outside = path.join(dir, 'escaped');
    for (const src of [`${dir}/../${path.basename(dir)}/f`, '../../../f']) {
      const r = await runModule(fetchModule, { src, dest: path.join(dir, 'store', 'x', 'y') }, { host, baseDir: dir });
      assert.equal(r.status, 'failed');
      assert.match(r.message ?? '', /would be stored outside .*refusing/);
    }
    assert.equal(existsSync(path.join(dir, 'store')), false);
    assert.equal(existsSync(outside), false);
  });

  it('a link planted in dest by another user is not written through', async () => {
    const store = path.join(dir, 'store2');
    const victim = path.join(dir, 'victim');
    mkdirSync(store);
    mkdirSync(victim);
    // Another user's link where the per-host directory goes: dest/localhost -> victim.
    symlinkSync(victim, path.join(store, 'localhost'));
    lchownSync(path.join(store, 'localhost'), 65534, 65534);
    const r = await runModule(fetchModule, { src: path.join(dir, 'f'), dest: store }, { host, baseDir: dir });
    assert.equal(r.status, 'failed');
    assert.match(r.message ?? '', /refusing to follow the symbolic link .*belongs to uid 65534/);
    assert.deepEqual(readdirSync(victim), []);
  });
});

describe('fetch over SSH (bed host)', () => {
  let t: BedTarget;
  let dir: string;
  before(async () => { t = await upTarget(); dir = mkdtempSync('/tmp/cvg-fetch-ssh-'); });
  after(async () => { await t?.down(); rmSync(dir, { recursive: true, force: true }); });

  it('the host\'s file lands under dest/<host>/<path>; --check predicts, a second run changes nothing', async () => {
    await t.host.writeFile('/etc/converge-fetch.conf', 'from the bed host\n');
    const params = { src: '/etc/converge-fetch.conf', dest: path.join(dir, 'fetched') };
    const plan = await planModule(fetchModule, params, { host: t.host, baseDir: dir });
    assert.deepEqual(plan.changes.map((c) => c.property), ['content']);
    assert.equal(existsSync(path.join(dir, 'fetched')), false, '--check wrote nothing');
    const first = await runModule(fetchModule, params, { host: t.host, baseDir: dir });
    assert.equal(first.status, 'changed', first.message);
    const copy = path.join(dir, 'fetched', t.host.name, 'etc/converge-fetch.conf');
    assert.equal(readFileSync(copy, 'utf8'), 'from the bed host\n');
    assert.equal((await runModule(fetchModule, params, { host: t.host, baseDir: dir })).status, 'ok');
    // A link on the host is the host's business: its target's content is fetched as data, under the task's name.
    await t.host.run(['ln', '-sfn', '/etc/hostname', '/root/name.link']);
    const linked = await runModule(fetchModule, { src: '/root/name.link', dest: path.join(dir, 'fetched') }, { host: t.host, baseDir: dir });
    assert.equal(linked.status, 'changed', linked.message);
    assert.equal(readFileSync(path.join(dir, 'fetched', t.host.name, 'root/name.link'), 'utf8'), (await t.host.readFile('/etc/hostname'))!.toString());
    assert.deepEqual(readdirSync(path.join(dir, 'fetched', t.host.name)).sort(), ['etc', 'root']);
  });
});
