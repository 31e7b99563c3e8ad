// authorized_key, side by side with ansible-playbook on files under a temp
// tree (path=...): added keys, options and comments, a changed comment, an
// absent key, exclusive, several keys per task, directory and file modes.

import { test } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';

const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHeadNodeKeyOne admin@head';
const K2 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCnodeKeyTwo';
const K3 = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYKeyThree ops@laptop';

test('authorized_key: converge and ansible-playbook agree', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => {
      mkdirSync(`${root}/home`);
      mkdirSync(`${root}/existing`, { mode: 0o755 });
      writeFileSync(`${root}/existing/keys`, `# managed by hand\n${K1}\nno-pty ${K3}\n\n`, { mode: 0o644 });
      mkdirSync(`${root}/drop`);
      writeFileSync(`${root}/drop/keys`, `${K1}\n${K2}\n`);
      mkdirSync(`${root}/excl`);
      writeFileSync(`${root}/excl/keys`, `${K1}\n${K2}\n${K3}\n`);
    },
    tasks: `
    - name: a key into a new file
      authorized_key: { user: root, key: "${K1}", path: "{{ root }}/home/.ssh/authorized_keys" }
      register: a1
    - name: show a1
      debug: { msg: "{{ a1.keyfile | replace(root, 'R') }} {{ a1.user }} {{ a1.state }}" }
    - name: a key already there
      ansible.posix.authorized_key: { user: root, key: "${K1}", path: "{{ root }}/existing/keys" }
    - name: a key with options and its own comment
      authorized_key: { user: root, key: "${K2}", key_options: 'from="10.0.0.0/24",no-agent-forwarding', comment: "node key", path: "{{ root }}/existing/keys" }
    - name: same key with another comment moves to the end
      authorized_key: { user: root, key: "${K3}", key_options: no-pty, comment: renamed, path: "{{ root }}/existing/keys" }
    - name: absent
      authorized_key: { user: root, key: "${K1}", state: absent, path: "{{ root }}/drop/keys", manage_dir: false }
    - name: exclusive with two keys
      authorized_key:
        user: root
        path: "{{ root }}/excl/keys"
        exclusive: true
        key: |
          # the cluster's keys
          ${K2}
          ${K1}
    - name: an invalid key
      authorized_key: { user: root, key: "not a key", path: "{{ root }}/bad" }
      ignore_errors: true
      register: bad
    - name: show bad
      debug: { msg: "{{ bad.msg }}" }
`,
  });
});
