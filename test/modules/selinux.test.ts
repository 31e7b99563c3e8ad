// selinux, seboolean, sefcontext on this machine, where SELinux does not run
// (Debian 12 kernel without it, no /sys/fs/selinux), side by side with
// ansible-playbook (its selinux module reads the state through python3-selinux):
// the config file is written as Ansible writes it with reboot_required, a
// missing policy and a missing policy name fail; seboolean and sefcontext fail
// on such a host in both tools (converge: "SELinux is disabled on this host.";
// Ansible, lacking the semanage bindings here, earlier). Their live paths
// (getsebool/setsebool, semanage fcontext) cannot run on this machine: their
// exact commands are checked against named fakes in selinux-fake-tools.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';
import { runModule } from '../helpers/module-harness.js';
import { sebooleanModule } from '../../modules/seboolean.js';
import { sefcontextModule } from '../../modules/sefcontext.js';
import { host } from './file-fixtures.js';

const CONFIG = '# This file controls the state of SELinux on the system.\nSELINUX=enforcing\n# SELINUXTYPE= can take one of these values:\nSELINUXTYPE=targeted\n';

test('selinux: converge and ansible-playbook agree on a host without SELinux', { timeout: 300_000 }, async () => {
  assert.ok(!existsSync('/sys/fs/selinux/enforce'), 'SELinux does not run on this machine');
  const { converge } = await differential({
    setup: (root) => { for (const f of ['c1', 'c2', 'c3', 'c4']) writeFileSync(`${root}/${f}`, CONFIG); },
    tasks: `
    - name: permissive in the config
      ansible.posix.selinux: { state: permissive, policy: targeted, configfile: "{{ root }}/c1" }
      register: r1
    - name: show r1
      debug: { msg: "{{ r1.msg }}|{{ r1.reboot_required }}|{{ r1.policy }}|{{ r1.state }}" }
    - name: disabled, policy kept
      selinux: { state: disabled, conf: "{{ root }}/c2" }
      register: r2
    - name: show r2
      debug: { msg: "{{ r2.msg }}|{{ r2.reboot_required }}|{{ r2.policy }}" }
    - name: already enforcing
      selinux: { state: enforcing, policy: targeted, file: "{{ root }}/c3" }
      register: r3
    - name: show r3
      debug: { msg: "{{ r3.msg }}|{{ r3.reboot_required }}" }
    - name: no policy
      selinux: { state: enforcing, configfile: "{{ root }}/c4" }
      ignore_errors: true
    - name: a policy that is not installed
      selinux: { state: enforcing, policy: cvgnopolicy, configfile: "{{ root }}/c4" }
      ignore_errors: true
    - name: no config file
      selinux: { state: enforcing, policy: targeted, configfile: "{{ root }}/missing" }
      ignore_errors: true
    - name: a boolean
      ansible.posix.seboolean: { name: tftp_home_dir, state: true, persistent: true }
      ignore_errors: true
    - name: a file context
      community.general.sefcontext: { target: "/srv/tftp(/.*)?", setype: tftpdir_t }
      ignore_errors: true
`,
  });
  assert.equal(converge.find((t) => t.name === 'show r1')!.msg, "Config SELinux state changed from 'enforcing' to 'permissive'|True|targeted|permissive");
  // In the file already, but not running: Ansible too says a reboot is required.
  assert.equal(converge.find((t) => t.name === 'show r3')!.msg, '|True');
});

test('seboolean and sefcontext refuse a host where SELinux does not run', async () => {
  const b = await runModule(sebooleanModule, { name: 'tftp_home_dir', state: true }, { host });
  assert.equal(b.status, 'failed');
  assert.equal(b.message, 'SELinux is disabled on this host.');
  const f = await runModule(sefcontextModule, { target: '/srv/tftp(/.*)?', setype: 'tftpdir_t' }, { host });
  assert.equal(f.status, 'failed');
  assert.equal(f.message, 'SELinux is disabled on this host.');
});
