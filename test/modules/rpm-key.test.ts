// rpm_key against Debian's rpm, whose database is ~/.rpmdb: each tool runs
// with a HOME of its own, so the two databases (and gpg's homes) are
// separate and the machine's own is untouched. Keys made here with gpg.

import { after, before, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { differential } from './fixtures/ansible-differential.js';

let keys: string;
const fpr: Record<string, string> = {};
const homes = { converge: '', ansible: '' };
before(() => {
  keys = mkdtempSync('/tmp/cvg-rpmkey-');
  const gpg = (...a: string[]) => execFileSync('gpg', ['--batch', '--homedir', path.join(keys, 'gnupg'), ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  execFileSync('mkdir', ['-m', '700', path.join(keys, 'gnupg')]);
  for (const k of ['one', 'two', 'three']) {
    gpg('--passphrase', '', '--quick-gen-key', `cvtest ${k} <${k}@converge.invalid>`, 'rsa2048', 'sign', 'never');
    gpg('--armor', '--output', path.join(keys, `${k}.asc`), '--export', `${k}@converge.invalid`);
    fpr[k] = gpg('--with-colons', '--fingerprint', `${k}@converge.invalid`).split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9];
  }
  homes.converge = mkdtempSync('/tmp/cvg-rpmkey-c-');
  homes.ansible = mkdtempSync('/tmp/cvg-rpmkey-a-');
});
after(() => { for (const d of [keys, homes.converge, homes.ansible]) rmSync(d, { recursive: true, force: true }); });

test('rpm_key: converge and ansible-playbook agree', { timeout: 300_000 }, async () => {
  await differential({
    wrap: { converge: ['env', `HOME=${homes.converge}`], ansible: ['env', `HOME=${homes.ansible}`] },
    setup: (root) => { for (const k of ['one', 'two', 'three']) copyFileSync(path.join(keys, `${k}.asc`), path.join(root, `${k}.asc`)); },
    vars: `    id_one: "${fpr.one.slice(-16)}"\n    fpr_two: "${fpr.two.replace(/(.{4})/g, '$1 ').trim()}"\n`,
    // --check and the first run share the database: a second differential run would start from the first's keys.
    repeats: ['import one', 'remove one by id', 'remove two by file', 'import two with its fingerprint'],
    tasks: `
    - name: import one
      rpm_key: { key: "{{ root }}/one.asc" }
    - name: import one again
      ansible.builtin.rpm_key: { key: "{{ root }}/one.asc", state: present }
    - name: import two with its fingerprint
      rpm_key: { key: "{{ root }}/two.asc", fingerprint: "{{ fpr_two }}" }
    - name: three with a wrong fingerprint
      rpm_key: { key: "{{ root }}/three.asc", fingerprint: "{{ fpr_two }}" }
      ignore_errors: true
      register: r
    - name: show wrong fingerprint
      debug: { msg: "{{ r.msg }}" }
    - name: imported
      command: rpm -q gpg-pubkey --qf "%{version}\\n"
      register: q
      changed_when: false
    - name: show imported
      debug: { msg: "{{ q.stdout_lines | sort | join(',') }}" }
    - name: remove one by id
      rpm_key: { key: "0x{{ id_one }}", state: absent }
    - name: remove one again
      rpm_key: { key: "{{ id_one }}", state: absent }
    - name: remove two by file
      rpm_key: { key: "{{ root }}/two.asc", state: absent }
    - name: not a key
      rpm_key: { key: "{{ root }}/nope.asc" }
      ignore_errors: true
      register: r
    - name: show not a key
      debug: { msg: "{{ r.msg | replace(root, 'ROOT') }}" }
    - name: an id to import
      rpm_key: { key: "{{ id_one }}" }
      ignore_errors: true
      register: r
    - name: show an id to import
      debug: { msg: "{{ r.msg }}" }
    - name: left
      command: rpm -q gpg-pubkey
      register: q
      changed_when: false
      failed_when: false
    - name: show left
      debug: { msg: "{{ q.rc }}" }
`,
  });
});
