// ini_file (community.general.ini_file), side by side with ansible-playbook
// and Debian's community.general: options set, changed, uncommented,
// exclusive values, sections added and removed, no-value options.

import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';

test('ini_file: converge and ansible-playbook agree on every case', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => {
      writeFileSync(`${root}/slurm.ini`, 'global=1\n\n[main]\n# commented = old\nport = 80\n\n[other]\nport = 90\n');
      writeFileSync(`${root}/multi.ini`, '[repo]\nbaseurl = http://a\nbaseurl = http://b\nbaseurl = http://c\n');
      writeFileSync(`${root}/values.ini`, '[repo]\nbaseurl = http://b\nbaseurl = http://d\n');
      writeFileSync(`${root}/noeol.ini`, '[s]\nk = v');
      writeFileSync(`${root}/crlf.ini`, '[s]\r\nk = 1\r\n');
      writeFileSync(`${root}/drop.ini`, '[keep]\na = 1\n[drop]\nb = 2\n[tail]\nc = 3\n');
    },
    tasks: `
    - name: change an option
      ini_file: { path: "{{ root }}/slurm.ini", section: main, option: port, value: "8080" }
      register: r1
    - name: show r1
      debug: { msg: "{{ r1.msg }}" }
    - name: uncomment a commented option
      community.general.ini_file: { path: "{{ root }}/slurm.ini", section: main, option: commented, value: new, no_extra_spaces: true }
    - name: add to a section
      ini_file: { dest: "{{ root }}/slurm.ini", section: other, option: host, value: head }
    - name: option before the first section
      ini_file: { path: "{{ root }}/slurm.ini", section: null, option: global, value: "2" }
    - name: new section at the end
      ini_file: { path: "{{ root }}/slurm.ini", section: new, option: a, value: b }
      register: r2
    - name: show r2
      debug: { msg: "{{ r2.msg }}" }
    - name: exclusive values keep exactly these
      ini_file: { path: "{{ root }}/multi.ini", section: repo, option: baseurl, values: [ "http://b", "http://d" ] }
    - name: non-exclusive absent of one value
      ini_file: { path: "{{ root }}/values.ini", section: repo, option: baseurl, values: [ "http://d" ], state: absent, exclusive: false }
    - name: a file without final newline
      ini_file: { path: "{{ root }}/noeol.ini", section: s, option: k, value: v }
    - name: CRLF file
      ini_file: { path: "{{ root }}/crlf.ini", section: s, option: k, value: "2" }
    - name: remove a section
      ini_file: { path: "{{ root }}/drop.ini", section: drop, state: absent }
      register: r3
    - name: show r3
      debug: { msg: "{{ r3.msg }}" }
    - name: option without value
      ini_file: { path: "{{ root }}/drop.ini", section: keep, option: flag, allow_no_value: true }
    - name: create a new file with mode
      ini_file: { path: "{{ root }}/new/created.ini", section: s, option: k, value: v, mode: '0600' }
    - name: only a section
      ini_file: { path: "{{ root }}/drop.ini", section: empty }
      register: r4
    - name: show r4
      debug: { msg: "{{ r4.msg }}" }
    - name: create false on a missing file fails
      ini_file: { path: "{{ root }}/missing.ini", section: s, option: k, value: v, create: false }
      ignore_errors: true
    - name: absent option not there
      ini_file: { path: "{{ root }}/drop.ini", section: keep, option: nothere, state: absent }
`,
  });
});
