import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { fileModule } from '../../modules/file.js';
import { lineinfileModule } from '../../modules/lineinfile.js';
import { makeModuleContext } from '../../src/engine/context.js';
import { validateModuleParams } from '../../src/config/module-params.js';
import { Ledger } from '../../src/engine/ledger.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { cycle, host, removeDir, snapshot, tempDir } from './file-fixtures.js';

interface Case {
  name: string;
  setup?: (d: string) => Promise<void>;
  params: (d: string) => Record<string, unknown>;
  expect: string[];
  after?: (d: string) => Promise<void>;
}

const mode = async (p: string) => (await fs.lstat(p)).mode & 0o7777;

const cases: Case[] = [
  {
    name: 'directory with parents: each created directory reported once, all get the mode',
    params: (d) => ({ path: `${d}/a/b/c`, state: 'directory', mode: '0750' }),
    expect: ['state:DIR/a', 'state:DIR/a/b', 'state', 'mode'],
    after: async (d) => {
      for (const p of ['a', 'a/b', 'a/b/c']) assert.equal(await mode(`${d}/${p}`), 0o750, p);
    },
  },
  {
    name: 'existing directory: mode and owner only (alias dest)',
    setup: async (d) => { await fs.mkdir(`${d}/x`, { mode: 0o700 }); },
    params: (d) => ({ dest: `${d}/x`, state: 'directory', mode: 'u=rwx,go=rx', owner: 'nobody' }),
    expect: ['mode', 'owner'],
    after: async (d) => { assert.equal(await mode(`${d}/x`), 0o755); assert.equal((await fs.stat(`${d}/x`)).uid, 65534); },
  },
  {
    name: 'recurse sets attributes below the directory, X only on directories',
    setup: async (d) => {
      await fs.mkdir(`${d}/t/sub`, { recursive: true }); await fs.writeFile(`${d}/t/sub/f`, 'x');
      await fs.chmod(`${d}/t`, 0o700); await fs.chmod(`${d}/t/sub`, 0o700); await fs.chmod(`${d}/t/sub/f`, 0o600);
    },
    params: (d) => ({ path: `${d}/t`, state: 'directory', recurse: true, mode: 'u=rwX,g=rX,o=', group: 'nogroup' }),
    expect: ['mode', 'group', 'mode:DIR/t/sub', 'group:DIR/t/sub', 'mode:DIR/t/sub/f', 'group:DIR/t/sub/f'],
    after: async (d) => {
      assert.equal(await mode(`${d}/t/sub`), 0o750);
      assert.equal(await mode(`${d}/t/sub/f`), 0o640);
      assert.equal((await fs.stat(`${d}/t/sub/f`)).gid, 65534);
    },
  },
  {
    name: 'touch creates an empty file with mode, then (times preserved) is idempotent',
    params: (d) => ({ path: `${d}/t`, state: 'touch', mode: '0600', modification_time: 'preserve', access_time: 'preserve' }),
    expect: ['state', 'mode'],
    after: async (d) => { assert.equal((await fs.readFile(`${d}/t`)).length, 0); assert.equal(await mode(`${d}/t`), 0o600); },
  },
  {
    name: 'touch on an existing file keeps content, sets attributes',
    setup: async (d) => { await fs.writeFile(`${d}/t`, 'keep'); await fs.chmod(`${d}/t`, 0o644); },
    params: (d) => ({ path: `${d}/t`, state: 'touch', mode: '0444', modification_time: 'preserve', access_time: 'preserve' }),
    expect: ['mode'],
    after: async (d) => assert.equal(await fs.readFile(`${d}/t`, 'utf8'), 'keep'),
  },
  {
    name: 'state file (default) changes owner and group of an existing file',
    setup: async (d) => { await fs.writeFile(`${d}/f`, 'x'); },
    params: (d) => ({ name: `${d}/f`, owner: 'nobody', group: 'nogroup' }),
    expect: ['owner', 'group'],
    after: async (d) => assert.equal((await fs.stat(`${d}/f`)).gid, 65534),
  },
  {
    name: 'absent removes a directory tree',
    setup: async (d) => { await fs.mkdir(`${d}/gone/x`, { recursive: true }); await fs.writeFile(`${d}/gone/x/f`, 'x'); },
    params: (d) => ({ path: `${d}/gone`, state: 'absent' }),
    expect: ['state'],
    after: async (d) => await assert.rejects(fs.lstat(`${d}/gone`)),
  },
  {
    name: 'absent on a missing path is in sync',
    params: (d) => ({ path: `${d}/never`, state: 'absent' }),
    expect: [],
  },
  {
    name: 'link is created, relative src kept as written',
    setup: async (d) => { await fs.writeFile(`${d}/real`, 'x'); },
    params: (d) => ({ path: `${d}/ln`, src: 'real', state: 'link' }),
    expect: ['state'],
    after: async (d) => assert.equal(await fs.readlink(`${d}/ln`), 'real'),
  },
  {
    name: 'link pointing elsewhere is repointed, with owner',
    setup: async (d) => { await fs.writeFile(`${d}/a`, 'x'); await fs.writeFile(`${d}/b`, 'x'); await fs.symlink(`${d}/a`, `${d}/ln`); },
    params: (d) => ({ path: `${d}/ln`, src: `${d}/b`, state: 'link', owner: 'nobody' }),
    expect: ['state', 'owner'],
    after: async (d) => { assert.equal(await fs.readlink(`${d}/ln`), `${d}/b`); assert.equal((await fs.lstat(`${d}/ln`)).uid, 65534); },
  },
  {
    name: 'force replaces a file by a link',
    setup: async (d) => { await fs.writeFile(`${d}/a`, 'x'); await fs.writeFile(`${d}/ln`, 'file'); },
    params: (d) => ({ path: `${d}/ln`, src: `${d}/a`, state: 'link', force: true }),
    expect: ['state'],
  },
  {
    name: 'hard link shares the inode',
    setup: async (d) => { await fs.writeFile(`${d}/a`, 'x'); },
    params: (d) => ({ path: `${d}/h`, src: `${d}/a`, state: 'hard' }),
    expect: ['state'],
    after: async (d) => assert.equal((await fs.stat(`${d}/h`)).ino, (await fs.stat(`${d}/a`)).ino),
  },
];

for (const c of cases) {
  test(`file: ${c.name}`, async () => {
    const d = await tempDir();
    try {
      await c.setup?.(d);
      await cycle(fileModule, c.params(d), d, c.expect.map((e) => e.replace('DIR', d)));
      await c.after?.(d);
    } finally {
      await removeDir(d);
    }
  });
}

const failures: Array<{ name: string; setup?: (d: string) => Promise<void>; params: (d: string) => Record<string, unknown>; message: RegExp }> = [
  { name: 'state file on a missing path', params: (d) => ({ path: `${d}/nope` }), message: /does not exist .*state: touch/ },
  { name: 'touch in a missing directory', params: (d) => ({ path: `${d}/no/t`, state: 'touch' }), message: /parent directory .*\/no does not exist/ },
  { name: 'link over a file without force', setup: async (d) => fs.writeFile(`${d}/f`, 'x'), params: (d) => ({ path: `${d}/f`, src: '/etc/hostname', state: 'link' }), message: /without force/ },
  { name: 'link to a missing src', params: (d) => ({ path: `${d}/l`, src: `${d}/nowhere`, state: 'link' }), message: /src .*nowhere does not exist/ },
  { name: 'directory over a file', setup: async (d) => fs.writeFile(`${d}/f`, 'x'), params: (d) => ({ path: `${d}/f`, state: 'directory' }), message: /not a directory/ },
  { name: 'unknown owner', setup: async (d) => fs.writeFile(`${d}/f`, 'x'), params: (d) => ({ path: `${d}/f`, owner: 'no-such-user-filemod' }), message: /owner 'no-such-user-filemod' does not exist/ },
];

for (const f of failures) {
  test(`file fails clearly: ${f.name}`, async () => {
    const d = await tempDir();
    try {
      await f.setup?.(d);
      const before = await snapshot(d);
      const out = await runModule(fileModule, f.params(d), { host, baseDir: d });
      assert.equal(out.status, 'failed');
      assert.match(out.message!, f.message);
      assert.deepEqual(await snapshot(d), before);
    } finally {
      await removeDir(d);
    }
  });
}

test('file --check: a path or parent from an earlier task is "after task N", and provides feed the ledger', async () => {
  const d = await tempDir();
  try {
    const ledger = new Ledger();
    const dir = await planModule(fileModule, { path: `${d}/new/dir`, state: 'directory' }, { host, baseDir: d, ledger });
    assert.deepEqual(dir.provides, [{ kind: 'path', name: `${d}/new` }, { kind: 'path', name: `${d}/new/dir` }]);
    ledger.record(2, dir.provides!);
    const touch = await planModule(fileModule, { path: `${d}/new/dir/f`, state: 'touch' }, { host, baseDir: d, ledger });
    assert.equal(touch.changes[0].afterTask, 2);
    ledger.record(3, touch.provides!);
    const attrs = await planModule(fileModule, { path: `${d}/new/dir/f`, mode: '0600' }, { host, baseDir: d, ledger });
    assert.equal(attrs.changes[0].afterTask, 3);
    const link = await planModule(fileModule, { path: `${d}/l`, src: `${d}/new/dir/f`, state: 'link' }, { host, baseDir: d, ledger });
    assert.equal(link.changes[0].afterTask, 3);
    assert.deepEqual(await fs.readdir(d), []);
  } finally {
    await removeDir(d);
  }
});

test('file: a bad mode is refused by the schema before any host is touched', async () => {
  for (const mode of ['u+q', '0999', 'rwxr-xr-x', 0o17777]) {
    await assert.rejects(runModule(fileModule, { path: '/nonexistent-filemod', mode }, { host, baseDir: '/' }), { name: 'ModuleParamsError' }, String(mode));
  }
});

// Another process (another host's session on a shared file system) creates a
// parent between plan and apply: mkdir -p semantics, not an EEXIST failure.
// Parameters as the engine hands them to plan and apply (defaults filled in).
const checked = (def: Parameters<typeof validateModuleParams>[0], p: Record<string, unknown>) => validateModuleParams(def, p) as never;

test('a parent created by someone else between plan and apply is accepted and left as it is', async () => {
  const d = await tempDir();
  try {
    const ctx = makeModuleContext({ host });
    const dirParams = checked(fileModule, { path: `${d}/shared/own`, state: 'directory', mode: '0750' });
    const lineParams = checked(lineinfileModule, { path: `${d}/shared2/f.conf`, line: 'x', create: true, mode: '0640' });
    const dirPlan = await fileModule.plan(dirParams, ctx);
    const linePlan = await lineinfileModule.plan(lineParams, ctx);
    await fs.mkdir(`${d}/shared`, { mode: 0o711 });
    await fs.chmod(`${d}/shared`, 0o711);
    await fs.mkdir(`${d}/shared2`);
    await fileModule.apply(dirParams, dirPlan, ctx);
    await lineinfileModule.apply(lineParams, linePlan, ctx);
    assert.equal(await mode(`${d}/shared/own`), 0o750);
    assert.equal(await mode(`${d}/shared`), 0o711, 'a parent converge did not create keeps its mode');
    assert.equal(await fs.readFile(`${d}/shared2/f.conf`, 'utf8'), 'x\n');
    // The path itself appearing meanwhile is converged all the same.
    const selfParams = checked(fileModule, { path: `${d}/late`, state: 'directory', mode: '0700' });
    const selfPlan = await fileModule.plan(selfParams, ctx);
    await fs.mkdir(`${d}/late`, { mode: 0o755 });
    await fileModule.apply(selfParams, selfPlan, ctx);
    assert.equal(await mode(`${d}/late`), 0o700);
    // A file in the way is still an error.
    const blocked = checked(fileModule, { path: `${d}/blocked/x`, state: 'directory' });
    const blockedPlan = await fileModule.plan(blocked, ctx);
    await fs.writeFile(`${d}/blocked`, '');
    await assert.rejects(fileModule.apply(blocked, blockedPlan, ctx), /EEXIST/);
  } finally {
    await removeDir(d);
  }
});

test('touch of an existing file sets its times to now and is a change on every run, as in Ansible; preserve keeps them', async () => {
  const d = await tempDir();
  try {
    await fs.writeFile(`${d}/t`, 'keep');
    const old = new Date('2001-02-03T04:05:06Z');
    await fs.utimes(`${d}/t`, old, old);
    const touch = { path: `${d}/t`, state: 'touch' };
    const plan = await planModule(fileModule, touch, { host, baseDir: d });
    assert.deepEqual(plan.changes.map((c) => c.property), ['timestamps']);
    assert.equal((await fs.stat(`${d}/t`)).mtimeMs, old.getTime(), '--check touched the times');
    const r = await runModule(fileModule, touch, { host, baseDir: d });
    assert.equal(r.status, 'changed', r.message);
    const st = await fs.stat(`${d}/t`);
    assert.ok(st.mtimeMs > old.getTime() && st.atimeMs > old.getTime(), 'times not set to now');
    assert.equal(await fs.readFile(`${d}/t`, 'utf8'), 'keep');
    assert.equal((await runModule(fileModule, touch, { host, baseDir: d })).status, 'changed', 'the second touch is a change too');
    await fs.utimes(`${d}/t`, old, old);
    const onlyM = await runModule(fileModule, { ...touch, access_time: 'preserve' }, { host, baseDir: d });
    assert.equal(onlyM.status, 'changed');
    assert.equal((await fs.stat(`${d}/t`)).atimeMs, old.getTime(), 'access_time: preserve kept');
    assert.ok((await fs.stat(`${d}/t`)).mtimeMs > old.getTime());
    const kept = await runModule(fileModule, { ...touch, access_time: 'preserve', modification_time: 'preserve' }, { host, baseDir: d });
    assert.equal(kept.status, 'ok');
    const dirNow = await runModule(fileModule, { path: d, state: 'directory', modification_time: 'now' }, { host, baseDir: d });
    assert.equal(dirNow.status, 'changed');
  } finally {
    await removeDir(d);
  }
});
