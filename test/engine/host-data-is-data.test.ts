// What a managed host sends back (command output, registered results, facts
// read from its files) is data: a compromised host that plants template code
// there must never get it evaluated on the controller. Checked on a local host,
// over SSH (a real sshd) and on a chroot tree, with the same playbook.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { converge, project } from '../helpers/cli.js';
import { startSshd, type Sshd } from '../host/sshd-fixture.js';

// Each would do something visible if it ever ran: exit the controller with 91,
// print a directory listing, or render a loop.
const PAYLOADS = [
  '{{ range.constructor("return process")().exit(91) }}',
  "{{ lipsum.__globals__['os'].popen('id').read() }}",
  "{{ ''.__class__.__mro__[1].__subclasses__() }}",
  '{% for x in [1, 2, 3] %}{{ x }}{% endfor %}',
  '{{ cycler.__init__.__globals__.os.system("touch /tmp/cvg-pwned") }}',
];
const TEXT = PAYLOADS.join('\n');

// Every way the output travels in a playbook: straight, through play vars,
// through set_fact, as loop items, into a file, and back out of a fact.
const PLAYBOOK = `
- hosts: all
  gather_facts: true
  vars:
    via_var: "{{ out.stdout }}"
    via_dict: { nested: ["{{ out.stdout_lines[0] }}"] }
  tasks:
    - command: cat {{ d }}/payload.txt
      register: out
      changed_when: false
    - debug: { msg: "{{ out.stdout }}" }
    - debug: { msg: "{{ via_var }}" }
    - set_fact: { copied: "{{ out.stdout }}", lines: "{{ out.stdout_lines }}", whole: "{{ out }}" }
    - debug: { msg: "{{ copied }}" }
    - debug: { msg: "{{ item }}" }
      loop: "{{ out.stdout_lines }}"
    - debug: { msg: "{{ whole.stdout }}" }
    - debug: { msg: "{{ via_dict.nested[0] }}" }
    - copy: { content: "{{ copied }}\\n", dest: "{{ d }}/copy.txt" }
    - command: cat {{ d }}/payload.txt
      register: again
      changed_when: "again.stdout | length > 0"
      failed_when: "again.rc != 0"
    - debug: { msg: "{{ ansible_distribution }}|{{ ansible_facts.distribution }}" }
    - slurp: { src: "{{ d }}/payload.txt" }
      register: slurped
    - set_fact: { slurped_text: "{{ slurped.content | b64decode }}" }
    - debug: { msg: "{{ slurped_text }}" }
`;

let sshd: Sshd;
let dir: string;
let tree: string;

before(async () => {
  sshd = await startSshd();
  dir = project({ 'pb.yaml': PLAYBOOK }, 'cvg-host-data-');
  fs.chmodSync(dir, 0o755);
  for (const h of ['l1', 'r1']) {
    fs.mkdirSync(path.join(dir, h));
    fs.writeFileSync(path.join(dir, h, 'payload.txt'), TEXT + '\n');
  }
  // A chroot tree whose os-release names the distribution with template code.
  tree = path.join(dir, 'tree');
  for (const d of ['bin', 'etc', 'proc', 'dev', 'tmp', 'root', 'work']) fs.mkdirSync(path.join(tree, d), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(tree, 'bin/busybox'));
  fs.chmodSync(path.join(tree, 'bin/busybox'), 0o755);
  for (const a of ['sh', 'cat', 'uname', 'printf']) fs.symlinkSync('busybox', path.join(tree, 'bin', a));
  fs.writeFileSync(path.join(tree, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(tree, 'etc/group'), 'root:x:0:\n');
  fs.writeFileSync(path.join(tree, 'etc/hostname'), 'image\n');
  fs.writeFileSync(path.join(tree, 'etc/os-release'), `ID=cvgevil\nNAME='${PAYLOADS[0]}'\nVERSION_ID=1\n`);
  fs.writeFileSync(path.join(tree, 'work/payload.txt'), TEXT + '\n');
});

after(async () => {
  await sshd?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('command output, registered results, slurped files and facts holding template code are shown verbatim, never run (local, ssh, chroot)', () => {
  const ssh = `ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, ansible_ssh_private_key_file: ${sshd.clientKey}`;
  fs.writeFileSync(path.join(dir, 'inv.yaml'), [
    'all:',
    '  hosts:',
    `    l1: { ansible_connection: local, d: ${path.join(dir, 'l1')} }`,
    `    r1: { ${ssh}, ansible_user: root, d: ${path.join(dir, 'r1')} }`,
    `    img: { ansible_connection: chroot, ansible_chroot_path: ${tree}, d: /work }`,
  ].join('\n') + '\n');
  const r = converge([path.join(dir, 'pb.yaml'), '-i', path.join(dir, 'inv.yaml'), '--known-hosts-file', sshd.knownHosts,
    '--json', '--state-dir', path.join(dir, 'state')]);
  assert.notEqual(r.code, 91, 'the constructor chain ran on the controller');
  assert.equal(r.code, 0, r.stdout.slice(0, 3000) + r.stderr);
  assert.equal(fs.existsSync('/tmp/cvg-pwned'), false);
  for (const h of ['l1', 'r1', 'img']) {
    const tasks = r.json.hosts[h].tasks as Array<{ module: string; message?: string; status: string }>;
    const msgs = tasks.filter((t) => t.module === 'debug').map((t) => t.message);
    // out.stdout, via_var, copied, 5 loop items, whole.stdout, via_dict, facts, slurped
    assert.deepEqual(msgs.slice(0, 3), [TEXT, TEXT, TEXT], h);
    assert.deepEqual(msgs.slice(3, 8), PAYLOADS, h);
    assert.deepEqual(msgs.slice(8, 10), [TEXT, PAYLOADS[0]], h);
    const written = fs.readFileSync(h === 'img' ? path.join(tree, 'work/copy.txt') : path.join(dir, h, 'copy.txt'), 'utf8');
    assert.equal(written, TEXT + '\n', h);
    assert.equal(tasks.find((t) => t.module === 'command' && t.status === 'changed') !== undefined, true, h);
    assert.equal(msgs[11], TEXT + '\n', `${h}: a slurped file is data too`);
  }
  const img = r.json.hosts.img.tasks.filter((t: { module: string }) => t.module === 'debug');
  assert.equal(img[img.length - 2].message, `${PAYLOADS[0]}|${PAYLOADS[0]}`);
});
