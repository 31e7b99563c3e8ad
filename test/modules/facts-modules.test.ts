// setup and package_facts on this machine, side by side with ansible-playbook:
// the same fact values for what both gather (filter, gather_subset min) and
// the same installed-package versions from dpkg; both change nothing.
// Known differences, left out here (converge's shared fact gathering):
// ansible_distribution_version is '12' where Ansible reads '12.11' from
// /etc/debian_version; Ansible's distribution_release/minor_version/file_*
// are not gathered; service_mgr says systemd on this machine without systemd
// as PID 1 (Ansible: process_api).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { differential } from './fixtures/ansible-differential.js';

test('setup and package_facts: converge and ansible-playbook agree', { timeout: 300_000 }, async () => {
  const { converge } = await differential({
    tasks: `
    - name: os facts only
      setup: { filter: ["ansible_os_family", "ansible_distribution", "ansible_distribution_major_version", "ansible_pkg_mgr"] }
      register: f
    - name: show f
      debug: { msg: "{{ f.ansible_facts | dictsort }}" }
    - name: show injected
      debug: { msg: "{{ ansible_os_family }} {{ ansible_facts.distribution }} {{ ansible_distribution_major_version }} {{ ansible_facts.pkg_mgr }}" }
    - name: minimal subset
      ansible.builtin.setup: { gather_subset: ["!all", "min"], filter: "ansible_os_famil?" }
      register: m
    - name: show m
      debug: { msg: "{{ m.ansible_facts }}" }
    - name: packages
      package_facts: { manager: auto }
    - name: show packages
      debug: { msg: "{{ ansible_facts.packages['bash'][0].version }} {{ ansible_facts.packages['bash'][0].arch }} {{ ansible_facts.packages['bash'][0].source }} {{ 'coreutils' in ansible_facts.packages }} {{ 'cvg-not-a-package' in ansible_facts.packages }}" }
    - name: show top-level packages
      debug: { msg: "{{ packages['bash'] == ansible_facts.packages['bash'] }}" }
`,
  });
  assert.match(converge.find((t) => t.name === 'show injected')!.msg!, /^Debian Debian 12 apt$/);
  assert.match(converge.find((t) => t.name === 'show packages')!.msg!, /^5\.2\.\S+ amd64 apt True False$/);
});
