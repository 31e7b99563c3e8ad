// mount (ansible.posix.mount) side by side with ansible-playbook, each tool in
// its own private mount namespace (tmpfs mounts are real there and invisible
// to the build machine): fstab lines written, rewritten and removed as
// Ansible does, mount points created, mounted, unmounted and removed, a mount
// that fails puts the old fstab back. The live mount table of each side is
// compared through a command task.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';
import { privateMountNamespace, type MountNamespace } from './fixtures/mount-namespace.js';

let ns: { converge: MountNamespace; ansible: MountNamespace };
before(async () => { ns = { converge: await privateMountNamespace(), ansible: await privateMountNamespace() }; });
after(() => { ns.converge.close(); ns.ansible.close(); });

test('mount: converge and ansible-playbook agree on fstab and the mount table', { timeout: 300_000 }, async () => {
  const { converge } = await differential({
    wrap: { converge: ns.converge.wrap, ansible: ns.ansible.wrap },
    setup: (root) => {
      const side = root.includes('/cvg-diff-c-') ? ns.converge : ns.ansible;
      for (const d of ['mnt/u', 'mnt/gone', 'mnt/keep']) mkdirSync(`${root}/${d}`, { recursive: true });
      writeFileSync(`${root}/fstab`, [
        '# static file system information',
        'UUID=1234 / ext4 errors=remount-ro 0 1',
        `tmpfs ${root}/mnt/b tmpfs size=1m`,
        `tmpfs ${root}/mnt/gone tmpfs defaults 0 0`,
        `tmpfs ${root}/mnt/keep tmpfs defaults 0 0`,
        '/swapfile none swap sw 0 0',
        '',
      ].join('\n'));
      // Mounted before the runs: what unmounted and absent find.
      side.run(['mount', '-t', 'tmpfs', 'pre', `${root}/mnt/u`]);
      side.run(['mount', '-t', 'tmpfs', 'pre', `${root}/mnt/gone`]);
    },
    tasks: `
    - name: mount a new tmpfs (mount point created)
      mount: { path: "{{ root }}/mnt/a/deep", src: tmpfs, fstype: tmpfs, opts: "size=2m,mode=0755", state: mounted, fstab: "{{ root }}/fstab" }
      register: ma
    - name: show ma
      debug: { msg: "{{ ma.name }} {{ ma.opts }} {{ ma.dump }} {{ ma.passno }} {{ ma.boot }}" }
    - name: a short line rewritten whole, then mounted
      ansible.posix.mount: { path: "{{ root }}/mnt/b", src: tmpfs, fstype: tmpfs, opts: size=1m, state: mounted, fstab: "{{ root }}/fstab" }
    - name: present only, not at boot
      mount: { path: "{{ root }}/mnt/c", src: tmpfs, fstype: tmpfs, opts: size=1m, boot: false, state: present, fstab: "{{ root }}/fstab" }
    - name: a mount point with a space
      mount: { path: "{{ root }}/mnt/with space", src: "/srv/a&b", fstype: none, opts: bind, state: present, fstab: "{{ root }}/fstab" }
    - name: unmounted
      mount: { path: "{{ root }}/mnt/u", state: unmounted }
    - name: absent (unmounted, line and mount point removed)
      mount: { path: "{{ root }}/mnt/gone", state: absent, fstab: "{{ root }}/fstab" }
    - name: absent_from_fstab keeps the directory
      mount: { path: "{{ root }}/mnt/keep", state: absent_from_fstab, fstab: "{{ root }}/fstab" }
    - name: absent and not there
      mount: { path: "{{ root }}/mnt/never", state: absent, fstab: "{{ root }}/fstab" }
    - name: a mount that fails puts fstab back
      mount: { path: "{{ root }}/mnt/bad", src: /dev/cvg-no-such-disk, fstype: ext4, state: mounted, fstab: "{{ root }}/fstab" }
      ignore_errors: true
    - name: remounted
      mount: { path: "{{ root }}/mnt/a/deep", state: remounted, fstab: "{{ root }}/fstab" }
    - name: the mount table
      shell: findmnt -rn -o TARGET,SOURCE,FSTYPE | grep -F "{{ root }}" | sort
      register: table
      changed_when: false
    - name: show table
      debug: { msg: "{{ table.stdout_lines | join(';') }}" }
`,
    repeats: ['remounted'],
  });
  // Both sides agree; and what they agree on is the intended table.
  const table = converge.find((t) => t.name === 'show table')!.msg!.split(';').map((l) => l.replace(/^\/tmp\/cvg-diff-c-[^/]+\/tree/, 'DIR'));
  assert.deepEqual(table, ['DIR/mnt/a/deep tmpfs tmpfs', 'DIR/mnt/b tmpfs tmpfs']);
  assert.equal(converge.find((t) => t.name === 'a mount that fails puts fstab back')!.status, 'failed');
});
