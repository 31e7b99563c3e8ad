// lineinfile's registered msg side by side with ansible-playbook: the msg of a
// changed run is the edit's ('line added', 'line replaced', 'N line(s) removed'),
// not the verifying re-plan's empty one.

import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';

test('lineinfile: registered msg as ansible-playbook reports it', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => writeFileSync(`${root}/f.conf`, 'a=1\n# comment\nb=2\n'),
    tasks: `
    - name: add
      lineinfile: { path: "{{ root }}/f.conf", line: "c=3" }
      register: r1
    - name: show add
      debug: { msg: "{{ r1.msg }}|{{ r1.changed }}" }
    - name: replace
      lineinfile: { path: "{{ root }}/f.conf", regexp: "^a=", line: "a=9" }
      register: r2
    - name: show replace
      debug: { msg: "{{ r2.msg }}|{{ r2.changed }}" }
    - name: remove
      lineinfile: { path: "{{ root }}/f.conf", regexp: "^#", state: absent }
      register: r3
    - name: show remove
      debug: { msg: "{{ r3.msg }}|{{ r3.changed }}" }
    - name: create
      lineinfile: { path: "{{ root }}/new.conf", line: "x", create: true }
      register: r4
    - name: show create
      debug: { msg: "{{ r4.msg }}|{{ r4.changed }}" }
`,
  });
});
