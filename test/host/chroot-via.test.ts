// An image tree managed through its parent host's connection:
// `ansible_connection: chroot` + `ansible_chroot_via: PARENT`, with the parent
// local and with the parent reached over SSH (a real sshd on loopback). The
// tree is tiny (busybox-static) and its accounts differ from the machine's.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { converge, project } from '../helpers/cli.js';
import { startSshd, type Sshd } from './sshd-fixture.js';

let sshd: Sshd;
const dirs: string[] = [];

function makeTree(): string {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'cvg-chroot-via-'));
  dirs.push(tree);
  fs.chmodSync(tree, 0o755);
  for (const d of ['bin', 'etc', 'proc', 'dev', 'tmp', 'root']) fs.mkdirSync(path.join(tree, d));
  fs.copyFileSync('/bin/busybox', path.join(tree, 'bin/busybox'));
  fs.chmodSync(path.join(tree, 'bin/busybox'), 0o755);
  for (const a of ['sh', 'cat', 'ls', 'uname', 'echo', 'env', 'touch', 'mount']) fs.symlinkSync('busybox', path.join(tree, 'bin', a));
  fs.writeFileSync(path.join(tree, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nimguser:x:4242:4343::/home/imguser:/bin/sh\n');
  fs.writeFileSync(path.join(tree, 'etc/group'), 'root:x:0:\nimggroup:x:4343:\n');
  fs.writeFileSync(path.join(tree, 'etc/os-release'), 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n');
  return tree;
}

const PLAYBOOK = `
- hosts: images
  tasks:
    - copy: { content: "family={{ ansible_os_family }} {{ ansible_distribution_major_version }}\\n", dest: /etc/image-info, owner: imguser, group: imggroup, mode: "0640" }
    - command: { argv: [touch, /root/made-inside], creates: /root/made-inside }
    - command: uname -s
      register: kernel
      changed_when: false
    - copy: { content: "{{ kernel.stdout }}\\n", dest: /etc/kernel-name }
`;

before(async () => {
  sshd = await startSshd();
});

after(async () => {
  await sshd?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

for (const parent of ['local', 'ssh'] as const) {
  it(`converges a tree through a ${parent} parent host, with the tree's own accounts and facts; second run changes nothing`, () => {
    const tree = makeTree();
    const parentVars = parent === 'local'
      ? '{ ansible_connection: local }'
      : `{ ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, ansible_user: root, ansible_ssh_private_key_file: ${sshd.clientKey} }`;
    const dir = project({
      'pb.yaml': PLAYBOOK,
      'inv.yaml': `all:\n  children:\n    heads:\n      hosts:\n        head: ${parentVars}\n    images:\n      hosts:\n        image: { ansible_connection: chroot, ansible_host: ${tree}, ansible_chroot_via: head }\n`,
    });
    dirs.push(dir);
    const args = [path.join(dir, 'pb.yaml'), '-i', path.join(dir, 'inv.yaml'), '--known-hosts-file', sshd.knownHosts, '--json'];
    const first = converge(args);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const st = fs.statSync(path.join(tree, 'etc/image-info'));
    assert.equal(fs.readFileSync(path.join(tree, 'etc/image-info'), 'utf8'), 'family=RedHat 9\n');
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [4242, 4343, 0o640], 'owner from the tree, not the machine');
    assert.ok(fs.existsSync(path.join(tree, 'root/made-inside')), 'the command ran inside the tree');
    assert.equal(fs.readFileSync(path.join(tree, 'etc/kernel-name'), 'utf8'), 'Linux\n');
    const again = converge(args);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(again.json.hosts.image.summary.changed, 0);
  });
}
