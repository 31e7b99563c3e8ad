import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { copyModule } from '../../modules/copy.js';
import { templateModule } from '../../modules/template.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { cycle, host, removeDir, snapshot, tempDir } from './file-fixtures.js';

interface Case {
  name: string;
  setup?: (d: string) => Promise<void>;
  params: (d: string) => Record<string, unknown>;
  expect: string[];
  after?: (d: string) => Promise<void>;
}

const cases: Case[] = [
  {
    name: 'content into a new file with mode',
    params: (d) => ({ content: 'hello\n', dest: `${d}/a.conf`, mode: '0640' }),
    expect: ['content', 'mode'],
    after: async (d) => {
      assert.equal(await fs.readFile(`${d}/a.conf`, 'utf8'), 'hello\n');
      assert.equal((await fs.stat(`${d}/a.conf`)).mode & 0o777, 0o640);
    },
  },
  {
    name: 'YAML 1.1 integer mode 0644 (= 420)',
    setup: async (d) => { await fs.writeFile(`${d}/a`, 'x'); await fs.chmod(`${d}/a`, 0o600); },
    params: (d) => ({ content: 'x', dest: `${d}/a`, mode: 420 }),
    expect: ['mode'],
    after: async (d) => assert.equal((await fs.stat(`${d}/a`)).mode & 0o777, 0o644),
  },
  {
    name: 'content, mode, owner and group change together',
    setup: async (d) => { await fs.writeFile(`${d}/a`, 'old\n'); await fs.chmod(`${d}/a`, 0o644); },
    params: (d) => ({ content: 'new\n', dest: `${d}/a`, mode: 'u=rw,g=,o=', owner: 'nobody', group: 'nogroup' }),
    expect: ['content', 'mode', 'owner', 'group'],
    after: async (d) => {
      const st = await fs.stat(`${d}/a`);
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal(st.uid, 65534);
      assert.equal(await fs.readFile(`${d}/a`, 'utf8'), 'new\n');
    },
  },
  {
    name: 'src from files/ into a directory dest',
    setup: async (d) => {
      await fs.mkdir(`${d}/files`); await fs.writeFile(`${d}/files/motd`, 'welcome\n');
      await fs.mkdir(`${d}/etc`);
    },
    params: (d) => ({ src: 'motd', dest: `${d}/etc` }),
    expect: ['content'],
    after: async (d) => assert.equal(await fs.readFile(`${d}/etc/motd`, 'utf8'), 'welcome\n'),
  },
  {
    name: 'dest ending in / creates the directory',
    setup: async (d) => { await fs.writeFile(`${d}/motd`, 'hi\n'); },
    params: (d) => ({ src: 'motd', dest: `${d}/new/sub/`, directory_mode: '0750' }),
    expect: ['state:DIR/new', 'state:DIR/new/sub', 'content'],
    after: async (d) => {
      assert.equal(await fs.readFile(`${d}/new/sub/motd`, 'utf8'), 'hi\n');
      assert.equal((await fs.stat(`${d}/new/sub`)).mode & 0o777, 0o750);
    },
  },
  {
    name: 'force: false leaves differing content alone',
    setup: async (d) => { await fs.writeFile(`${d}/a`, 'mine\n'); },
    params: (d) => ({ content: 'theirs\n', dest: `${d}/a`, force: false }),
    expect: [],
    after: async (d) => assert.equal(await fs.readFile(`${d}/a`, 'utf8'), 'mine\n'),
  },
  {
    name: 'backup keeps the old file',
    setup: async (d) => { await fs.writeFile(`${d}/a`, 'v1\n'); },
    params: (d) => ({ content: 'v2\n', dest: `${d}/a`, backup: true }),
    expect: ['content'],
    after: async (d) => {
      const names = (await fs.readdir(d)).filter((n) => /^a\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/.test(n));
      assert.equal(names.length, 1);
      assert.equal(await fs.readFile(`${d}/${names[0]}`, 'utf8'), 'v1\n');
    },
  },
  {
    name: 'a link at dest is replaced by a file (follow: false)',
    setup: async (d) => { await fs.writeFile(`${d}/target`, 't\n'); await fs.symlink('target', `${d}/a`); },
    params: (d) => ({ content: 'c\n', dest: `${d}/a` }),
    expect: ['state', 'content'],
    after: async (d) => {
      assert.ok((await fs.lstat(`${d}/a`)).isFile());
      assert.equal(await fs.readFile(`${d}/target`, 'utf8'), 't\n');
    },
  },
  {
    name: 'follow: true writes through the link',
    setup: async (d) => { await fs.writeFile(`${d}/target`, 't\n'); await fs.symlink('target', `${d}/a`); },
    params: (d) => ({ content: 'c\n', dest: `${d}/a`, follow: true }),
    expect: ['content'],
    after: async (d) => {
      assert.ok((await fs.lstat(`${d}/a`)).isSymbolicLink());
      assert.equal(await fs.readFile(`${d}/target`, 'utf8'), 'c\n');
    },
  },
  {
    name: 'passing validate',
    params: (d) => ({ content: 'needle here\n', dest: `${d}/v.conf`, validate: 'grep -q needle %s' }),
    expect: ['content'],
  },
];

for (const c of cases) {
  test(`copy: ${c.name}`, async () => {
    const d = await tempDir();
    try {
      await c.setup?.(d);
      await cycle(copyModule, c.params(d), d, c.expect.map((e) => e.replace('DIR', d)));
      await c.after?.(d);
    } finally {
      await removeDir(d);
    }
  });
}

test('copy: diff shows the lines, secrets and binaries do not', async () => {
  const d = await tempDir();
  try {
    await fs.writeFile(`${d}/a`, 'one\ntwo\n');
    const p = await planModule(copyModule, { content: 'one\nthree\n', dest: `${d}/a` }, { host, baseDir: d });
    const diff = p.changes[0].diff!;
    assert.match(diff, new RegExp(`--- before: ${d}/a`));
    assert.match(diff, /-two\n\+three/);
    const s = await planModule(copyModule, { content: 'PRIVATE\n', dest: `${d}/id_rsa` }, { host, baseDir: d });
    assert.match(s.changes[0].diff!, /diff hidden: key-like name/);
    assert.doesNotMatch(s.changes[0].diff!, /PRIVATE/);
    const m = await planModule(copyModule, { content: 'PRIVATE\n', dest: `${d}/x.conf`, mode: '0600' }, { host, baseDir: d });
    assert.match(m.changes.find((c) => c.property === 'content')!.diff!, /diff hidden: mode 0600/);
    const shown = await planModule(copyModule, { content: 'PRIVATE\n', dest: `${d}/x.conf`, mode: '0600', show_diff_of_secret: true }, { host, baseDir: d });
    assert.match(shown.changes.find((c) => c.property === 'content')!.diff!, /\+PRIVATE/);
    await fs.writeFile(`${d}/bin`, Buffer.from([0, 1, 2, 255]));
    const b = await planModule(copyModule, { src: 'bin', dest: `${d}/bin2` }, { host, baseDir: d });
    assert.match(b.changes[0].diff!, /^binary or large content changed: absent -> 4 bytes/);
  } finally {
    await removeDir(d);
  }
});

test('copy: failing validate leaves the old file byte-identical and reports the validator output', async () => {
  const d = await tempDir();
  try {
    await fs.writeFile(`${d}/sudoers`, 'old content\n');
    await fs.chmod(`${d}/sudoers`, 0o440);
    const before = await snapshot(d);
    const params = { content: 'broken\n', dest: `${d}/sudoers`, validate: "sh -c 'echo BAD SYNTAX near line 1 >&2; exit 1' x %s" };
    await assert.rejects(planModule(copyModule, params, { host, baseDir: d }), /BAD SYNTAX near line 1/);
    const out = await runModule(copyModule, params, { host, baseDir: d });
    assert.equal(out.status, 'failed');
    assert.match(out.message!, /BAD SYNTAX near line 1/);
    assert.match(out.message!, /rc 1/);
    assert.deepEqual(await snapshot(d), before);
    // grep as a real validator: the needle is missing from the new content.
    const g = await runModule(copyModule, { content: 'hay\n', dest: `${d}/sudoers`, validate: 'grep -q needle %s' }, { host, baseDir: d });
    assert.equal(g.status, 'failed');
    assert.deepEqual(await snapshot(d), before);
  } finally {
    await removeDir(d);
  }
});

test('copy: the validator sees the file under a hidden temp name with the final mode', async () => {
  const d = await tempDir();
  try {
    const out = await runModule(copyModule, {
      content: 'x\n', dest: `${d}/t.conf`, mode: '0640',
      validate: `sh -c 'case "$(basename "$1")" in .t.conf.converge-*.tmp) ;; *) exit 3;; esac; [ "$(stat -c %a "$1")" = 640 ]' x %s`,
    }, { host, baseDir: d });
    assert.equal(out.status, 'changed', out.message);
    assert.deepEqual((await fs.readdir(d)).sort(), ['t.conf']);
  } finally {
    await removeDir(d);
  }
});

test('copy: a hostile file name is created literally, nothing is executed', async () => {
  const d = await tempDir();
  const pwnedName = `pwned-filemod-${process.pid}`;
  // A file name cannot hold a slash: the command substitution touches a relative name,
  // which would land in the cwd of a shell (the test process or the temp dir).
  const pwned = [path.resolve(pwnedName), `/tmp/${pwnedName}`];
  try {
    const name = `it's a "file" with spaces $(touch ${pwnedName}) ;x`;
    await cycle(copyModule, { content: 'safe\n', dest: `${d}/${name}`, validate: 'grep -q safe %s' }, d, ['content']);
    assert.equal(await fs.readFile(path.join(d, name), 'utf8'), 'safe\n');
    for (const p of [...pwned, path.join(d, pwnedName)]) await assert.rejects(fs.stat(p));
  } finally {
    await removeDir(d);
    for (const p of pwned) await fs.rm(p, { force: true });
  }
});

test('copy: missing src names the paths tried; missing parent fails, or is predicted from the ledger in --check', async () => {
  const d = await tempDir();
  try {
    const r = await runModule(copyModule, { src: 'nope.conf', dest: `${d}/x` }, { host, baseDir: d });
    assert.equal(r.status, 'failed');
    assert.match(r.message!, /nope\.conf.*files\/nope\.conf/);
    const m = await runModule(copyModule, { content: 'x', dest: `${d}/no/such/x` }, { host, baseDir: d });
    assert.match(m.message!, /destination directory .*\/no\/such does not exist/);
    const { Ledger } = await import('../../src/engine/ledger.js');
    const ledger = new Ledger();
    ledger.record(3, [{ kind: 'path', name: `${d}/no` }]);
    const p = await planModule(copyModule, { content: 'x\n', dest: `${d}/no/such/x`, validate: 'grep -q x %s' }, { host, baseDir: d, ledger });
    assert.equal(p.changes[0].afterTask, 3);
    assert.deepEqual(p.provides, [{ kind: 'path', name: `${d}/no/such/x` }]);
  } finally {
    await removeDir(d);
  }
});

test('template: renders from templates/ with variables, then converges', async () => {
  const d = await tempDir();
  try {
    await fs.mkdir(`${d}/templates`);
    await fs.writeFile(`${d}/templates/dhcpd.conf.j2`, 'subnet {{ net }} {\n{% for h in hosts %}\n  host {{ h }};\n{% endfor %}\n}\n');
    const vars = { net: '10.0.0.0', hosts: ['n1', 'n2'] };
    await cycle(templateModule, { src: 'dhcpd.conf.j2', dest: `${d}/dhcpd.conf`, mode: '0644' }, d, ['content', 'mode'], { vars });
    assert.equal(await fs.readFile(`${d}/dhcpd.conf`, 'utf8'), 'subnet 10.0.0.0 {\n  host n1;\n  host n2;\n}\n');
    // A directory dest receives the file under the template's name, as in Ansible.
    await fs.mkdir(`${d}/etc`);
    await cycle(templateModule, { src: 'dhcpd.conf.j2', dest: `${d}/etc` }, d, ['content'], { vars });
    assert.ok((await fs.stat(`${d}/etc/dhcpd.conf.j2`)).isFile());
  } finally {
    await removeDir(d);
  }
});

test('template: failing validate in --check and real runs, old file intact', async () => {
  const d = await tempDir();
  try {
    await fs.writeFile(`${d}/t.j2`, 'value={{ v }}\n');
    await fs.writeFile(`${d}/out.conf`, 'value=good\n');
    const before = await snapshot(d);
    const params = { src: 't.j2', dest: `${d}/out.conf`, validate: 'grep -q value=good %s' };
    await assert.rejects(planModule(templateModule, params, { host, baseDir: d, vars: { v: 'bad' } }), /validation failed/);
    const r = await runModule(templateModule, params, { host, baseDir: d, vars: { v: 'bad' } });
    assert.equal(r.status, 'failed');
    assert.deepEqual(await snapshot(d), before);
  } finally {
    await removeDir(d);
  }
});

test('copy: a directory src is copied recursively (dir/ copies contents, dir the directory itself)', async () => {
  const d = await tempDir();
  try {
    await fs.mkdir(`${d}/files/ipxe/menus`, { recursive: true });
    await fs.writeFile(`${d}/files/ipxe/boot.ipxe`, '#!ipxe\n');
    await fs.writeFile(`${d}/files/ipxe/menus/main.ipxe`, 'menu\n');
    await fs.chmod(`${d}/files/ipxe/boot.ipxe`, 0o755);
    await fs.mkdir(`${d}/srv`);
    const { plan } = await cycle(copyModule, { src: 'ipxe', dest: `${d}/srv`, directory_mode: '0750', mode: 'preserve' }, d, [
      `state:${d}/srv/ipxe`, `content:${d}/srv/ipxe/boot.ipxe`, `mode:${d}/srv/ipxe/boot.ipxe`,
      `state:${d}/srv/ipxe/menus`, `content:${d}/srv/ipxe/menus/main.ipxe`, `mode:${d}/srv/ipxe/menus/main.ipxe`,
    ]);
    assert.match(plan.find((c) => c.property === `content:${d}/srv/ipxe/menus/main.ipxe`)!.diff!, /\+menu/);
    assert.equal((await fs.stat(`${d}/srv/ipxe/boot.ipxe`)).mode & 0o777, 0o755);
    assert.equal((await fs.stat(`${d}/srv/ipxe/menus`)).mode & 0o777, 0o750);
    // Contents only, into a directory that does not exist yet; then one file changes.
    await cycle(copyModule, { src: 'ipxe/', dest: `${d}/tftp`, owner: 'nobody' }, d, [
      `state:${d}/tftp`, `content:${d}/tftp/boot.ipxe`, `owner:${d}/tftp/boot.ipxe`,
      `state:${d}/tftp/menus`, `content:${d}/tftp/menus/main.ipxe`, `owner:${d}/tftp/menus/main.ipxe`,
    ]);
    assert.equal((await fs.stat(`${d}/tftp/menus`)).uid, 65534);
    await fs.writeFile(`${d}/files/ipxe/menus/main.ipxe`, 'menu v2\n');
    await cycle(copyModule, { src: 'ipxe/', dest: `${d}/tftp`, owner: 'nobody' }, d, [`content:${d}/tftp/menus/main.ipxe`]);
  } finally {
    await removeDir(d);
  }
});

test('copy --check on a fresh host: parents, remote src and validators that earlier package tasks bring', async () => {
  const d = await tempDir();
  try {
    const { Ledger } = await import('../../src/engine/ledger.js');
    const ledger = new Ledger();
    ledger.record(2, [{ kind: 'package', name: 'nginx' }]);
    const ctx = { host, baseDir: d, ledger };
    const conf = await planModule(copyModule, { content: 'server {}\n', dest: `${d}/etc/nginx/conf.d/boot.conf`, validate: 'nginx-not-installed-filemod -t -c %s' }, ctx);
    assert.equal(conf.changes[0].property, 'content');
    assert.equal(conf.changes[0].afterTask, 2);
    assert.match(conf.changes[0].summary!, /validator not installed yet.*expected from a package of task 2/);
    const ipxe = await planModule(copyModule, { src: `${d}/usr/lib/ipxe/undionly.kpxe`, remote_src: true, dest: `${d}/boot.kpxe` }, ctx);
    assert.equal(ipxe.changes[0].afterTask, 2);
    assert.match(ipxe.changes[0].summary!, /src expected from a package of task 2/);
    ledger.record(3, [{ kind: 'path', name: `${d}/libexec/check-conf` }]);
    const script = await planModule(copyModule, { content: 'x\n', dest: `${d}/x.conf`, validate: `${d}/libexec/check-conf %s` }, ctx);
    assert.equal(script.changes[0].afterTask, 3);
    // Without any earlier task, the same plans fail as they would for real.
    await assert.rejects(planModule(copyModule, { content: 'x', dest: `${d}/etc/nginx/conf.d/boot.conf` }, { host, baseDir: d }), /destination directory .* does not exist/);
    await assert.rejects(planModule(copyModule, { content: 'x\n', dest: `${d}/x.conf`, validate: 'nginx-not-installed-filemod -t -c %s' }, { host, baseDir: d }), /validation failed \(rc 127/);
    assert.deepEqual(await fs.readdir(d), []);
  } finally {
    await removeDir(d);
  }
});

test('copy remote_src of a large file: compared by the checksums the host computes, read only when it is written, as planned', async () => {
  const d = await tempDir();
  try {
    const { makeModuleContext } = await import('../../src/engine/context.js');
    const { validateModuleParams } = await import('../../src/config/module-params.js');
    const src = `${d}/ipxe.efi`;
    const dest = `${d}/tftp.efi`;
    const bytes = (fill: number) => Buffer.alloc(300 * 1024, fill);
    await fs.writeFile(src, bytes(1));
    await cycle(copyModule, { src, remote_src: true, dest }, d, ['content']);
    assert.ok((await fs.readFile(dest)).equals(bytes(1)));
    // Planned with a host that counts the files read whole.
    const reads: string[] = [];
    const counting = new Proxy(host, {
      get: (t, k) => (k === 'readFile' ? (p: string) => { reads.push(p); return t.readFile(p); } : Reflect.get(t, k)),
    });
    const params = validateModuleParams(copyModule, { src, remote_src: true, dest }) as Parameters<typeof copyModule.plan>[0];
    const plan = (check: boolean) => copyModule.plan(params, makeModuleContext({ host: counting, baseDir: d, check }));
    assert.deepEqual((await plan(false)).changes, []);
    await fs.writeFile(src, bytes(2));
    const checked = await plan(true);
    assert.equal(checked.changes[0].diff, `binary or large content changed: ${300 * 1024} bytes -> ${300 * 1024} bytes (sha1 ${checked.changes[0].after})`);
    assert.deepEqual(reads, [], 'no file read whole for a no-change plan or --check');
    // A plan that will write reads the source once; the write is what that plan showed, even if the source changed since.
    const real = await plan(false);
    assert.deepEqual(reads, [src]);
    await fs.writeFile(src, bytes(3));
    await copyModule.apply!(params, real, makeModuleContext({ host: counting, baseDir: d }));
    assert.ok((await fs.readFile(dest)).equals(bytes(2)), 'the planned content');
    assert.deepEqual((await fs.readdir(d)).sort(), ['ipxe.efi', 'tftp.efi'], 'no temp file left');
    await cycle(copyModule, { src, remote_src: true, dest }, d, ['content']);
    assert.ok((await fs.readFile(dest)).equals(bytes(3)));
  } finally {
    await removeDir(d);
  }
});
