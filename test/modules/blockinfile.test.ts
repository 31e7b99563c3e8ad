// blockinfile, side by side with ansible-playbook: insert, update in place,
// placement by regexp, BOF, custom markers, removal, create, missing files.

import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';

test('blockinfile: converge and ansible-playbook agree on every case', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => {
      writeFileSync(`${root}/dhcpd.conf`, 'option domain-name "cluster";\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n}\n');
      writeFileSync(`${root}/hosts`, '127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.9 old\n# END ANSIBLE MANAGED BLOCK\n::1 localhost6\n');
      writeFileSync(`${root}/noeol`, 'last line without newline');
      writeFileSync(`${root}/remove.conf`, 'a\n# BEGIN ANSIBLE MANAGED BLOCK\nx\n# END ANSIBLE MANAGED BLOCK\nb\n');
      writeFileSync(`${root}/top.conf`, 'first\nsecond\n');
      writeFileSync(`${root}/custom`, 'keep\n');
    },
    tasks: `
    - name: insert after the last regexp match
      blockinfile:
        path: "{{ root }}/dhcpd.conf"
        insertafter: '^option '
        block: |
          host node01 { hardware ethernet fc:ab:14:e8:66:01; fixed-address 10.0.0.11; }
          host node02 { hardware ethernet fc:ab:14:e8:66:02; fixed-address 10.0.0.12; }
      register: r1
    - name: show r1
      debug: { msg: "{{ r1.msg }}" }
    - name: update the existing block in place
      ansible.builtin.blockinfile: { dest: "{{ root }}/hosts", block: "10.0.0.11 node01\\n10.0.0.12 node02" }
    - name: append to a file without final newline
      blockinfile: { path: "{{ root }}/noeol", content: "added" }
    - name: empty block removes it
      blockinfile: { path: "{{ root }}/remove.conf", block: "" }
      register: r2
    - name: show r2
      debug: { msg: "{{ r2.msg }}" }
    - name: insert at BOF
      blockinfile: { path: "{{ root }}/top.conf", block: "zero", insertbefore: BOF }
    - name: custom marker and mode
      blockinfile: { path: "{{ root }}/custom", block: "inside", marker: "<!-- {mark} managed -->", marker_begin: start, marker_end: stop, mode: '0640' }
    - name: create a new file
      blockinfile: { path: "{{ root }}/new/sub.conf", block: "created", create: true }
      register: r3
    - name: show r3
      debug: { msg: "{{ r3.msg }}" }
    - name: absent without create on a missing file fails
      blockinfile: { path: "{{ root }}/missing", state: absent }
      ignore_errors: true
    - name: absent on a missing file with create is fine
      blockinfile: { path: "{{ root }}/missing", state: absent, create: true }
    - name: state absent of a block that is not there
      blockinfile: { path: "{{ root }}/top.conf", state: absent, marker: "# {mark} OTHER" }
`,
  });
});
