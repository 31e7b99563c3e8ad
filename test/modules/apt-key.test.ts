// apt_key: side by side with ansible-playbook on keyring files in each tool's
// own tree (apt-key --keyring, so the machine's /etc/apt is untouched): keys
// from a file, inline data and a URL (a loopback HTTP server in its own
// process), ids of 8, 16 and 40 digits, removal, a second run; the registered
// values compared. On a Debian bed host over SSH: apt's own keyrings. Keys
// are made here with gpg; their armored text never shows in output.

import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { differential } from './fixtures/ansible-differential.js';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { aptKeyModule, listedIds, splitKeyId } from '../../modules/apt-key.js';
import { converge, project } from '../helpers/cli.js';
import { mountImageTree, type ImageTree } from './fixtures/image-tree.js';
import { SHAPED_FLAVORS } from '../bed/shaped/flavors.js';

let keys: string;
const fpr: Record<string, string> = {};
let server: ChildProcess;
let base = '';

const FILE_SERVER = `
const http = require('node:http'); const fs = require('node:fs'); const p = require('node:path');
http.createServer((req, res) => {
  const f = p.join(process.argv[1], p.basename(req.url));
  if (!fs.existsSync(f)) { res.writeHead(404); return res.end('no'); }
  res.writeHead(200, { 'Content-Type': 'application/pgp-keys' }); res.end(fs.readFileSync(f));
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;

before(async () => {
  keys = mkdtempSync('/tmp/cvg-aptkey-');
  const gpg = (...a: string[]) => execFileSync('gpg', ['--batch', '--homedir', path.join(keys, 'gnupg'), ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  execFileSync('mkdir', ['-m', '700', path.join(keys, 'gnupg')]);
  for (const k of ['one', 'two', 'three']) {
    gpg('--passphrase', '', '--quick-gen-key', `cvtest ${k} <${k}@converge.invalid>`, 'rsa2048', 'sign', 'never');
    gpg('--armor', '--output', path.join(keys, `${k}.asc`), '--export', `${k}@converge.invalid`);
    fpr[k] = gpg('--with-colons', '--fingerprint', `${k}@converge.invalid`).split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9];
  }
  server = spawn(process.execPath, ['-e', FILE_SERVER, keys], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = await once(server.stdout!, 'data');
  base = `http://127.0.0.1:${String(chunk).trim()}`;
});
after(async () => {
  server?.kill();
  rmSync(keys, { recursive: true, force: true });
});

describe('apt_key: ids as Ansible reads them', () => {
  it('apt-key listings and gpg colon listings; expired keys left out', () => {
    const listing = '/etc/apt/trusted.gpg\n--------------------\npub   rsa2048/9F4457B2F84CE1AB 2026-12-04 [SC]\n      681DB0852B3F42DE0C472EE29F4457B2F84CE1AB\nuid  [ unknown] one\nsub   rsa2048/1111222233334444 2026-12-04 [E]\npub   rsa1024/AAAABBBBCCCCDDDD 2010-01-01 [SC] [expired: 2012-01-01]\n';
    assert.deepEqual(listedIds(listing), ['9F4457B2F84CE1AB', '1111222233334444']);
    assert.deepEqual(listedIds('pub:-:2048:1:9F4457B2F84CE1AB:1796377250:::-:\nuid:::::::::one:\n'), ['9F4457B2F84CE1AB']);
  });
  it('8, 16 and 40 digits; 0x dropped; other lengths and non-hex refused', () => {
    assert.deepEqual(splitKeyId('0x9f4457b2'), { short: '9F4457B2', fp: '9F4457B2', long: '9F4457B2' });
    assert.deepEqual(splitKeyId('681DB0852B3F42DE0C472EE29F4457B2F84CE1AB'), { short: 'F84CE1AB', fp: '9F4457B2F84CE1AB', long: '681DB0852B3F42DE0C472EE29F4457B2F84CE1AB' });
    for (const bad of ['9F4457B2F8', 'xyz12345', '']) assert.equal(splitKeyId(bad), undefined);
  });
});

test('apt_key: converge and ansible-playbook agree (keyring files in the tree)', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => { for (const k of ['one', 'two']) copyFileSync(path.join(keys, `${k}.asc`), path.join(root, `${k}.asc`)); },
    vars: `    fpr_one: "${fpr.one}"\n    fpr_two: "${fpr.two}"\n    fpr_three: "${fpr.three}"\n    key_two: "{{ lookup('file', root + '/two.asc') }}"\n    base: "${base}"\n`,
    // Added, then removed: a second run adds and removes them again.
    repeats: ['add one from a file', 'add two from data', 'remove one by fingerprint', "remove two by its file's id"],
    // gpg keeps a backup of the keyring it rewrote (k.gpg~): compared too.
    tasks: `
    - name: add one from a file
      apt_key: { file: "{{ root }}/one.asc", keyring: "{{ root }}/k.gpg" }
      register: r
    - name: show add one from a file
      debug: { msg: "{{ r.id }} {{ r.key_id }} {{ r.short_id }} {{ r.fp }} [{{ r.before | join(',') }}] [{{ r.after | join(',') }}]" }
    - name: add one again by its fingerprint
      ansible.builtin.apt_key: { id: "{{ fpr_one }}", file: "{{ root }}/one.asc", keyring: "{{ root }}/k.gpg" }
      register: r
    - name: show add one again
      debug: { msg: "{{ r.id }} {{ r.key_id }} {{ r.short_id }} {{ r.fp }} [{{ r.before | join(',') }}] {{ r.after | default('none') }}" }
    - name: one by its short id
      apt_key: { id: "0x{{ fpr_one[-8:] | lower }}", file: "{{ root }}/one.asc", keyring: "{{ root }}/k.gpg" }
      register: r
    - name: show one by its short id
      debug: { msg: "{{ r.changed }} {{ r.id }} [{{ r.before | join(',') }}]" }
    - name: add two from data
      apt_key: { data: "{{ key_two }}", keyring: "{{ root }}/k.gpg" }
      register: r
    - name: show add two from data
      debug: { msg: "{{ r.id }} {{ r.before | length }} {{ r.after | length }}" }
    - name: add three from a URL into another keyring
      apt_key: { url: "{{ base }}/three.asc", keyring: "{{ root }}/other.gpg" }
      register: r
    - name: show add three
      debug: { msg: "{{ r.id }} [{{ r.after | join(',') }}]" }
    - name: three again, by id and URL
      apt_key: { id: "{{ fpr_three }}", url: "{{ base }}/three.asc", keyring: "{{ root }}/other.gpg" }
    - name: remove one by fingerprint
      apt_key: { id: "{{ fpr_one }}", keyring: "{{ root }}/k.gpg", state: absent }
      register: r
    - name: show remove one
      debug: { msg: "{{ r.before | length }} [{{ r.after | join(',') }}]" }
    - name: remove one again
      apt_key: { id: "{{ fpr_one }}", keyring: "{{ root }}/k.gpg", state: absent }
    - name: remove two by its file's id
      apt_key: { file: "{{ root }}/two.asc", keyring: "{{ root }}/k.gpg", state: absent }
    - name: a URL that is not there
      apt_key: { url: "{{ base }}/nope.asc", keyring: "{{ root }}/k.gpg" }
      ignore_errors: true
    - name: not a key file
      apt_key: { file: "{{ root }}/nope.asc", keyring: "{{ root }}/k.gpg" }
      ignore_errors: true
      register: r
    - name: show not a key file
      debug: { msg: "{{ r.msg | replace(root, 'ROOT') }}" }
    - name: an id of 10 digits
      apt_key: { id: "0123456789", keyring: "{{ root }}/k.gpg" }
      ignore_errors: true
      register: r
    - name: show an id of 10 digits
      debug: { msg: "{{ r.msg }}" }
    - name: keys left
      command: apt-key --keyring {{ root }}/k.gpg adv --list-public-keys --with-colons
      register: q
      changed_when: false
    - name: show keys left
      debug: { msg: "{{ q.stdout_lines | select('match', '^pub') | list | length }}" }
`,
    // Each gpg run writes its own timestamps into the trust data of a keyring's backup: keyrings are compared by listing above.
    compare: (rel) => !rel.endsWith('.gpg') && !rel.endsWith('.gpg~'),
  });
});

test('apt_key: the key text shows nowhere (output, --diff, --json)', () => {
  const text = readFileSync(path.join(keys, 'one.asc'), 'utf8');
  const p = project({ 'pb.yaml': `- hosts: localhost\n  gather_facts: false\n  vars:\n    key: "{{ lookup('file', playbook_dir + '/one.asc') }}"\n  tasks:\n    - name: add\n      apt_key: { data: "{{ key }}", keyring: "{{ playbook_dir }}/k.gpg" }\n      register: r\n    - debug: { var: r }\n` });
  try {
    writeFileSync(path.join(p, 'one.asc'), text);
    for (const args of [['pb.yaml', '--check', '--diff'], ['pb.yaml', '--diff', '--json'], ['pb.yaml', '--diff', '-v']]) {
      const r = converge([...args, '--state-dir', path.join(p, 'state')], { cwd: p });
      assert.equal(r.code, 0, r.stderr);
      const all = r.stdout + r.stderr;
      const body = text.split('\n').filter((l) => l.length > 20);
      assert.ok(body.length > 5);
      for (const l of body) assert.ok(!all.includes(l), `key line shown: ${l}\n${all}`);
      assert.match(all, new RegExp(fpr.one.slice(-16)));
    }
  } finally {
    rmSync(p, { recursive: true, force: true });
  }
});

describe('apt_key on a Debian bed host (apt\'s own keyrings, over SSH)', () => {
  let t: BedTarget;
  before(async () => {
    t = await upTarget('debian12');
    // apt-key needs gpg and gpg-agent (Debian's gnupg); the bed's minimal system has neither.
    if ((await t.host.run(['sh', '-c', 'command -v gpg && command -v gpg-agent'])).rc !== 0) {
      const r = await t.host.run(['sh', '-c', 'apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 gnupg >/dev/null 2>&1; command -v gpg-agent']);
      assert.equal(r.rc, 0, 'gnupg on the bed host');
    }
    await t.host.writeFile('/root/two.asc', readFileSync(path.join(keys, 'two.asc')));
  });
  after(async () => { await t?.down(); });

  // The key lines only: apt-key names a temporary directory of its own in each listing.
  const listing = async () => (await t.host.run(['apt-key', 'adv', '--list-public-keys', '--keyid-format=long'])).stdout.split('\n').filter((l) => /^(pub|sub) /.test(l)).join('\n');

  it('add from a file: --check predicts, the run adds, apt-key lists it, a second run changes nothing; removal the same', async () => {
    const id = fpr.two.slice(-16);
    await checkRunReplan(aptKeyModule, { file: '/root/two.asc' }, { host: t.host }, listing, [`key:${id}`]);
    assert.match(await listing(), new RegExp(`rsa2048/${id}`));
    await checkRunReplan(aptKeyModule, { file: '/root/two.asc' }, { host: t.host }, listing, []);
    await checkRunReplan(aptKeyModule, { id: fpr.two, state: 'absent' }, { host: t.host }, listing, [`key:${id}`]);
    assert.doesNotMatch(await listing(), new RegExp(id));
    await checkRunReplan(aptKeyModule, { id: fpr.two, state: 'absent' }, { host: t.host }, listing, []);
  });
});

// A tree with apt-key and gnupg: the suse15 bed layer is Debian 12 underneath
// (apt) with Debian's gnupg, which zypper brought in; the bed's plain Debian
// layer has no gpg.
describe('apt_key in an image tree (chroot host: apt-key and gpg inside the tree)', () => {
  let image: ImageTree;
  const KEYRING = '/etc/apt/trusted.gpg.d/cvtest.gpg';
  before(async () => {
    image = await mountImageTree(await SHAPED_FLAVORS.find((f) => f.name === 'suse15')!.layer(), 'aptkey-image');
    copyFileSync(path.join(keys, 'two.asc'), path.join(image.tree, 'root/two.asc'));
  });
  after(() => { image?.cleanup(); });

  // A keyring of its own: apt-key merges every keyring of the tree on each call without one (seconds each).
  const listing = async () => (await image.host.run(['apt-key', '--keyring', KEYRING, 'adv', '--list-public-keys', '--keyid-format=long'])).stdout.split('\n').filter((l) => /^(pub|sub) /.test(l)).join('\n');

  it('add from a file into a keyring of the tree: --check predicts, a second run changes nothing; removal the same; nothing of this machine\'s', async () => {
    const id = fpr.two.slice(-16);
    assert.ok(!existsSync(KEYRING), `this machine has no ${KEYRING}`);
    await checkRunReplan(aptKeyModule, { file: '/root/two.asc', keyring: KEYRING }, { host: image.host }, listing, [`key:${id}`]);
    assert.match(await listing(), new RegExp(`rsa2048/${id}`));
    assert.ok(existsSync(path.join(image.tree, KEYRING)), 'the keyring is the tree\'s');
    await checkRunReplan(aptKeyModule, { file: '/root/two.asc', keyring: KEYRING }, { host: image.host }, listing, []);
    await checkRunReplan(aptKeyModule, { id: fpr.two, keyring: KEYRING, state: 'absent' }, { host: image.host }, listing, [`key:${id}`]);
    assert.doesNotMatch(await listing(), new RegExp(id));
    await checkRunReplan(aptKeyModule, { id: fpr.two, keyring: KEYRING, state: 'absent' }, { host: image.host }, listing, []);
    assert.ok(!existsSync(KEYRING), `this machine has no ${KEYRING}`);
  });
});
