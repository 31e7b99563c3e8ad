import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { statModule } from '../../modules/stat.js';
import { runModule } from '../helpers/module-harness.js';
import { host, removeDir, snapshot, tempDir } from './file-fixtures.js';

test('stat: file, directory, link, missing; never changes anything', async () => {
  const d = await tempDir();
  try {
    await fs.writeFile(`${d}/f`, 'content\n');
    await fs.chmod(`${d}/f`, 0o640);
    await fs.chown(`${d}/f`, 65534, 65534);
    await fs.symlink('f', `${d}/l`);
    const before = await snapshot(d);
    const f = (await runModule(statModule, { path: `${d}/f` }, { host, baseDir: d }));
    assert.equal(f.status, 'ok');
    const s = f.result.stat as Record<string, unknown>;
    assert.deepEqual(
      { exists: s.exists, isreg: s.isreg, isdir: s.isdir, islnk: s.islnk, mode: s.mode, pw_name: s.pw_name, gr_name: s.gr_name, size: s.size },
      { exists: true, isreg: true, isdir: false, islnk: false, mode: '0640', pw_name: 'nobody', gr_name: 'nogroup', size: 8 },
    );
    assert.equal(s.checksum, createHash('sha1').update('content\n').digest('hex'));
    const l = (await runModule(statModule, { path: `${d}/l` }, { host, baseDir: d })).result.stat as Record<string, unknown>;
    assert.equal(l.islnk, true);
    assert.equal(l.lnk_source, `${d}/f`);
    assert.equal(l.checksum, undefined);
    const lf = (await runModule(statModule, { path: `${d}/l`, follow: true }, { host, baseDir: d })).result.stat as Record<string, unknown>;
    assert.equal(lf.isreg, true);
    assert.equal(lf.checksum, s.checksum);
    const dir = (await runModule(statModule, { path: d, get_checksum: false }, { host, baseDir: d })).result.stat as Record<string, unknown>;
    assert.equal(dir.isdir, true);
    const none = await runModule(statModule, { path: `${d}/missing` }, { host, baseDir: d });
    assert.deepEqual(none.result.stat, { exists: false });
    assert.deepEqual(await snapshot(d), before);
  } finally {
    await removeDir(d);
  }
});
