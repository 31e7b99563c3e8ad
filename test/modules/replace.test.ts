// replace, side by side with ansible-playbook: the same tasks on two copies of
// the same files give the same statuses, messages and resulting files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';
import { planModule } from '../helpers/module-harness.js';
import { replaceModule } from '../../modules/replace.js';
import { host } from './file-fixtures.js';

const SSHD = 'Port 22\n#PermitRootLogin yes\nPasswordAuthentication yes\nMatch User backup\n  PasswordAuthentication yes\n';

test('replace: converge and ansible-playbook agree on every case', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => {
      writeFileSync(`${root}/sshd_config`, SSHD);
      writeFileSync(`${root}/hosts`, '10.0.0.1 head\n10.0.0.2 node01 node01.cluster\n10.0.0.3 node02\n');
      writeFileSync(`${root}/section.conf`, 'a=1\n[main]\na=1\n[other]\na=1\n');
      writeFileSync(`${root}/crlf.conf`, 'x=1\r\ny=2\r\n');
      writeFileSync(`${root}/mode.conf`, 'keep\n');
    },
    tasks: `
    - name: back-reference rewrites every host line
      replace: { path: "{{ root }}/hosts", regexp: '^(10\\.0\\.0\\.\\d+)\\s+(\\S+)$', replace: '\\1 \\2 \\2.cluster' }
      register: r1
    - name: show r1
      debug: { msg: "{{ r1.msg }}" }
    - name: named group, only before Match
      ansible.builtin.replace: { dest: "{{ root }}/sshd_config", regexp: '^(?P<k>PasswordAuthentication) yes', replace: '\\g<k> no', before: '^Match' }
    - name: after and before bound the section
      replace: { path: "{{ root }}/section.conf", regexp: '^a=1$', replace: 'a=2', after: '\\[main\\]', before: '\\[other\\]' }
    - name: after that does not match leaves the file
      replace: { path: "{{ root }}/section.conf", regexp: 'a', replace: 'b', after: 'nomatch' }
      register: r2
    - name: show r2
      debug: { msg: "{{ r2.msg }}" }
    - name: nothing to replace
      replace: { path: "{{ root }}/sshd_config", regexp: '^NoSuchOption.*$', replace: 'x' }
    - name: empty replace removes matches, CRLF kept
      replace: { path: "{{ root }}/crlf.conf", regexp: '^y=2', replace: '' }
    - name: mode only
      replace: { path: "{{ root }}/mode.conf", regexp: 'zzz', replace: 'y', mode: '0600' }
      register: r3
    - name: show r3
      debug: { msg: "{{ r3.msg }}" }
    - name: missing file fails
      replace: { path: "{{ root }}/missing", regexp: 'a' }
      ignore_errors: true
      register: r4
    - name: show r4
      debug: { msg: "{{ r4.msg | replace(root, 'ROOT') }}" }
`,
  });
});

test('replace: --check shows the diff and writes nothing; bad params are refused before the host', async () => {
  const dir = (await import('node:fs')).mkdtempSync('/tmp/cvg-replace-');
  writeFileSync(`${dir}/f`, 'a=1\n');
  const p = await planModule(replaceModule, { path: `${dir}/f`, regexp: '1', replace: '2' }, { host, baseDir: dir });
  assert.deepEqual(p.changes.map((c) => c.property), ['content']);
  assert.match(String(p.changes[0].diff), /-a=1\n\+a=2/);
  assert.equal((await import('node:fs')).readFileSync(`${dir}/f`, 'utf8'), 'a=1\n');
  await assert.rejects(planModule(replaceModule, { path: `${dir}/f` }, { host, baseDir: dir }), /missing required parameter 'regexp'/);
  await assert.rejects(planModule(replaceModule, { path: `${dir}/f`, regexp: 'a', replacement: 'b' }, { host, baseDir: dir }), /unknown parameter 'replacement' for module 'replace'; expected one of: .*regexp, replace/);
});
