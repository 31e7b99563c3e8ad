// wait_for, side by side with ansible-playbook: an open port (a listener this
// test starts), a closed port, files present and absent, a regular expression
// with groups, and the timeout failure with its message.

import { after, before, test } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';

const open = 20000 + (process.pid % 20000);
const closed = open + 1;
let listener: ChildProcess;
before(async () => {
  listener = spawn('python3', ['-c', `import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\ns.bind(('127.0.0.1', ${open}))\ns.listen(50)\nprint('up', flush=True)\nwhile True:\n    c, _ = s.accept()\n    c.close()\n`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => listener.stdout!.once('data', r));
});
after(() => { listener.kill(); });

test('wait_for: converge and ansible-playbook agree', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => writeFileSync(`${root}/dhcpd.log`, 'starting\nListening on LPF/eth1/52:54:00:12:34:56/10.0.0.0/24\n'),
    tasks: `
    - name: an open port
      wait_for: { port: ${open}, timeout: 10 }
      register: w1
    - name: show w1
      debug: { msg: "{{ w1.state }} {{ w1.port }} {{ w1.elapsed }}" }
    - name: a closed port is stopped
      ansible.builtin.wait_for: { port: ${closed}, state: stopped, timeout: 10 }
    - name: a file with a match
      wait_for: { path: "{{ root }}/dhcpd.log", search_regex: 'Listening on LPF/(?P<iface>\\w+)/(\\S+)/' }
      register: w2
    - name: show w2
      debug: { msg: "{{ w2.match_groupdict.iface }} {{ w2.match_groups | join(' ') }}" }
    - name: a file that is absent
      wait_for: { path: "{{ root }}/nope", state: absent, timeout: 5 }
    - name: timeout on a missing file
      wait_for: { path: "{{ root }}/never", timeout: 2 }
      ignore_errors: true
      register: w3
    - name: show w3
      debug: { msg: "{{ w3.msg | replace(root, 'R') }} {{ w3.elapsed }}" }
    - name: timeout with a message of our own
      wait_for: { port: ${closed}, timeout: 1, msg: "the service did not come up" }
      ignore_errors: true
      register: w4
    - name: show w4
      debug: { msg: "{{ w4.msg }}" }
`,
  });
});
