// known_hosts side by side with ansible-playbook: keys added, replaced in
// place of a key of the same type, appended for another type, removed by key
// and by host (ssh-keygen -R, with its .old copy), [host]:port names, hashed
// names (each side's salt is random, so that file is checked by lookup, not
// by bytes), a key whose host field names another host refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';

function publicKey(type: 'ed25519' | 'rsa'): string {
  const d = mkdtempSync('/tmp/cvg-kh-');
  try {
    execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '1024'] : []), '-N', '', '-C', 'root@somewhere', '-f', `${d}/k`]);
    return readFileSync(`${d}/k.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  } finally { rmSync(d, { recursive: true, force: true }); }
}

test('known_hosts: converge and ansible-playbook agree', { timeout: 300_000 }, async () => {
  const [k1, k2, k3, rsa] = [publicKey('ed25519'), publicKey('ed25519'), publicKey('ed25519'), publicKey('rsa')];
  const { converge } = await differential({
    compare: (rel) => rel !== 'hashed',
    setup: (root) => {
      writeFileSync(`${root}/kh`, `node1 ${k1}\n`);
      writeFileSync(`${root}/kh2`, `node3 ${k1}\n# a comment\nnode3,10.0.0.3 ${k2}\nnode4 ${k3}\nnode4 ${rsa}\n`);
    },
    vars: `    k1: "${k1}"\n    k2: "${k2}"\n    k3: "${k3}"\n    rsa: "${rsa}"\n`,
    tasks: `
    - name: add to a new file
      known_hosts: { path: "{{ root }}/new", name: node1, key: "node1 {{ k1 }}" }
      register: r1
    - name: show r1
      debug: { msg: "{{ r1.name }} {{ r1.state }} {{ r1.hash_host }}" }
    - name: another type is appended
      known_hosts: { path: "{{ root }}/kh", name: node1, key: "node1 {{ rsa }} root@node1" }
    - name: a new key of the same type replaces the line
      ansible.builtin.known_hosts: { path: "{{ root }}/kh", name: Node1, key: "node1 {{ k2 }}" }
    - name: another port
      known_hosts: { path: "{{ root }}/kh", name: "[node2]:2222", key: "[node2]:2222 {{ k1 }}" }
    - name: one key removed by key
      known_hosts: { path: "{{ root }}/kh2", name: node4, key: "node4 {{ k3 }}", state: absent }
    - name: every line of a host removed
      known_hosts: { path: "{{ root }}/kh2", host: node3, state: absent }
    - name: absent and not there
      known_hosts: { path: "{{ root }}/kh2", name: node9, state: absent }
    - name: hashed
      known_hosts: { path: "{{ root }}/hashed", name: node5, key: "node5 {{ k1 }}", hash_host: true }
    - name: the hashed name is found
      command: ssh-keygen -F node5 -f "{{ root }}/hashed"
      register: hf
      changed_when: false
    - name: show hf
      debug: { msg: "{{ hf.stdout_lines | length }} {{ hf.stdout_lines[1].startswith('|1|') }}" }
    - name: a key for another host
      known_hosts: { path: "{{ root }}/kh", name: node7, key: "node1 {{ k1 }}" }
      ignore_errors: true
    - name: present without a key
      known_hosts: { path: "{{ root }}/kh", name: node7 }
      ignore_errors: true
`,
  });
  assert.equal(converge.find((t) => t.name === 'show hf')!.msg, '2 True');
  assert.equal(converge.find((t) => t.name === 'a key for another host')!.status, 'failed');
});
