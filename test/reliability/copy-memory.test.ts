// A 100 MB `copy` is streamed (issue 16, item 8): converge's peak memory does
// not grow with the file, locally and over SSH with sudo (a real sshd on
// 127.0.0.1, a non-root login with become: the privileged shell path).
// Before streaming, the same copy took 350 MB locally, and over sudo the run
// had not finished after 15 minutes (759 MB when it was killed).
//
// The peak is converge's own maximum resident set size as the kernel counts
// it (GNU time's %M, the process's ru_maxrss), compared with the same run
// copying a 3-byte file. The second run of each must change nothing. Then the
// guard behind streaming: a source changed after it was planned never reaches
// the host complete, so the target keeps its old content and no temp file stays.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { ControllerFileStream } from '../../modules/common/controller-stream.js';
import { connectHost } from '../../src/host/connect.js';
import type { Host } from '../../src/host/host.js';
import { LocalHost, runLocal } from '../../src/host/local-host.js';
import { createUsers, removeUsers, startSshd, testUsers, type Sshd } from '../host/sshd-fixture.js';
import { CLI } from './cli-process.js';
import { report } from './race-fixture.js';

const MB = 1024 * 1024;
const SIZE = 100 * MB;
/** Headroom over the small-file run: buffers in flight and garbage not yet collected, never the file. */
const ALLOWED_GROWTH = 60 * MB;
const users = testUsers('mem');
let sshd: Sshd;
let base: string;
const figures: string[] = [];

function sha1File(p: string): string {
  return createHash('sha1').update(fs.readFileSync(p)).digest('hex');
}

before(async () => {
  sshd = await startSshd();
  await createUsers(users);
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cvg-copymem-'));
  fs.chmodSync(base, 0o755);
  // Random bytes: nothing on the way (SSH compression, a sparse file) can make it cheaper than it is.
  const r = await runLocal(['sh', '-c', 'head -c "$1" /dev/urandom > "$2"', 'sh', String(SIZE), path.join(base, 'big.bin')]);
  assert.equal(r.rc, 0, r.stderr);
  fs.writeFileSync(path.join(base, 'small.bin'), 'hi\n');
});

after(async () => {
  await sshd?.stop();
  await removeUsers(users);
  if (base) fs.rmSync(base, { recursive: true, force: true });
  report('copy-memory', figures);
});

interface Measured { rc: number | null; stdout: string; stderr: string; peak: number; seconds: number }

/** converge under GNU time: its exit, output, peak resident set (bytes) and wall time. */
function measured(args: string[]): Promise<Measured> {
  const out = path.join(base, `time-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', out, process.execPath, CLI, ...args],
      { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (rc) => {
      const kb = Number(fs.readFileSync(out, 'utf8').trim().split('\n').pop());
      fs.rmSync(out, { force: true });
      resolve({ rc, stdout, stderr, peak: kb * 1024, seconds: (Date.now() - start) / 1000 });
    });
  });
}

function playbook(name: string, src: string, dest: string): string {
  const pb = path.join(base, name);
  fs.writeFileSync(pb, `- hosts: all\n  gather_facts: false\n  tasks:\n`
    + `    - copy: { src: ${src}, dest: ${dest}, owner: nobody, mode: "0640" }\n`);
  return pb;
}

async function copyCase(label: string, inventory: string, extra: string[], destDir: string): Promise<void> {
  fs.mkdirSync(destDir, { recursive: true, mode: 0o755 });
  const run = (pb: string) => measured([pb, '-i', inventory, '--json', '--state-dir', path.join(base, 'state'), ...extra]);
  const small = await run(playbook(`small-${label}.yaml`, path.join(base, 'small.bin'), path.join(destDir, 'small.bin')));
  assert.equal(small.rc, 0, small.stdout + small.stderr);
  const pb = playbook(`big-${label}.yaml`, path.join(base, 'big.bin'), path.join(destDir, 'big.bin'));
  const first = await run(pb);
  assert.equal(first.rc, 0, first.stdout.slice(0, 3000) + first.stderr);
  assert.equal(JSON.parse(first.stdout).hosts.s1.tasks[0].status, 'changed');
  const dest = path.join(destDir, 'big.bin');
  const st = fs.statSync(dest);
  assert.deepEqual([st.size, st.uid, st.mode & 0o7777], [SIZE, 65534, 0o640]);
  assert.equal(sha1File(dest), sha1File(path.join(base, 'big.bin')), 'the copy differs from its source');
  const second = await run(pb);
  assert.equal(second.rc, 0, second.stdout.slice(0, 3000) + second.stderr);
  assert.equal(JSON.parse(second.stdout).hosts.s1.tasks[0].status, 'ok', 'the second run changed something');
  assert.deepEqual(fs.readdirSync(destDir).filter((n) => n.includes('.converge-')), [], 'temp files left behind');
  const mb = (b: number) => (b / MB).toFixed(0);
  figures.push(`${label}: small-file run ${mb(small.peak)} MB, 100 MB copy ${mb(first.peak)} MB (${first.seconds.toFixed(1)} s), `
    + `second run ${mb(second.peak)} MB (${second.seconds.toFixed(1)} s)`);
  for (const [what, m] of [['first', first], ['second', second]] as const) {
    assert.ok(m.peak < small.peak + ALLOWED_GROWTH,
      `${label}, ${what} run: peak ${mb(m.peak)} MB, the small-file run ${mb(small.peak)} MB: the file is held in memory`);
  }
}

it('a 100 MB copy stays within 60 MB of a 3-byte copy locally, and its second run changes nothing', async () => {
  const inv = path.join(base, 'local.yaml');
  fs.writeFileSync(inv, 'all:\n  hosts:\n    s1: { ansible_connection: local }\n');
  await copyCase('local', inv, [], path.join(base, 'local-out'));
});

function sshVars(): Record<string, string | number | boolean> {
  return {
    ansible_host: '127.0.0.1', ansible_port: sshd.port, ansible_ssh_private_key_file: sshd.clientKey,
    ansible_user: users.nopw, ansible_become: true,
  };
}

it('... and over SSH with sudo', async () => {
  const inv = path.join(base, 'ssh.yaml');
  const v = sshVars();
  fs.writeFileSync(inv, `all:\n  hosts:\n    s1: { ${Object.entries(v).map(([k, x]) => `${k}: ${x}`).join(', ')} }\n`);
  await copyCase('SSH with sudo', inv, ['--known-hosts-file', sshd.knownHosts], path.join(base, 'ssh-out'));
});

async function changedSource(host: Host, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'src.bin');
  fs.writeFileSync(src, Buffer.alloc(3 * MB, 'a'));
  const dest = path.join(dir, 'dest.bin');
  fs.writeFileSync(dest, 'old\n');
  const stream = new ControllerFileStream(src, 3 * MB);
  await stream.sha1();
  // Same size, one byte different: only the checksum can tell.
  const fd = fs.openSync(src, 'r+');
  fs.writeSync(fd, 'b', 2 * MB);
  fs.closeSync(fd);
  await assert.rejects(host.writeFile(dest, stream, { mode: 0o600 }), /changed while converge was reading it|content could not be sent/);
  assert.equal(fs.readFileSync(dest, 'utf8'), 'old\n', `${host.kind}: the target was replaced`);
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('.converge-')), [], `${host.kind}: temp files left behind`);
  // A source that grew by a byte is refused the same way.
  const fresh = new ControllerFileStream(src, 3 * MB);
  await fresh.sha1();
  fs.appendFileSync(src, 'c');
  await assert.rejects(host.writeFile(dest, fresh), /changed while converge was reading it|content could not be sent/);
  assert.equal(fs.readFileSync(dest, 'utf8'), 'old\n');
  // The host is still usable after the abandoned write.
  const ok = new ControllerFileStream(src, 3 * MB + 1);
  await host.writeFile(dest, ok, { mode: 0o600 });
  assert.equal(fs.statSync(dest).size, 3 * MB + 1);
}

it('a source changed after its plan never reaches the host complete (locally and through the sudo shell)', async () => {
  await changedSource(new LocalHost('local'), path.join(base, 'changed-local'));
  const host = connectHost('s1', sshVars(), { knownHostsFile: sshd.knownHosts });
  try {
    await changedSource(host, path.join(base, 'changed-ssh'));
  } finally {
    await host.close();
  }
});
