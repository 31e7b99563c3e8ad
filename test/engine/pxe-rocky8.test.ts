// A playbook written the way the public Rocky 8 PXE playbook is written
// (key=value with enabled=yes, packages with_items, copy from a controller path
// an earlier task of the same run creates, creates=) validates and converges a
// SHAPED Rocky 8 bed host over SSH (Debian 12 with Rocky's os-release, dnf and
// RPMs laid out like Rocky's), then converges again with nothing to change.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';
import { upTarget, type BedTarget } from '../modules/fixtures/bed-host.js';

let t: BedTarget;
let dir: string;
before(async () => {
  t = await upTarget('rocky8');
  dir = project({
    'pxe.yml': `
- hosts: pxe
  gather_facts: yes
  vars:
    cluster_dir: "{{ playbook_dir }}/cluster"
    tftp_root: /var/lib/tftpboot
  tasks:
    - name: install the PXE server packages
      dnf: name={{ item }} state=present
      with_items:
        - dhcp-server
        - tftp-server
        - nginx
    - name: make the cluster directory on the controller
      file: path={{ cluster_dir }} state=directory
      delegate_to: localhost
    - name: download busybox to the cluster directory
      command: cp /bin/busybox {{ cluster_dir }}/busybox.bin creates={{ cluster_dir }}/busybox.bin
      delegate_to: localhost
    - name: tftp root
      file: path={{ tftp_root }} state=directory mode=0755
    - name: copy busybox where tftp serves it
      copy: src={{ cluster_dir }}/busybox.bin dest={{ tftp_root }}/busybox.bin mode=0644
    - name: a default pxe menu
      copy: content="default linux\\n" dest={{ tftp_root }}/pxelinux.cfg.default force=yes
    - set_fact: pxe_enabled=yes
    - name: dhcpd starts at boot
      service: name=dhcpd enabled=yes
      when: pxe_enabled
    - name: nginx serves the images
      service: name=nginx enabled=yes state=started
`,
  });
  writeFileSync(path.join(dir, 'inv.ini'), `pxe ${Object.entries(t.vars).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
});
after(async () => {
  await t?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the Rocky 8 PXE playbook style validates and converges a shaped Rocky 8 host, then has nothing to change', async () => {
  const pb = path.join(dir, 'pxe.yml');
  const inv = ['-i', path.join(dir, 'inv.ini')];
  const args = [...inv, '--known-hosts-file', t.bed.knownHostsPath];
  const v = converge(['validate', pb, ...inv]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  const first = converge([pb, '--json', ...args]);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.equal((await t.host.run(['systemctl', 'is-enabled', 'dhcpd'])).stdout.trim(), 'enabled');
  assert.equal((await t.host.run(['systemctl', 'is-active', 'nginx'])).stdout.trim(), 'active');
  const st = await t.host.stat('/var/lib/tftpboot/busybox.bin');
  assert.equal(st.type, 'file');
  assert.equal((st.mode ?? 0) & 0o777, 0o644);
  const second = converge([pb, '--json', ...args]);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  const changed = (second.json.hosts.pxe.tasks as Array<{ status: string; name: string }>).filter((e) => e.status === 'changed').map((e) => e.name);
  assert.deepEqual(changed, [], 'the second run changes nothing');
});
