// pause, side by side with ansible-playbook (timed pauses: what register
// sees), and the refusal of a pause that would wait for a key press.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { differential } from './fixtures/ansible-differential.js';
import { converge, project } from '../helpers/cli.js';

test('pause: converge and ansible-playbook agree, and it really waits', { timeout: 120_000 }, async () => {
  const t0 = Date.now();
  await differential({
    tasks: `
    - name: one second
      pause: { seconds: 1 }
      register: p1
    - name: show p1
      debug: { msg: "{{ p1.stdout | regex_replace('[0-9][0-9.]*', 'N') }} {{ p1.delta }} {{ p1.user_input }}" }
    - name: with a prompt
      ansible.builtin.pause: { seconds: 1, prompt: "waiting for the nodes" }
`,
  });
  assert.ok(Date.now() - t0 >= 6000, 'three converge runs and one ansible run each paused twice');
});

test('pause: without seconds or minutes it is refused before anything runs', () => {
  const dir = project({ 'pb.yaml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: wait for a key\n      pause: { prompt: "press enter" }\n' });
  const r = converge(['validate', 'pb.yaml'], { cwd: dir });
  assert.notEqual(r.code, 0);
  assert.match(r.stdout + r.stderr, /pb\.yaml:5:\d+: .*missing required parameter 'seconds'/);
});
