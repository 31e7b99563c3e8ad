import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { lineinfileModule } from '../../modules/lineinfile.js';
import { runModule } from '../helpers/module-harness.js';
import { cycle, host, removeDir, snapshot, tempDir } from './file-fixtures.js';

// (initial content, params) -> expected content; every row goes through check -> run -> re-plan.
const rows: Array<{ name: string; initial: string | null; params: Record<string, unknown>; expected: string; props?: string[] }> = [
  { name: 'append a missing line', initial: 'a\nb\n', params: { line: 'c' }, expected: 'a\nb\nc\n' },
  { name: 'append to a file without final newline', initial: 'a', params: { line: 'c' }, expected: 'a\nc\n' },
  { name: 'replace the last regexp match', initial: 'PermitRootLogin yes\n#x\nPermitRootLogin maybe\n', params: { regexp: '^PermitRootLogin', line: 'PermitRootLogin no' }, expected: 'PermitRootLogin yes\n#x\nPermitRootLogin no\n' },
  { name: 'firstmatch replaces the first', initial: 'k=1\nk=2\n', params: { regexp: '^k=', line: 'k=9', firstmatch: true }, expected: 'k=9\nk=2\n' },
  { name: 'insertafter a regex', initial: '[main]\nx=1\n[other]\n', params: { line: 'y=2', insertafter: '^\\[main\\]' }, expected: '[main]\ny=2\nx=1\n[other]\n' },
  { name: 'insertbefore a regex', initial: 'a\nEND\n', params: { line: 'b', insertbefore: '^END$' }, expected: 'a\nb\nEND\n' },
  { name: 'insertbefore BOF', initial: 'a\n', params: { line: '# managed', insertbefore: 'BOF' }, expected: '# managed\na\n' },
  { name: 'insertafter without a match goes to EOF', initial: 'a\n', params: { line: 'b', insertafter: '^nomatch' }, expected: 'a\nb\n' },
  { name: 'backrefs with a named Python group', initial: 'GRUB_CMDLINE="quiet"\n', params: { regexp: '^GRUB_CMDLINE="(?P<args>(?:(?!console=ttyS0).)*)"$', line: 'GRUB_CMDLINE="\\g<args> console=ttyS0"', backrefs: true }, expected: 'GRUB_CMDLINE="quiet console=ttyS0"\n' },
  { name: 'regexp not matching its own line is not added twice', initial: 'x\n', params: { regexp: '^old_setting', line: 'new_setting=1' }, expected: 'x\nnew_setting=1\n' },
  { name: 'absent by regexp removes all matches', initial: 'a\n#1\nb\n#2\n', params: { regexp: '^#', state: 'absent' }, expected: 'a\nb\n' },
  { name: 'absent by line', initial: 'a\nb\n', params: { line: 'b', state: 'absent' }, expected: 'a\n' },
  { name: 'search_string replaces a literal', initial: 'listen 1.2.3.4:80;\n', params: { search_string: '1.2.3.4', line: 'listen 10.0.0.1:80;' }, expected: 'listen 10.0.0.1:80;\n' },
  { name: 'create a missing file with mode', initial: null, params: { line: 'only', create: true, mode: '0600' }, expected: 'only\n', props: ['content', 'mode'] },
  { name: 'CRLF line endings kept on replace', initial: 'a=1\r\nb=2\r\n', params: { regexp: '^a=', line: 'a=3' }, expected: 'a=3\r\nb=2\r\n' },
];

for (const r of rows) {
  test(`lineinfile: ${r.name}`, async () => {
    const d = await tempDir();
    try {
      if (r.initial !== null) await fs.writeFile(`${d}/f`, r.initial);
      await cycle(lineinfileModule, { path: `${d}/f`, ...r.params }, d, r.props ?? ['content']);
      assert.equal(await fs.readFile(`${d}/f`, 'utf8'), r.expected);
    } finally {
      await removeDir(d);
    }
  });
}

const inSync: Array<{ name: string; initial: string; params: Record<string, unknown> }> = [
  { name: 'line already present', initial: 'a\nb\n', params: { line: 'a' } },
  { name: 'backrefs without a match leaves the file', initial: 'a\n', params: { regexp: '^zzz(.*)', line: '\\1', backrefs: true } },
  { name: 'absent line not there', initial: 'a\n', params: { line: 'b', state: 'absent' } },
];
for (const r of inSync) {
  test(`lineinfile in sync: ${r.name}`, async () => {
    const d = await tempDir();
    try {
      await fs.writeFile(`${d}/f`, r.initial);
      await cycle(lineinfileModule, { path: `${d}/f`, ...r.params }, d, []);
      assert.equal(await fs.readFile(`${d}/f`, 'utf8'), r.initial);
    } finally {
      await removeDir(d);
    }
  });
}

test('lineinfile: missing file without create fails; validate failure keeps the file; backup; link followed', async () => {
  const d = await tempDir();
  try {
    const m = await runModule(lineinfileModule, { path: `${d}/nope`, line: 'x' }, { host, baseDir: d });
    assert.equal(m.status, 'failed');
    assert.match(m.message!, /does not exist \(create: true creates it\)/);

    await fs.writeFile(`${d}/conf`, 'good=1\n');
    const before = await snapshot(d);
    const v = await runModule(lineinfileModule, { path: `${d}/conf`, line: 'bad', validate: "sh -c 'echo REJECTED: $(tail -1 \"$1\") >&2; exit 2' x %s" }, { host, baseDir: d });
    assert.equal(v.status, 'failed');
    assert.match(v.message!, /REJECTED: bad/);
    assert.deepEqual(await snapshot(d), before);

    const b = await runModule(lineinfileModule, { path: `${d}/conf`, line: 'more=2', backup: true }, { host, baseDir: d });
    assert.equal(b.status, 'changed');
    assert.equal(await fs.readFile(String(b.result.backup_file), 'utf8'), 'good=1\n');

    await fs.symlink('conf', `${d}/alias`);
    await cycle(lineinfileModule, { path: `${d}/alias`, line: 'via=link' }, d, ['content']);
    assert.ok((await fs.lstat(`${d}/alias`)).isSymbolicLink());
    assert.match(await fs.readFile(`${d}/conf`, 'utf8'), /via=link\n$/);
  } finally {
    await removeDir(d);
  }
});
