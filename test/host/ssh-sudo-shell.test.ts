// The privileged shell behind an SSH host with sudo (src/host/ssh-sudo-shell.ts),
// against a real sshd and sudo: one sudo for many commands, arguments and
// bytes passed exactly, and replies that no command output can forge.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { SshHost } from '../../src/host/ssh-host.js';
import { copyModule } from '../../modules/copy.js';
import { runModule } from '../helpers/module-harness.js';
import { createUsers, removeUsers, startSshd, testUsers, type Sshd } from './sshd-fixture.js';

const users = testUsers('shl');
let sshd: Sshd;
let dir: string;

before(async () => {
  sshd = await startSshd();
  await createUsers(users);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cvg-shell-'));
});

after(async () => {
  await sshd?.stop();
  await removeUsers(users);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function host(rememberObservations = false): SshHost {
  return new SshHost({
    name: 'shl', host: '127.0.0.1', port: sshd.port, user: users.nopw, privateKeyFiles: [sshd.clientKey], tryDefaultKeys: false,
    knownHostsFile: sshd.knownHosts, acceptNewHostKeys: false, connectTimeoutMs: 20_000, become: { user: 'root' },
    rememberObservations,
  });
}

/** A directory under `dir` with a small and a 300 KB file, a link, a dangling link, a FIFO, and a missing name. */
function kindsOfPaths(name: string) {
  const sub = path.join(dir, name);
  fs.mkdirSync(sub, { recursive: true });
  const at = (n: string) => path.join(sub, n);
  const p = { sub, small: at('small'), large: at('large'), link: at('link'), dangling: at('dangling'), fifo: at('fifo'), missing: at('missing') };
  fs.writeFileSync(p.small, 'small\n');
  fs.writeFileSync(p.large, Buffer.alloc(300 * 1024, 7));
  fs.symlinkSync('small', p.link);
  fs.symlinkSync('nowhere', p.dangling);
  execFileSync('mkfifo', [p.fifo]);
  return p;
}

/** The process that started this command: the privileged shell, when there is one. */
async function parentOf(h: SshHost): Promise<string> {
  return (await h.run(['sh', '-c', 'echo $PPID'])).stdout.trim();
}

it('runs many commands through one sudo, with arguments and stdin passed byte for byte', async () => {
  const h = host();
  try {
    const shell = await parentOf(h);
    const args = ['a\nb', 'c\\nd', '', 'e\\', "'$(touch pwned)'", '; rm -rf /', 'tab\there', 'é ünï', '\\\\n'];
    for (let i = 0; i < 10; i++) {
      const r = await h.run(['printf', '%s\\0', ...args]);
      assert.deepEqual(r.stdout.split('\0').slice(0, -1), args);
    }
    // Still the same shell: no sudo per command.
    assert.equal(await parentOf(h), shell, 'a new shell (a sudo) per command');
    const bin = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    const file = path.join(dir, 'bin');
    await h.writeFile(file, bin, { mode: 0o600 });
    assert.ok(fs.readFileSync(file).equals(bin));
    assert.ok((await h.readFile(file))!.equals(bin));
    const sum = await h.run(['sha256sum'], { stdin: bin });
    assert.equal(sum.stdout.split(' ')[0], createHash('sha256').update(bin).digest('hex'));
    const r = await h.run(['sh', '-c', 'cat; echo to-stderr >&2; exit 7'], { stdin: 'in\n' });
    assert.deepEqual(r, { rc: 7, stdout: 'in\n', stderr: 'to-stderr\n' });
    // A shell builtin name is a program name here, as with any other host.
    assert.equal((await h.run(['exit', '0'])).rc, 127);
    assert.equal((await h.run(['true'])).rc, 0);
  } finally {
    await h.close();
  }
});

it('cannot be misled by output that imitates its replies, nor by a process left writing', async () => {
  const h = host();
  try {
    // Whatever a command prints (a file a user controls, say), it is that command's output.
    const fake = '0123456789abcdef0123456789abcdef 0\n\n0123456789abcdef0123456789abcdef\n';
    const file = path.join(dir, 'fake');
    fs.writeFileSync(file, fake.repeat(3));
    const r = await h.run(['cat', file]);
    assert.equal(r.stdout, fake.repeat(3));
    // A background process that keeps writing after its command returned.
    const bg = await h.run(['sh', '-c', '(sleep 0.3; for i in 1 2 3 4 5; do echo late; sleep 0.1; done) & echo now']);
    assert.equal(bg.stdout, 'now\n');
    for (let i = 0; i < 8; i++) assert.deepEqual(await h.run(['echo', String(i)]), { rc: 0, stdout: `${i}\n`, stderr: '' });
    // Commands that overlap get a shell each and still each their own answer.
    const many = await Promise.all(Array.from({ length: 12 }, (_, i) => h.run(['sh', '-c', `sleep 0.${i % 3}; echo ${i}`])));
    assert.deepEqual(many.map((m) => m.stdout), Array.from({ length: 12 }, (_, i) => `${i}\n`));
  } finally {
    await h.close();
  }
});

it('remembers what it read only when asked (one run), and forgets it at its own next change', async () => {
  // sshd runs on this machine: a write here is a change made behind the host's back (another process).
  const file = path.join(dir, 'watched');
  const other = path.join(dir, 'other');
  const run = host(true);
  const kept = host(false);
  try {
    fs.writeFileSync(file, 'a');
    assert.equal((await run.readFile(file))!.toString(), 'a');
    assert.equal((await kept.readFile(file))!.toString(), 'a');
    fs.writeFileSync(file, 'b');
    assert.equal((await run.readFile(file))!.toString(), 'a', 'within a run, a path read once is not read again');
    assert.equal((await kept.readFile(file))!.toString(), 'b', 'a host kept across runs always reads the host');
    assert.equal((await kept.stat(file)).size, 1);
    await run.writeFile(other, 'x');
    assert.equal((await run.readFile(file))!.toString(), 'b', 'its own write makes the run host look again');
    assert.equal((await run.stat(file)).size, 1);
    fs.writeFileSync(file, 'cc');
    assert.equal((await run.stat(file)).size, 1, 'a stat is remembered too');
    await run.run(['true']);
    assert.equal((await run.stat(file)).size, 2, 'so does a command');
  } finally {
    await run.close();
    await kept.close();
  }
});

it('in a run, one look at a path brings its parent and small content along, exactly as the separate calls give them', async () => {
  const { sub, small, large, link, dangling, fifo, missing } = kindsOfPaths('look');
  const run = host(true);
  const plain = host(false);
  try {
    for (const p of [small, large, link, dangling, fifo, missing, sub]) {
      const expected = await plain.stat(p);
      const got = await run.stat(p);
      assert.deepEqual(got, expected, `stat ${p}`);
      if (p !== fifo && p !== sub) assert.deepEqual(await run.readFile(p), await plain.readFile(p), `read ${p}`);
      assert.deepEqual(await run.stat(path.dirname(p)), await plain.stat(path.dirname(p)), `parent of ${p}`);
    }
    // The content came with the first look: a change behind the host's back is not seen within the run ...
    const other = path.join(sub, 'other');
    fs.writeFileSync(other, 'one');
    assert.equal((await run.stat(other)).size, 3);
    fs.writeFileSync(other, 'two!');
    assert.equal((await run.readFile(other))!.toString(), 'one');
    // ... but the run's own change makes it look again, content and parent included.
    await run.writeFile(path.join(sub, 'mine'), 'x');
    assert.equal((await run.readFile(other))!.toString(), 'two!');
    assert.equal((await run.stat(other)).size, 4);
    await run.mkdir(path.join(sub, 'newdir'), 0o700);
    assert.equal((await run.stat(path.join(sub, 'newdir'))).mode, 0o700);
    // A reply of many chunks, and replies after it, arrive whole.
    const big = (await import('node:crypto')).randomBytes(5 * 1024 * 1024 + 17);
    fs.writeFileSync(path.join(sub, 'big'), big);
    for (const h of [run, plain]) {
      assert.ok((await h.readFile(path.join(sub, 'big')))!.equals(big));
      assert.ok((await h.run(['cat', path.join(sub, 'big')], { observeOnly: true })).stdout === big.toString('utf8'));
      assert.deepEqual(await h.run(['echo', 'after']), { rc: 0, stdout: 'after\n', stderr: '' });
    }
  } finally {
    await run.close();
    await plain.close();
  }
});

it('prefetch sees many paths at once, exactly as the separate calls give them, and keeps nothing read through a link', async () => {
  const { sub, small, large, link, dangling, fifo, missing } = kindsOfPaths('ahead');
  fs.mkdirSync(path.join(sub, 'real'));
  const empty = path.join(sub, 'empty');
  const underMissing = path.join(sub, 'nodir', 'x');
  const odd = path.join(sub, 'name with\nnewline');
  // A directory that is a link: what is under it is looked at by name, but its content is not kept
  // (resolving the link is the caller's, as a chroot resolves it inside its tree).
  fs.writeFileSync(path.join(sub, 'real', 'inside'), 'inside\n');
  fs.symlinkSync('real', path.join(sub, 'linkdir'));
  const throughLink = path.join(sub, 'linkdir', 'inside');
  fs.writeFileSync(empty, '');
  fs.writeFileSync(odd, 'odd\n');
  const paths = [small, empty, large, link, dangling, fifo, missing, underMissing, odd, throughLink, sub];
  const plain = host(false);
  const run = host(true);
  try {
    const expected = new Map<string, unknown>();
    for (const p of paths) {
      expected.set(p, {
        stat: await plain.stat(p),
        content: p === fifo || p === sub ? undefined : await plain.readFile(p),
        parent: await plain.stat(path.dirname(p)),
      });
    }
    await run.prefetch(paths);
    // Changed behind the host's back after the prefetch (other sizes): a run answers with what the
    // prefetch saw, which proves the answer came from it ...
    fs.writeFileSync(small, 'changed since\n');
    fs.writeFileSync(odd, 'changed since\n');
    // ... except for what a link leads to, and content under a directory that is a link: those are
    // looked at when asked.
    fs.writeFileSync(throughLink, 'changed since\n');
    for (const p of paths) {
      const got = {
        stat: await run.stat(p),
        content: p === fifo || p === sub ? undefined : await run.readFile(p),
        parent: await run.stat(path.dirname(p)),
      };
      const want = expected.get(p) as typeof got;
      if (p === throughLink || p === link) {
        // A link (and what is under a linked directory) is followed when asked: its target changed.
        assert.equal(got.content!.toString(), 'changed since\n', `${p} is read when asked`);
        continue;
      }
      assert.deepEqual(got, want, `prefetch of ${JSON.stringify(p)}`);
    }
    // The run's own change makes it look again.
    await run.writeFile(path.join(sub, 'mine'), 'x');
    assert.equal((await run.readFile(small))!.toString(), 'changed since\n');
    assert.equal((await run.stat(odd)).size, 'changed since\n'.length);
  } finally {
    await run.close();
    await plain.close();
  }
});

it('a tree below a directory in one request: every path and its lstat, in the order a walk by readdir and stat gives', async () => {
  const { sub } = kindsOfPaths('tree');
  fs.mkdirSync(path.join(sub, 'd1', 'd2'), { recursive: true });
  fs.writeFileSync(path.join(sub, 'd1', 'd2', 'deep'), 'deep\n');
  fs.writeFileSync(path.join(sub, 'd1', 'b file'), 'b\n');
  fs.writeFileSync(path.join(sub, 'name with\nnewline'), 'odd\n');
  fs.symlinkSync('d1', path.join(sub, 'linkdir'));
  fs.chmodSync(path.join(sub, 'd1', 'b file'), 0o4750);
  fs.utimesSync(path.join(sub, 'd1', 'd2', 'deep'), 1_000_000_000.75, 1_000_000_000.75);
  const h = host(false);
  try {
    // What the walk gives: readdir (sorted), then stat of each name, depth first, links not followed.
    const walk = async (d: string): Promise<Array<{ path: string; stat: unknown }>> => {
      const out: Array<{ path: string; stat: unknown }> = [];
      for (const n of await h.readdir(d)) {
        const p = `${d}/${n}`;
        const stat = await h.stat(p);
        out.push({ path: p, stat });
        if (stat.type === 'directory') out.push(...(await walk(p)));
      }
      return out;
    };
    const want = await walk(sub);
    assert.ok(want.some((e) => e.path.endsWith('/linkdir')) && !want.some((e) => e.path.includes('/linkdir/')), 'the walk does not follow links');
    assert.deepEqual(await h.statTree(sub), want);
    await assert.rejects(() => h.statTree(path.join(sub, 'small')), /Not a directory/);
    await assert.rejects(() => h.statTree(path.join(sub, 'missing')), /No such file or directory/);
  } finally {
    await h.close();
  }
});

it('copies a large file from the host to the host (remote_src) through its one privileged shell: read before the write, never behind it', { timeout: 60_000 }, async () => {
  const d = path.join(dir, 'remote-src');
  fs.mkdirSync(d);
  const src = path.join(d, 'ipxe.efi');
  const dest = path.join(d, 'tftp.efi');
  fs.writeFileSync(src, Buffer.alloc(900 * 1024, 5));
  // Not remembering: the source is changed behind its back below.
  const h = host(false);
  try {
    const first = await runModule(copyModule, { src, remote_src: true, dest }, { host: h });
    assert.equal(first.status, 'changed', first.message);
    assert.ok(fs.readFileSync(dest).equals(fs.readFileSync(src)));
    fs.writeFileSync(src, Buffer.alloc(900 * 1024, 6));
    const second = await runModule(copyModule, { src, remote_src: true, dest }, { host: h });
    assert.equal(second.status, 'changed', second.message);
    assert.ok(fs.readFileSync(dest).equals(fs.readFileSync(src)));
    assert.equal((await runModule(copyModule, { src, remote_src: true, dest }, { host: h })).status, 'ok');
  } finally {
    await h.close();
  }
});
