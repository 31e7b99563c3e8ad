// hostname, timezone, systemd_service, service_facts and mount over SSH on real systemd
// (test-bed hosts), side by side with ansible-playbook on a twin host: the
// same statuses, registered values and files (/etc/hostname, /etc/localtime,
// /etc/adjtime, /etc/fstab, the enablement link), --check predicting the
// first run, a second run changing nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bedDifferential } from './fixtures/bed-differential.js';

test('hostname, timezone, systemd_service, service_facts, mount over SSH: converge and ansible-playbook agree', { timeout: 600_000 }, async () => {
  const { converge } = await bedDifferential({
    files: ['/etc/hostname', '/etc/machine-info', '/etc/localtime', '/etc/adjtime', '/etc/fstab', '/mnt/cvg',
      '/etc/systemd/system/multi-user.target.wants/cvg-test.service', '/etc/systemd/system/cvg-two.service'],
    tasks: `
    - name: hostname
      ansible.builtin.hostname: { name: cvg-head.cluster.local, use: systemd }
      register: h
    - name: show h
      debug: { msg: "{{ h.name }} {{ ansible_hostname }} {{ ansible_facts.hostname }} {{ ansible_nodename }} {{ ansible_fqdn }} {{ ansible_domain }}" }
    - name: running hostname
      command: hostname
      register: hn
      changed_when: false
    - name: show hn
      debug: { msg: "{{ hn.stdout }}" }
    - name: timezone and hardware clock
      community.general.timezone: { name: Europe/Berlin, hwclock: local }
      register: tz
    - name: show tz
      # Ansible names the command by its full path (/usr/bin/timedatectl), converge as it ran it
      debug: { msg: "{{ tz.msg | default('') | regex_replace('/usr/bin/', '') }}" }
    - name: a zone that does not exist
      timezone: { name: Mars/Olympus_Mons }
      ignore_errors: true
    - name: a unit file
      copy: { dest: /etc/systemd/system/cvg-test.service, content: "[Unit]\\nDescription=converge test\\n[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n" }
    - name: started and enabled
      systemd_service: { name: cvg-test, state: started, enabled: true, daemon_reload: true }
      register: s
    - name: show s
      debug: { msg: "{{ s.name }} {{ s.state }} {{ s.enabled }} {{ s.status.Id }} {{ s.status.Description }}" }
    - name: a second unit, no_block
      copy: { dest: /etc/systemd/system/cvg-two.service, content: "[Service]\\nExecStart=/bin/sleep infinity\\n" }
    - name: start without waiting
      ansible.builtin.systemd: { unit: cvg-two, state: started, no_block: true }
    - name: stopped and not enabled, already
      systemd: { name: cvg-test-absent-neighbour.service, state: stopped }
      ignore_errors: true
    - name: unit states
      command: systemctl is-active cvg-test cvg-two
      register: act
      changed_when: false
      failed_when: false
    - name: show act
      debug: { msg: "{{ act.stdout_lines | join(',') }}" }
    - name: service facts
      service_facts:
    - name: show services
      debug: { msg: "{{ ansible_facts.services['cvg-test.service'] | default({}) | dictsort }} {{ ansible_facts.services['ssh.service'].state }} {{ ansible_facts.services['ssh.service'].status }} {{ ansible_facts.services | length > 20 }}" }
    - name: a tmpfs in fstab, mounted
      ansible.posix.mount: { path: /mnt/cvg, src: tmpfs, fstype: tmpfs, opts: size=4m, state: mounted }
    - name: mounted
      command: findmnt -n -o SOURCE,FSTYPE /mnt/cvg
      register: fm
      changed_when: false
    - name: show fm
      debug: { msg: "{{ fm.stdout }}" }
`,
  });
  // Agreement alone could be agreement on nothing: what both did is what was asked.
  const msg = (n: string) => converge.find((t) => t.name === n)!.msg;
  assert.equal(msg('show h'), 'cvg-head.cluster.local cvg-head cvg-head cvg-head.cluster.local cvg-head.cluster.local cluster.local');
  assert.equal(msg('show hn'), 'cvg-head.cluster.local');
  assert.equal(msg('show tz'), 'executed `timedatectl set-local-rtc yes`\nexecuted `timedatectl set-timezone Europe/Berlin`');
  assert.equal(msg('show act'), 'active,active');
  assert.match(msg('show fm')!, /^tmpfs\s+tmpfs$/);
  assert.equal(converge.find((t) => t.name === 'a zone that does not exist')!.status, 'failed');
  assert.equal(msg('show services'), "[('name', 'cvg-test.service'), ('source', 'systemd'), ('state', 'running'), ('status', 'enabled')] running enabled True");
});
