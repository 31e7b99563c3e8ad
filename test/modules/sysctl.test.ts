// sysctl (ansible.posix.sysctl), side by side with ansible-playbook, each in
// its own network namespace: net.* parameters there are the namespace's own,
// so the live values (sysctl -w, sysctl -p) really change, on a fresh kernel
// state per side, and the sysctl files are compared after the run.

import { after, before, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';

const ns = { converge: `cvg-sysctl-c-${process.pid}`, ansible: `cvg-sysctl-a-${process.pid}` };
before(() => { for (const n of Object.values(ns)) execFileSync('ip', ['netns', 'add', n]); });
after(() => { for (const n of Object.values(ns)) execFileSync('ip', ['netns', 'delete', n]); });

test('sysctl: converge and ansible-playbook agree, file and live values', { timeout: 300_000 }, async () => {
  await differential({
    wrap: { converge: ['ip', 'netns', 'exec', ns.converge], ansible: ['ip', 'netns', 'exec', ns.ansible] },
    setup: (root) => {
      writeFileSync(`${root}/sysctl.conf`, '# cluster settings\n  net.core.somaxconn = 1024  \nnet.core.somaxconn=2048\n\nnet.ipv4.tcp_fin_timeout=30\n');
      writeFileSync(`${root}/keepalive.conf`, 'net.ipv4.tcp_keepalive_time=600\n');
      writeFileSync(`${root}/drop.conf`, 'net.ipv4.tcp_keepalive_intvl=30\n');
    },
    tasks: `
    - name: forwarding on, reloaded from a new file
      sysctl: { name: net.ipv4.ip_forward, value: "1", sysctl_file: "{{ root }}/90-forward.conf" }
    - name: a boolean value, set live without reload
      ansible.posix.sysctl: { key: net.ipv4.conf.all.forwarding, val: yes, sysctl_set: true, reload: false, sysctl_file: "{{ root }}/91-all.conf" }
    - name: rewrite an existing file (duplicates, spaces)
      sysctl: { name: net.core.somaxconn, value: 4096, sysctl_file: "{{ root }}/sysctl.conf" }
    - name: two words
      sysctl: { name: net.ipv4.ping_group_range, value: "0 100", sysctl_set: true, sysctl_file: "{{ root }}/92-ping.conf" }
    - name: in the file already, live differs, reload
      sysctl: { name: net.ipv4.tcp_keepalive_time, value: "600", sysctl_file: "{{ root }}/keepalive.conf" }
    - name: absent
      sysctl: { name: net.ipv4.tcp_keepalive_intvl, state: absent, sysctl_file: "{{ root }}/drop.conf" }
    - name: absent and not there
      sysctl: { name: net.ipv4.tcp_fin_timeout, state: absent, sysctl_file: "{{ root }}/drop.conf" }
    - name: a key the kernel does not have
      sysctl: { name: net.no.such.key, value: "1", sysctl_set: true, sysctl_file: "{{ root }}/93-bad.conf" }
      ignore_errors: true
      register: bad
    - name: show bad
      debug: { msg: "{{ bad.msg.split(':')[0] }}" }
    - name: live values
      command: sysctl -n net.ipv4.ip_forward net.ipv4.conf.all.forwarding net.core.somaxconn net.ipv4.ping_group_range net.ipv4.tcp_keepalive_time
      register: live
      changed_when: false
    - name: show live
      debug: { msg: "{{ live.stdout_lines | join(',') }}" }
`,
  });
});
