// yum_repository: .repo files in a directory of the tree (reposdir), side by
// side with ansible-playbook: new files, a section added to a file with
// another one and comments, a changed section, several base URLs, removal of
// a section and of the file with its last section; a password never shown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { differential } from './fixtures/ansible-differential.js';
import { converge, project } from '../helpers/cli.js';
import { rmSync } from 'node:fs';

test('yum_repository: converge and ansible-playbook agree', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => {
      mkdirSync(path.join(root, 'repos'));
      writeFileSync(path.join(root, 'repos/cluster.repo'), '# the cluster repositories\n[base]\nname=Base\nbaseurl=http://mirror/base\nenabled=1\n\n[old]\nname = Old\nbaseurl = http://mirror/old\n');
      writeFileSync(path.join(root, 'repos/same.repo'), '[same]\n# kept as it is\nbaseurl=http://mirror/same\nname=Same\ngpgcheck=0\n');
    },
    // same.repo is left alone, then removed with its last section: the next run makes it again, and removes it again.
    repeats: ['same keys, other layout', 'remove the last section'],
    tasks: `
    - name: new file
      yum_repository: { name: epel, description: "EPEL YUM repo", baseurl: "https://download.example/epel/$releasever/$basearch/", gpgcheck: yes, gpgkey: "https://download.example/RPM-GPG-KEY-EPEL", reposdir: "{{ root }}/repos" }
    - name: several urls, more options, in a shared file
      ansible.builtin.yum_repository:
        name: ohpc
        description: OpenHPC
        file: cluster
        baseurl: [http://a/ohpc, http://b/ohpc]
        enabled: true
        priority: 10
        exclude: [kernel*, slurm-devel]
        skip_if_unavailable: no
        module_hotfixes: true
        sslverify: false
        metadata_expire: 6h
        reposdir: "{{ root }}/repos"
    - name: change a section
      yum_repository: { name: base, description: Base, baseurl: "http://mirror/base", enabled: no, file: cluster, reposdir: "{{ root }}/repos" }
    - name: same keys, other layout
      yum_repository: { name: same, description: Same, baseurl: "http://mirror/same", gpgcheck: false, reposdir: "{{ root }}/repos" }
    - name: remove a section
      yum_repository: { name: old, file: cluster, state: absent, reposdir: "{{ root }}/repos" }
    - name: remove the last section
      yum_repository: { name: same, state: absent, reposdir: "{{ root }}/repos" }
    - name: remove what is not there
      yum_repository: { name: nothere, state: absent, reposdir: "{{ root }}/repos" }
    - name: with a password and a mode
      yum_repository: { name: private, description: Private, baseurl: "https://repo/private", username: hpc, password: "repo-s3cret", mode: "0600", reposdir: "{{ root }}/repos" }
    - name: no url
      yum_repository: { name: broken, description: Broken, reposdir: "{{ root }}/repos" }
      ignore_errors: true
      register: r
    - name: show no url
      debug: { msg: "{{ r.msg }}" }
    - name: no directory
      yum_repository: { name: x, description: X, baseurl: "http://x", reposdir: "{{ root }}/nope" }
      ignore_errors: true
      register: r
    - name: show no directory
      debug: { msg: "{{ r.msg | replace(root, 'ROOT') }}" }
`,
  });
});

test('yum_repository: the password shows nowhere, not even in the diff', () => {
  const p = project({ 'pb.yaml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: private\n      yum_repository: { name: private, description: Private, baseurl: "https://repo/private", username: hpc, password: "repo-s3cret", proxy_password: "proxy-s3cret", reposdir: "{{ playbook_dir }}/repos" }\n' });
  try {
    mkdirSync(path.join(p, 'repos'));
    for (const args of [['pb.yaml', '--check', '--diff'], ['pb.yaml', '--diff', '--json']]) {
      const r = converge([...args, '--state-dir', path.join(p, 'state')], { cwd: p });
      assert.equal(r.code, 0, r.stderr);
      const all = r.stdout + r.stderr;
      assert.ok(!all.includes('repo-s3cret') && !all.includes('proxy-s3cret'), all);
      assert.match(all, /password/);
    }
  } finally {
    rmSync(p, { recursive: true, force: true });
  }
});
