// SshHost against a real OpenSSH server on a loopback port (see sshd-fixture.ts):
// the same operations give the same results as LocalHost, argv is literal,
// sudo works with and without a password, and every failure is one clear error.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectHost } from '../../src/host/connect.js';
import { ConnectionLostError, HostUnreachableError, type Host } from '../../src/host/host.js';
import { LocalHost, runLocal } from '../../src/host/local-host.js';
import { BecomeError, SshHost, type SshHostOptions } from '../../src/host/ssh-host.js';
import { createUsers, killTree, removeUsers, startSshd, testUsers, USER_PASSWORD, type Sshd } from './sshd-fixture.js';

const users = testUsers('h');
const NOPW_USER = users.nopw;
const PW_USER = users.pw;

let sshd: Sshd;
let work: string;
const open: Host[] = [];

function ssh(over: Partial<SshHostOptions> = {}): SshHost {
  const h = new SshHost({
    name: 'testhost', host: '127.0.0.1', port: sshd.port, user: 'root',
    privateKeyFiles: [sshd.clientKey], tryDefaultKeys: false,
    knownHostsFile: sshd.knownHosts, acceptNewHostKeys: false, connectTimeoutMs: 10000,
    ...over,
  });
  open.push(h);
  return h;
}

before(async () => {
  sshd = await startSshd();
  await createUsers(users);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cvg-ssh-work-'));
  fs.chmodSync(work, 0o755);
});

after(async () => {
  for (const h of open) await h.close().catch(() => {});
  await sshd?.stop();
  await removeUsers(users);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Everything observable about a tree, through a Host (paths relative to root). */
async function snapshot(h: Host, root: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const walk = async (rel: string) => {
    const st = await h.stat(path.join(root, rel));
    const entry: Record<string, unknown> = { type: st.type, mode: st.mode!.toString(8), uid: st.uid, gid: st.gid };
    if (st.type === 'file') entry.content = (await h.readFile(path.join(root, rel)))!.toString('base64');
    if (st.type === 'link') entry.target = st.linkTarget;
    if (st.type === 'file') entry.size = st.size;
    out[rel || '.'] = entry;
    if (st.type === 'directory') for (const n of await h.readdir(path.join(root, rel))) await walk(path.join(rel, n));
  };
  await walk('');
  return out;
}

/** One sequence of Host operations; returns what the host answered along the way. */
async function exercise(h: Host, root: string): Promise<unknown[]> {
  const seen: unknown[] = [];
  const p = (x: string) => path.join(root, x);
  await h.mkdir(root, 0o750);
  await h.mkdir(p('etc'), 0o2775);
  await h.writeFile(p('etc/plain.conf'), 'one\n');
  await h.writeFile(p('etc/secret.conf'), Buffer.from([0, 1, 2, 255]), { mode: 0o600, owner: 'nobody', group: 'nogroup' });
  await h.writeFile(p('etc/secret.conf'), 'rewritten\n'); // keeps 0600 nobody:nogroup
  await h.writeFile(p('etc/tool'), '#!/bin/sh\necho hi\n', { mode: 0o4755, owner: 'daemon' });
  await h.writeFile(p('etc/big.bin'), Buffer.alloc(700 * 1024, 7), { mode: 0o644 });
  await h.symlink('plain.conf', p('etc/link'));
  await h.symlink('secret.conf', p('etc/link')); // replaced atomically
  await h.link(p('etc/plain.conf'), p('etc/hard'));
  await h.link(p('etc/plain.conf'), p('etc/hard')); // already the same inode
  await h.chmod(p('etc/plain.conf'), 0o640);
  await h.chown(p('etc/plain.conf'), { group: 'daemon' });
  await h.chown(p('etc/link'), { owner: 'nobody' }); // the link itself
  await h.mkdir(p('gone'));
  await h.writeFile(p('gone/x'), 'x');
  await h.remove(p('gone'));
  await h.remove(p('never-existed'));
  seen.push(await h.readFile(p('missing')));
  seen.push(await h.stat(p('missing/deeper')));
  seen.push(await h.readdir(p('etc')));
  seen.push(await h.uidOf('nobody'), await h.gidOf('nogroup'), await h.userName(0), await h.groupName(1), await h.uidOf('no-such-user-x'));
  const r = await h.run(['sh', '-c', 'pwd; echo "$CVG_X"; cat; echo err >&2; exit 3'], { cwd: p('etc'), env: { CVG_X: 'a b' }, stdin: 'in\n' });
  seen.push(r);
  seen.push(await h.run(['no-such-command-cvg']).then((x) => x.rc));
  await assert.rejects(h.mkdir(p('etc')), /EEXIST/);
  await assert.rejects(h.readdir(p('missing')), /ENOENT/);
  await assert.rejects(h.writeFile(p('missing/file'), 'x'), /ENOENT/);
  await assert.rejects(h.writeFile(p('etc/y'), 'x', { owner: 'no-such-user-x' }), /no such user/);
  const st = await h.stat(p('etc/tool'));
  seen.push([st.type, st.mode, st.size]);
  return seen.map((s) => s === undefined ? 'undefined' : JSON.parse(JSON.stringify(s, (_k, v) => (typeof v === 'string' ? v.split(root).join('ROOT') : v))));
}

describe('SshHost against a real sshd', () => {
  it('gives the same results as LocalHost: as root over SFTP, and as a sudo user through helper commands', async () => {
    const local = new LocalHost('local');
    const viaSftp = ssh();
    const viaSudo = ssh({ user: NOPW_USER, become: { user: 'root' } });
    assert.equal(viaSudo.viaSudo, true);
    const results: Array<[unknown[], Record<string, unknown>]> = [];
    for (const [i, h] of [local, viaSftp, viaSudo].entries()) {
      const root = path.join(work, `same-${i}`);
      const seen = await exercise(h, root);
      results.push([seen, await snapshot(new LocalHost('check'), root)]);
    }
    assert.equal(results[0][1]['etc/secret.conf'] !== undefined, true);
    assert.deepEqual((results[0][1]['etc/secret.conf'] as { mode: string }).mode, '600');
    assert.deepEqual((results[0][1]['etc/tool'] as { mode: string }).mode, '4755');
    assert.deepEqual(results[1], results[0]);
    assert.deepEqual(results[2], results[0]);
    // Through the SSH hosts themselves the tree reads the same too.
    assert.deepEqual(await snapshot(viaSftp, path.join(work, 'same-0')), results[0][1]);
    assert.deepEqual(await snapshot(viaSudo, path.join(work, 'same-0')), results[0][1]);
  });

  it('works the same on a server without SFTP, through helper commands', async () => {
    const noSftp = await startSshd({ sftp: false });
    try {
      const h = ssh({ port: noSftp.port, privateKeyFiles: [noSftp.clientKey], knownHostsFile: noSftp.knownHosts });
      const local = new LocalHost('local');
      const a = await exercise(local, path.join(work, 'nosftp-local'));
      const b = await exercise(h, path.join(work, 'nosftp-ssh'));
      assert.deepEqual(b, a);
      const check = new LocalHost('check');
      assert.deepEqual(await snapshot(check, path.join(work, 'nosftp-ssh')), await snapshot(check, path.join(work, 'nosftp-local')));
      await h.close();
    } finally {
      await noSftp.stop();
    }
  });

  it('reads and writes files of any size byte for byte over SFTP', async () => {
    const h = ssh();
    for (const size of [0, 1, 256 * 1024, 256 * 1024 + 1, 3 * 1024 * 1024 + 7]) {
      const data = randomBytes(size);
      const a = path.join(work, `size-${size}-local`);
      fs.writeFileSync(a, data);
      assert.ok((await h.readFile(a))!.equals(data), `read ${size}`);
      const b = path.join(work, `size-${size}-remote`);
      await h.writeFile(b, data);
      assert.ok(fs.readFileSync(b).equals(data), `write ${size}`);
    }
    // A /proc file says size 0 and still has content.
    assert.match((await h.readFile('/proc/self/status'))!.toString(), /^Name:/);
  });

  it('stops a command at its time limit, also for a root login (no signal delivery there) and through sudo', async () => {
    for (const [i, h] of [ssh(), ssh({ user: NOPW_USER, become: { user: 'root' } })].entries()) {
      const secs = `4${i}.913`;
      const r = await h.run(['sh', '-c', `sleep ${secs}; echo not-reached`], { timeoutMs: 300 });
      assert.equal(r.rc, 124);
      assert.equal(r.stdout, '');
      assert.equal((await runLocal(['pgrep', '-f', '-x', `sleep ${secs}`])).rc, 1, 'the command was killed');
      assert.equal((await h.run(['echo', 'ok'])).stdout, 'ok\n');
    }
  });

  it('sweeps temp files a killed run left next to a target before writing it, like LocalHost', async () => {
    const hosts: Host[] = [new LocalHost('local'), ssh(), ssh({ user: NOPW_USER, become: { user: 'root' } })];
    for (const [i, h] of hosts.entries()) {
      const dir = path.join(work, `sweep-${i}`);
      fs.mkdirSync(dir);
      const names = { file: 'we*ird [1]', sym: 'sym?', hard: 'hard' };
      const stale = (n: string) => `.${n}.converge-0123456789ab.tmp`;
      const decoys = ['.we*ird [1].converge-xyz.tmp', '.weXird 1.converge-0123456789ab.tmp', '.other.converge-0123456789ab.tmp', 'we*ird [1].converge-0123456789ab.tmp'];
      for (const n of [...Object.values(names).map(stale), ...decoys]) fs.writeFileSync(path.join(dir, n), 'left over');
      await h.writeFile(path.join(dir, names.file), 'new');
      await h.symlink('target', path.join(dir, names.sym));
      await h.link(path.join(dir, names.file), path.join(dir, names.hard));
      assert.deepEqual(fs.readdirSync(dir).sort(), [...decoys, names.file, names.hard, names.sym].sort(), `host ${i}`);
    }
  });

  it('keeps one connection for many operations', async () => {
    const before = (await sshd.sessionPids()).length;
    const h = ssh();
    for (let i = 0; i < 5; i++) {
      await h.stat('/etc/passwd');
      await h.run(['true']);
    }
    // More than OpenSSH's MaxSessions (10) at once: queued, not refused.
    const many = await Promise.all(Array.from({ length: 12 }, (_, i) => h.run(['echo', String(i)])));
    assert.deepEqual(many.map((r) => r.stdout), Array.from({ length: 12 }, (_, i) => `${i}\n`));
    assert.equal((await sshd.sessionPids()).length, before + 1);
    await h.close();
    assert.equal((await sshd.sessionPids()).length <= before + 1, true);
  });

  it('runs every command on a server with a lower MaxSessions, retrying the sessions it refuses', async () => {
    const tight = await startSshd({ maxSessions: 3 });
    try {
      const h = ssh({ port: tight.port, privateKeyFiles: [tight.clientKey], knownHostsFile: tight.knownHosts });
      await h.stat('/etc/passwd'); // SFTP holds one of the three
      const many = await Promise.all(Array.from({ length: 12 }, (_, i) => h.run(['sh', '-c', 'sleep 0.2; echo $0', String(i)])));
      assert.deepEqual(many.map((r) => r.stdout), Array.from({ length: 12 }, (_, i) => `${i}\n`));
      await h.close();
    } finally {
      await tight.stop();
    }
  });

  it('passes every argument literally: spaces, quotes, ;, $(...) run nothing', async () => {
    const marker = path.join(work, `pwned-${process.pid}`);
    const evil = `a b 'c' "d" ; e \\ $(touch ${marker}) \`touch ${marker}\` $HOME * \n end`;
    const hosts = [ssh(), ssh({ user: NOPW_USER, become: { user: 'root' } }), ssh({ user: PW_USER, become: { user: 'root', password: USER_PASSWORD } })];
    for (const [i, h] of hosts.entries()) {
      const r = await h.run(['printf', '%s|', evil, 'second']);
      assert.equal(r.stdout, `${evil}|second|`);
      const file = path.join(work, `f${i} ${evil.replace(/\//g, '_')}`);
      await h.run(['touch', file]);
      assert.equal(fs.existsSync(file), true);
      await h.writeFile(file + '.w', 'x');
      assert.equal(fs.readFileSync(file + '.w', 'utf8'), 'x');
      assert.equal((await h.stat(file + '.w')).type, 'file');
      fs.rmSync(file);
      fs.rmSync(file + '.w');
    }
    assert.equal(fs.existsSync(marker), false);
  });

  it('runs as the become user with a sudo password, never feeding the password to the command', async () => {
    const h = ssh({ user: PW_USER, become: { user: 'root', password: USER_PASSWORD } });
    assert.equal((await h.run(['id', '-u'])).stdout.trim(), '0');
    assert.equal((await h.run(['cat'])).stdout, '');
    assert.equal((await h.run(['cat'], { stdin: 'data\n' })).stdout, 'data\n');
    const f = path.join(work, 'pw-written');
    await h.writeFile(f, 'content\n', { mode: 0o640, owner: 'daemon' });
    const st = fs.statSync(f);
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.uid, (await h.uidOf('daemon')));
    assert.equal(fs.readFileSync(f, 'utf8'), 'content\n');
    const ps = await runLocal(['ps', '-eo', 'args']);
    assert.equal(ps.stdout.includes(USER_PASSWORD), false);
  });

  it('fails a wrong sudo password with one clear error, every time, without hanging', async () => {
    const h = ssh({ user: PW_USER, become: { user: 'root', password: 'not-the-password' } });
    const e1 = await h.run(['true']).then(() => null, (e: Error) => e);
    assert.ok(e1 instanceof BecomeError, String(e1));
    assert.match(e1.message, /incorrect sudo password/);
    assert.equal(e1.message.includes('not-the-password'), false);
    assert.equal(e1.message.includes('\n'), false);
    await assert.rejects(h.stat('/etc/passwd'), BecomeError);
    const noPw = ssh({ user: PW_USER, become: { user: 'root' } });
    await assert.rejects(noPw.run(['true']), /sudo needs a password/);
  });

  it('refuses an unknown host key with its fingerprint, and records it with acceptNewHostKeys', async () => {
    const kh = path.join(work, 'kh-unknown');
    const fp = (await runLocal(['ssh-keygen', '-l', '-E', 'sha256', '-f', path.join(sshd.dir, 'host_key.pub')])).stdout.split(' ')[1];
    assert.match(fp, /^SHA256:/);
    const e = await ssh({ knownHostsFile: kh }).run(['true']).then(() => null, (x: Error) => x);
    assert.ok(e instanceof HostUnreachableError, String(e));
    assert.ok(e.message.includes(fp), e.message);
    assert.match(e.message, /--accept-new-host-keys/);
    assert.equal(fs.existsSync(kh), false);
    assert.equal((await ssh({ knownHostsFile: kh, acceptNewHostKeys: true }).run(['true'])).rc, 0);
    assert.match(fs.readFileSync(kh, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `));
    assert.equal((await ssh({ knownHostsFile: kh }).run(['true'])).rc, 0);
    // OpenSSH itself accepts what we recorded.
    const r = await runLocal(['ssh', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${kh}`, '-o', 'StrictHostKeyChecking=yes',
      '-i', sshd.clientKey, '-p', String(sshd.port), 'root@127.0.0.1', 'true']);
    assert.equal(r.rc, 0, r.stderr);
  });

  it('refuses a changed host key loudly, even with acceptNewHostKeys', async () => {
    const kh = path.join(work, 'kh-changed');
    const other = fs.readFileSync(sshd.wrongKey + '.pub', 'utf8').split(' ').slice(0, 2).join(' ');
    fs.writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${other}\n`);
    const e = await ssh({ knownHostsFile: kh, acceptNewHostKeys: true }).run(['true']).then(() => null, (x: Error) => x);
    assert.ok(e instanceof HostUnreachableError, String(e));
    assert.match(e.message, /HOST KEY CHANGED/);
    assert.match(e.message, /ssh-keygen -R/);
    assert.equal(fs.readFileSync(kh, 'utf8').split('\n').filter(Boolean).length, 1);
  });

  it('accepts hashed known_hosts entries (written by ssh-keygen -H)', async () => {
    const kh = path.join(work, 'kh-hashed');
    fs.copyFileSync(sshd.knownHosts, kh);
    await runLocal(['ssh-keygen', '-H', '-f', kh]);
    assert.match(fs.readFileSync(kh, 'utf8'), /^\|1\|/);
    assert.equal((await ssh({ knownHostsFile: kh }).run(['true'])).rc, 0);
  });

  it('reports a wrong key, a refused port and a dead host as unreachable, in one line', async () => {
    const wrong = await ssh({ privateKeyFiles: [sshd.wrongKey] }).run(['true']).then(() => null, (x: Error) => x);
    assert.ok(wrong instanceof HostUnreachableError);
    assert.match(wrong.message, /authentication failed for root@127\.0\.0\.1/);
    const refused = await ssh({ port: 1 }).stat('/').then(() => null, (x: Error) => x);
    assert.ok(refused instanceof HostUnreachableError);
    assert.match(refused.message, /connection refused/);
    // A port that accepts TCP and never speaks SSH.
    const silentSockets = new Set<net.Socket>();
    const silent = net.createServer((c) => { silentSockets.add(c); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as net.AddressInfo).port;
    const mute = await ssh({ port: silentPort, connectTimeoutMs: 500 }).run(['true']).then(() => null, (x: Error) => x);
    silent.close();
    for (const c of [...silentSockets]) c.destroy();
    assert.ok(mute instanceof HostUnreachableError);
    assert.match(mute.message, /no SSH handshake within/);
    for (const m of [wrong.message, refused.message, mute.message]) assert.equal(m.includes('\n'), false);
  });

  it('logs in with a password, and through ssh-agent', async () => {
    const pw = ssh({ user: PW_USER, privateKeyFiles: [], password: USER_PASSWORD });
    assert.equal((await pw.run(['id', '-un'])).stdout.trim(), PW_USER);
    const sock = path.join(work, 'agent.sock');
    const agent = await runLocal(['ssh-agent', '-a', sock]);
    const agentPid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)![1]);
    try {
      const add = await runLocal(['ssh-add', sshd.clientKey], { env: { SSH_AUTH_SOCK: sock } });
      assert.equal(add.rc, 0, add.stderr);
      const viaAgent = ssh({ privateKeyFiles: [], agentSocket: sock });
      assert.equal((await viaAgent.run(['id', '-un'])).stdout.trim(), 'root');
      await viaAgent.close();
    } finally {
      process.kill(agentPid);
    }
  });

  it('fails the running call and every later call when the connection drops', async () => {
    const h = ssh();
    const others = await sshd.sessionPids();
    await h.run(['true']);
    const mine = (await sshd.sessionPids()).filter((p) => !others.includes(p));
    assert.equal(mine.length, 1);
    const running = h.run(['sleep', '47.31']);
    // Kill the connection once the command is really running.
    for (;;) {
      const r = await runLocal(['pgrep', '-f', '-x', 'sleep 47.31']);
      if (r.rc === 0) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    await killTree(mine[0]);
    const e = await running.then(() => null, (x: Error) => x);
    assert.ok(e instanceof ConnectionLostError, String(e));
    assert.match(e.message, /connection to 127\.0\.0\.1:\d+ lost/);
    await assert.rejects(h.stat('/'), ConnectionLostError);
    await assert.rejects(h.run(['true']), ConnectionLostError);
  });

  it('connectHost honours ~/.ssh/config (HostName, Port, User, IdentityFile with a wildcard Host)', async () => {
    const cfg = path.join(work, 'ssh_config');
    fs.writeFileSync(cfg, [
      'Host other', '  HostName 192.0.2.1',
      `Host cvg-alias-*`, `  HostName 127.0.0.1`, `  Port ${sshd.port}`, `  User ${NOPW_USER}`, `  IdentityFile ${sshd.clientKey}`,
      'Host *', '  User nobody-else', '  Port 1',
    ].join('\n'));
    const h = connectHost('cvg-alias-7', { ansible_become: true }, { sshConfigFile: cfg, knownHostsFile: sshd.knownHosts });
    open.push(h);
    assert.equal(h.kind, 'ssh');
    assert.equal((await h.run(['id', '-u'])).stdout.trim(), '0');
    assert.equal((h as SshHost).address, `${NOPW_USER}@127.0.0.1:${sshd.port}`);
    const direct = connectHost('web1', {
      ansible_host: '127.0.0.1', ansible_port: sshd.port, ansible_user: 'root', ansible_ssh_private_key_file: sshd.clientKey,
    }, { sshConfigFile: cfg, knownHostsFile: sshd.knownHosts });
    open.push(direct);
    assert.equal((await direct.run(['id', '-un'])).stdout.trim(), 'root');
  });

  it('gathers facts over SSH like locally', async () => {
    const f = await ssh().facts();
    const l = await new LocalHost('l').facts();
    // What legitimately differs between two reads of one machine: free memory
    // moves, other tests mount and unmount, and a login's environment is not
    // this process's. Each of these still has to be there, and the rest equal.
    const steady = (x: typeof f) => {
      const hw = { ...x.hardware } as Record<string, unknown>;
      for (const k of ['memfree_mb', 'swapfree_mb', 'mounts', 'env']) delete hw[k];
      return { ...x, hardware: hw };
    };
    assert.deepEqual(steady(f), steady(l));
    for (const x of [f, l]) {
      const hw = x.hardware!;
      assert.ok(hw.memfree_mb > 0);
      assert.ok(hw.mounts.some((m) => m.mount === '/'), 'the root mount is among the mounts');
      assert.match(hw.env.PATH ?? '', /\/usr\/bin/);
    }
  });
});
