// ping and raw, side by side with ansible-playbook: what register sees, a
// failing raw command, ping's deliberate crash.

import { test } from 'node:test';
import { differential } from './fixtures/ansible-differential.js';

test('ping and raw: converge and ansible-playbook agree', { timeout: 120_000 }, async () => {
  await differential({
    tasks: `
    - name: ping
      ping:
      register: p1
    - name: show p1
      debug: { msg: "{{ p1.ping }}" }
    - name: ping with data
      ansible.builtin.ping: { data: hello }
      register: p2
    - name: show p2
      debug: { msg: "{{ p2.ping }}" }
    - name: ping crash
      ping: { data: crash }
      ignore_errors: true
    - name: raw with a pipe into a file
      raw: printf 'a\\nb\\n' | tee {{ root }}/raw.out
      register: r1
    - name: show r1
      debug: { msg: "{{ r1.rc }} {{ r1.stdout_lines | join(',') }}" }
    - name: raw failing
      raw: exit 3
      register: r2
      ignore_errors: true
    - name: show r2
      debug: { msg: "{{ r2.rc }}" }
`,
    repeats: ['raw with a pipe into a file', 'raw failing'],
  });
});
