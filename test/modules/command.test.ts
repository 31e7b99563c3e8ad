import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { commandModule, shellModule } from '../../modules/command.js';
import { Ledger } from '../../src/engine/ledger.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { host, removeDir, snapshot, tempDir } from './file-fixtures.js';

test('command: runs without a shell, quoting groups words, $() stays literal', async () => {
  const d = await tempDir();
  try {
    const params = { cmd: `printf '%s|' "a b" 'c d' $(touch ${d}/pwned) $HOME` };
    const p = await planModule(commandModule, params, { host, baseDir: d });
    assert.equal(p.changes[0].summary, `would run: printf '%s|' 'a b' 'c d' '$(touch' '${d}/pwned)' '$HOME'`);
    assert.deepEqual(await fs.readdir(d), [], 'check mode ran the command');
    const r = await runModule(commandModule, params, { host, baseDir: d });
    assert.equal(r.status, 'changed');
    assert.equal(r.result.stdout, `a b|c d|$(touch|${d}/pwned)|$HOME|`);
    assert.deepEqual(await fs.readdir(d), []);
    assert.equal(r.result.rc, 0);
    assert.match(String(r.result.delta), /^0:00:\d\d\.\d{6}$/);
  } finally {
    await removeDir(d);
  }
});

test('shell: pipes and redirections, chdir, stdin, result lines', async () => {
  const d = await tempDir();
  try {
    const r = await runModule(shellModule, { cmd: 'cat | tr a-z A-Z > out; cat out; echo warn >&2', chdir: d, stdin: 'hello\nworld' }, { host, baseDir: d });
    assert.equal(r.status, 'changed', r.message);
    assert.deepEqual(r.result.stdout_lines, ['HELLO', 'WORLD']);
    assert.deepEqual(r.result.stderr_lines, ['warn']);
    assert.equal(await fs.readFile(`${d}/out`, 'utf8'), 'HELLO\nWORLD\n');
    const bash = await runModule(shellModule, { cmd: 'echo "${BASH_VERSION:+bash}"', executable: '/bin/bash' }, { host, baseDir: d });
    assert.equal(bash.result.stdout, 'bash');
  } finally {
    await removeDir(d);
  }
});

test('command: non-zero exit fails with rc and the first stderr line; missing binary fails', async () => {
  const d = await tempDir();
  try {
    const r = await runModule(commandModule, { argv: ['sh', '-c', 'echo first problem >&2; echo more >&2; exit 2'] }, { host, baseDir: d });
    assert.equal(r.status, 'failed');
    assert.equal(r.message, 'non-zero return code 2: first problem');
    assert.equal(r.result.rc, 2);
    const m = await runModule(commandModule, { cmd: 'no-such-binary-filemod --x' }, { host, baseDir: d });
    assert.equal(m.status, 'failed');
    assert.match(m.message!, /non-zero return code 127/);
  } finally {
    await removeDir(d);
  }
});

test('command: creates/removes skip, relative to chdir; a glob in creates', async () => {
  const d = await tempDir();
  try {
    const make = { cmd: `touch ${d}/made`, creates: `${d}/made` };
    const first = await runModule(commandModule, make, { host, baseDir: d });
    assert.equal(first.status, 'changed');
    const second = await planModule(commandModule, make, { host, baseDir: d });
    assert.equal(second.skip, `${d}/made exists`);
    const relative = await planModule(commandModule, { cmd: 'touch x', creates: 'made', chdir: d }, { host, baseDir: d });
    assert.equal(relative.skip, `${d}/made exists`);
    const glob = await planModule(shellModule, { cmd: 'false', creates: `${d}/ma*` }, { host, baseDir: d });
    assert.equal(glob.skip, `${d}/ma* exists`);
    const rm = await planModule(commandModule, { cmd: 'rm x', removes: `${d}/nothing` }, { host, baseDir: d });
    assert.equal(rm.skip, `${d}/nothing does not exist`);
    const runs = await runModule(commandModule, { argv: ['rm', `${d}/made`], removes: `${d}/made` }, { host, baseDir: d });
    assert.equal(runs.status, 'changed');
    await assert.rejects(fs.stat(`${d}/made`));
  } finally {
    await removeDir(d);
  }
});

test('command --check: nothing runs; creates predicted by the ledger skips; provides feed later tasks', async () => {
  const d = await tempDir();
  try {
    const before = await snapshot(d);
    const ledger = new Ledger();
    const p = await planModule(commandModule, { cmd: `touch ${d}/db`, creates: `${d}/db` }, { host, baseDir: d, ledger });
    assert.equal(p.changes.length, 1);
    assert.deepEqual(p.provides, [{ kind: 'path', name: `${d}/db` }]);
    ledger.record(4, p.provides!);
    const again = await planModule(commandModule, { cmd: `touch ${d}/db`, creates: `${d}/db` }, { host, baseDir: d, ledger });
    assert.equal(again.skip, `${d}/db would exist after task 4`);
    const rm = await planModule(commandModule, { cmd: `rm ${d}/db`, removes: `${d}/db` }, { host, baseDir: d, ledger });
    assert.equal(rm.changes[0].afterTask, 4);
    const cd = await planModule(shellModule, { cmd: 'ls', chdir: `${d}/db` }, { host, baseDir: d, ledger });
    assert.equal(cd.changes[0].afterTask, 4);
    assert.deepEqual(await snapshot(d), before);
    const bad = await runModule(shellModule, { cmd: 'ls', chdir: `${d}/nowhere` }, { host, baseDir: d });
    assert.match(bad.message!, /chdir .*nowhere is not a directory/);
  } finally {
    await removeDir(d);
  }
});
