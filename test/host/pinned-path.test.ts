// The descriptor-walk under the local and chroot hosts (pinned-path.ts,
// tree-remove.ts), case by case on real files: which links are followed,
// where absolute links and `..` lead inside a tree, what is never read.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { ChrootHost } from '../../src/host/chroot-host.js';
import { LocalHost, runLocal } from '../../src/host/local-host.js';

const host = new LocalHost('local');
let d: string;
before(() => { d = fs.mkdtempSync('/tmp/cvg-pinned-'); });
after(() => fs.rmSync(d, { recursive: true, force: true }));

it('a new directory has its mode despite the umask; chmod of a link is refused, never applied to its target', async () => {
  await host.mkdir(`${d}/a`, 0o750);
  assert.equal(fs.statSync(`${d}/a`).mode & 0o7777, 0o750);
  const before = fs.statSync('/etc/passwd').mode;
  fs.symlinkSync('/etc/passwd', `${d}/a/l`);
  await assert.rejects(host.chmod(`${d}/a/l`, 0o600), /chmod .*a\/l: ELOOP is a symbolic link/);
  assert.equal(fs.statSync('/etc/passwd').mode, before);
});

it("another user's link in a path is refused for changes; root's links are followed", async () => {
  fs.mkdirSync(`${d}/u`);
  fs.symlinkSync(`${d}/a`, `${d}/u/theirs`);
  fs.lchownSync(`${d}/u/theirs`, 65534, 65534);
  await assert.rejects(host.writeFile(`${d}/u/theirs/x`, 'no'), /EUNSAFELINK refusing to follow the symbolic link .*\/u\/theirs: it belongs to uid 65534/);
  await assert.rejects(host.mkdir(`${d}/u/theirs/x`), /EUNSAFELINK/);
  assert.equal(fs.existsSync(`${d}/a/x`), false);
  fs.symlinkSync(`${d}/a`, `${d}/mine`);
  await host.writeFile(`${d}/mine/g`, 'via a root link', { mode: 0o640 });
  assert.equal(fs.readFileSync(`${d}/a/g`, 'utf8'), 'via a root link');
  assert.equal(fs.statSync(`${d}/a/g`).mode & 0o777, 0o640);
});

it('remove takes a tree and never what a link in it points to; a missing path is fine', async () => {
  fs.mkdirSync(`${d}/t/x/y`, { recursive: true });
  fs.writeFileSync(`${d}/t/x/y/f`, '');
  fs.mkdirSync(`${d}/keep`);
  fs.writeFileSync(`${d}/keep/k`, 'k');
  fs.symlinkSync(`${d}/keep`, `${d}/t/x/link`);
  await host.remove(`${d}/t`);
  assert.equal(fs.existsSync(`${d}/t`), false);
  assert.equal(fs.readFileSync(`${d}/keep/k`, 'utf8'), 'k');
  await host.remove(`${d}/t/missing/deeper`);
  await assert.rejects(host.remove('/'), /refusing to remove the root directory/);
});

it('a device or FIFO is never read', async () => {
  assert.equal((await runLocal(['mkfifo', `${d}/fifo`])).rc, 0);
  await assert.rejects(host.readFile(`${d}/fifo`), /read .*fifo: EINVAL not a regular file/);
  await assert.rejects(host.readFile('/dev/zero'), /not a regular file/);
});

it('inside a chroot tree, absolute links and .. stay in the tree', async () => {
  const t = `${d}/tree`;
  for (const x of ['etc', 'run', 'var', 'usr/lib']) fs.mkdirSync(path.join(t, x), { recursive: true });
  fs.symlinkSync('/run', `${t}/var/run`);
  fs.symlinkSync('../../../../../../etc/x', `${t}/run/up`);
  fs.symlinkSync('../usr/lib/os-release', `${t}/etc/os-release`);
  fs.writeFileSync(`${t}/usr/lib/os-release`, 'ID=test\n');
  fs.writeFileSync(`${t}/etc/x`, 'in the tree');
  const c = new ChrootHost('image', t);
  await c.writeFile('/var/run/y', 'written');
  assert.equal(fs.readFileSync(`${t}/run/y`, 'utf8'), 'written');
  assert.equal(fs.existsSync('/run/y'), false);
  assert.equal((await c.readFile('/run/up'))?.toString(), 'in the tree');
  assert.equal((await c.readFile('/etc/os-release'))?.toString(), 'ID=test\n');
  assert.equal((await c.stat('/var/run')).linkTarget, '/run');
  assert.equal((await c.stat('/var/run/y')).type, 'file');
  assert.deepEqual(await c.readdir('/var/run'), ['up', 'y']);
  await c.mkdir('/var/run/dir', 0o700);
  assert.ok(fs.statSync(`${t}/run/dir`).isDirectory());
  await c.remove('/var/run/dir');
  assert.equal(fs.existsSync(`${t}/run/dir`), false);
});
