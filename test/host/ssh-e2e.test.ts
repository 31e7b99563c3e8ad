// End to end through the real CLI: one playbook against three hosts that are
// all this machine — `ansible_connection: local`, SSH as root to a test sshd
// on 127.0.0.1, and SSH as a non-root user with become (sudo) — each with its
// own target directory. Same statuses, same changes, same files/modes/owners;
// the second run changes nothing anywhere.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { LocalHost } from '../../src/host/local-host.js';
import { converge, project } from '../helpers/cli.js';
import { createUsers, removeUsers, startSshd, testUsers, type Sshd } from './sshd-fixture.js';

const users = testUsers('e');
let sshd: Sshd;
let dir: string;

before(async () => {
  sshd = await startSshd();
  await createUsers(users);
});

after(async () => {
  await sshd?.stop();
  await removeUsers(users);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const PLAYBOOK = `
- hosts: all
  tasks:
    - file: { path: "{{ d }}", state: directory, mode: "0750" }
    - file: { path: "{{ d }}/conf.d", state: directory, mode: "2775", group: daemon }
    - copy: { content: "secret\\n", dest: "{{ d }}/secret", mode: "0600", owner: nobody, group: nogroup }
    - copy: { content: "family={{ ansible_os_family }}\\n", dest: "{{ d }}/conf.d/facts.conf", mode: "0644" }
    - template: { src: t.j2, dest: "{{ d }}/templated", mode: "0640", owner: daemon }
    - lineinfile: { path: "{{ d }}/conf.d/lines.conf", line: "extra=1", create: true, mode: "0644" }
    - file: { src: secret, dest: "{{ d }}/link", state: link }
    - copy: { content: "weird\\n", dest: "{{ d }}/we ird 'q' \\"dq\\" $(touch cvg-e2e-pwned);x" }
    - command: { argv: [touch, "{{ d }}/made by command"], creates: "{{ d }}/made by command" }
`;

async function snapshot(root: string): Promise<Record<string, unknown>> {
  const h = new LocalHost('check');
  const out: Record<string, unknown> = {};
  const walk = async (rel: string) => {
    const st = await h.stat(path.join(root, rel));
    const e: Record<string, unknown> = { type: st.type, mode: st.mode!.toString(8), uid: st.uid, gid: st.gid };
    if (st.type === 'file') e.content = (await h.readFile(path.join(root, rel)))!.toString('utf8');
    if (st.type === 'link') e.target = st.linkTarget;
    out[rel || '.'] = e;
    if (st.type === 'directory') for (const n of await h.readdir(path.join(root, rel))) await walk(path.join(rel, n));
  };
  await walk('');
  return out;
}

/** Failed tasks of every host, for assertion messages. */
function failures(r: { json?: any; stdout: string; stderr: string }): string {
  if (!r.json) return r.stdout.slice(0, 2000) + r.stderr;
  const out: string[] = [];
  for (const [h, v] of Object.entries<any>(r.json.hosts ?? {})) {
    for (const t of v.tasks ?? []) if (t.status === 'failed') out.push(`${h} [${t.task}] ${t.module}: ${t.message}`);
  }
  return out.join('\n') + r.stderr;
}

/** Per host: [task, status, changes with the host's own directory written as D]. */
function outcome(json: any, host: string, d: string): unknown[] {
  return (json?.hosts?.[host]?.tasks ?? []).map((t: any) => [t.task, t.status,
    JSON.parse(JSON.stringify(t.changes ?? []).split(d).join('D'))]);
}

it('one playbook gives the same result through local, ssh as root and ssh with sudo; the second run changes nothing', async () => {
  dir = project({ 'pb.yaml': PLAYBOOK, 't.j2': 'host={{ inventory_hostname | length > 0 }}\nfamily={{ ansible_os_family }}\n' }, 'cvg-ssh-e2e-');
  fs.chmodSync(dir, 0o755);
  const d = (h: string) => path.join(dir, h);
  const ssh = `ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, ansible_ssh_private_key_file: ${sshd.clientKey}`;
  fs.writeFileSync(path.join(dir, 'inv.yaml'), [
    'all:',
    '  hosts:',
    `    l1: { ansible_connection: local, d: ${d('l1')} }`,
    `    r1: { ${ssh}, ansible_user: root, d: ${d('r1')} }`,
    `    s1: { ${ssh}, ansible_user: ${users.nopw}, ansible_become: true, d: ${d('s1')} }`,
  ].join('\n') + '\n');
  // A state dir of our own: the default one's lock would serialise us with every other test's runs.
  const args = [path.join(dir, 'pb.yaml'), '-i', path.join(dir, 'inv.yaml'), '--known-hosts-file', sshd.knownHosts, '--json',
    '--state-dir', path.join(dir, 'state')];

  const first = converge(args);
  assert.equal(first.code, 0, failures(first));
  const l1 = outcome(first.json, 'l1', d('l1'));
  assert.equal(l1.length, 9);
  assert.ok(l1.every((t) => (t as unknown[])[1] === 'changed'), JSON.stringify(l1));
  assert.deepEqual(outcome(first.json, 'r1', d('r1')), l1);
  assert.deepEqual(outcome(first.json, 's1', d('s1')), l1);

  const snap = await snapshot(d('l1'));
  assert.deepEqual(snap['secret'], { type: 'file', mode: '600', uid: 65534, gid: 65534, content: 'secret\n' });
  assert.equal((snap['conf.d'] as { mode: string }).mode, '2775');
  assert.deepEqual(await snapshot(d('r1')), snap);
  assert.deepEqual(await snapshot(d('s1')), snap);
  // Run by a shell, the name would have created this file in the command's directory (a home or ours).
  for (const where of ['/root', `/home/${users.nopw}`, process.cwd(), d('l1'), d('r1'), d('s1')]) {
    assert.equal(fs.existsSync(path.join(where, 'cvg-e2e-pwned')), false, where);
  }

  const second = converge(args);
  assert.equal(second.code, 0, failures(second));
  for (const h of ['l1', 'r1', 's1']) {
    assert.equal(second.json.hosts[h].summary.changed, 0, `${h}: ${JSON.stringify(outcome(second.json, h, d(h)))}`);
    assert.equal(second.json.hosts[h].summary.failed, 0);
  }
  const again = outcome(second.json, 'l1', d('l1'));
  assert.deepEqual(outcome(second.json, 'r1', d('r1')), again);
  assert.deepEqual(outcome(second.json, 's1', d('s1')), again);
});

it('hosts that cannot be reached or cannot become root fail alone, each with one line; the others converge', async () => {
  const proj = project({ 'pb.yaml': `
- hosts: all
  gather_facts: false
  tasks:
    - copy: { content: "ok\\n", dest: "{{ d }}" }
` }, 'cvg-ssh-e2e2-');
  const ssh = `ansible_port: ${sshd.port}, ansible_ssh_private_key_file: ${sshd.clientKey}`;
  const out = (h: string) => path.join(proj, `${h}.out`);
  fs.writeFileSync(path.join(proj, 'inv.yaml'), [
    'all:',
    '  hosts:',
    `    good: { ansible_host: 127.0.0.1, ${ssh}, ansible_user: root, d: ${out('good')} }`,
    // Same server under another name: its key is not recorded for "localhost".
    `    unknownkey: { ansible_host: localhost, ${ssh}, ansible_user: root, d: ${out('unknownkey')} }`,
    `    wrongkey: { ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, ansible_ssh_private_key_file: ${sshd.wrongKey}, ansible_user: root, d: ${out('wrongkey')} }`,
    `    refused: { ansible_host: 127.0.0.1, ansible_port: 1, ansible_user: root, ansible_ssh_private_key_file: ${sshd.clientKey}, d: ${out('refused')} }`,
    `    badsudo: { ansible_host: 127.0.0.1, ${ssh}, ansible_user: ${users.pw}, ansible_become: true, ansible_become_password: wrong-pw-cvg, d: ${out('badsudo')} }`,
  ].join('\n') + '\n');
  try {
    const r = converge([path.join(proj, 'pb.yaml'), '-i', path.join(proj, 'inv.yaml'), '--known-hosts-file', sshd.knownHosts, '--json',
      '--state-dir', path.join(proj, 'state')]);
    assert.notEqual(r.code, 0);
    assert.ok(r.json, r.stdout + r.stderr);
    assert.equal(r.json.hosts.good.summary.changed, 1);
    assert.equal(fs.readFileSync(out('good'), 'utf8'), 'ok\n');
    const msg = (h: string) => JSON.stringify(r.json.hosts[h]);
    for (const h of ['unknownkey', 'wrongkey', 'refused']) {
      assert.equal(r.json.hosts[h].summary.unreachable, 1, msg(h));
      assert.equal(fs.existsSync(out(h)), false);
    }
    assert.match(msg('unknownkey'), /SHA256:[A-Za-z0-9+/]+.*--accept-new-host-keys/);
    assert.match(msg('wrongkey'), /authentication failed/);
    assert.match(msg('refused'), /connection refused/);
    assert.equal(r.json.hosts.badsudo.summary.failed, 1, msg('badsudo'));
    assert.match(msg('badsudo'), /incorrect sudo password/);
    assert.equal(msg('badsudo').includes('wrong-pw-cvg'), false);
    assert.equal(r.stdout.includes('wrong-pw-cvg'), false);
  } finally {
    fs.rmSync(proj, { recursive: true, force: true });
  }
});
