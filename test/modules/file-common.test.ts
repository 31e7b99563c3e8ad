import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { parseMode, formatMode } from '../../modules/common/mode.js';
import { splitWords } from '../../modules/common/words.js';
import { validateArgv, runValidate } from '../../modules/common/validate.js';
import { hasSecretName, planContent } from '../../modules/common/content.js';
import { planAttributes } from '../../modules/common/attributes.js';
import { backupName } from '../../modules/common/paths.js';
import { pythonRegExp, expandMatch } from '../../modules/common/python-regex.js';
import { host, removeDir, snapshot, tempDir } from './file-fixtures.js';

test('parseMode: integers as YAML 1.1 gives them, octal strings, symbolic', () => {
  const rows: Array<[string | number, number | undefined, boolean, number]> = [
    [420, undefined, false, 0o644], // YAML 1.1 `0644`
    [0o1777, undefined, true, 0o1777],
    ['0644', undefined, false, 0o644],
    ['644', undefined, false, 0o644],
    ['02755', undefined, true, 0o2755],
    ['0o750', undefined, true, 0o750],
    ['u=rw,g=r,o=r', 0o777, false, 0o644],
    ['u+x', 0o644, false, 0o744],
    ['go-w', 0o666, false, 0o644],
    ['a+rX', 0o600, false, 0o644],
    ['a+rX', 0o600, true, 0o755],
    ['a+rX', 0o700, false, 0o755],
    ['g=u', 0o640, false, 0o660],
    ['u+s,o+t', 0o755, true, 0o5755],
    ['=r', 0o777, false, 0o444],
    ['o=', 0o777, false, 0o770],
  ];
  for (const [mode, current, isDir, want] of rows) assert.equal(formatMode(parseMode(mode, current, isDir)), formatMode(want), String(mode));
  assert.throws(() => parseMode('u+q'), /invalid symbolic mode/);
  assert.throws(() => parseMode(0o17777), /not a valid permission/);
  assert.throws(() => parseMode('rwxr-xr-x'), /invalid symbolic mode/);
});

test('splitWords: shell-like quoting without expansion', () => {
  const rows: Array<[string, string[]]> = [
    ['ls -l /tmp', ['ls', '-l', '/tmp']],
    [`echo 'a b' "c d"`, ['echo', 'a b', 'c d']],
    [`echo "x \\"y\\" \\$HOME $HOME"`, ['echo', 'x "y" $HOME $HOME']],
    ['a\\ b c', ['a b', 'c']],
    [`'' ""`, ['', '']],
    ['  spaced   out  ', ['spaced', 'out']],
    ['echo $(rm -rf /) `x` ; | >', ['echo', '$(rm', '-rf', '/)', '`x`', ';', '|', '>']],
    [`'it'"'"'s'`, ["it's"]],
  ];
  for (const [text, words] of rows) assert.deepEqual(splitWords(text), words, text);
  assert.throws(() => splitWords(`echo 'open`), /unterminated single quote/);
  assert.throws(() => splitWords('echo "open'), /unterminated double quote/);
});

test('validateArgv: %s is one argument however strange the path', () => {
  const p = `/etc/it's "odd" $(x) dir/.f.converge-validate-1`;
  assert.deepEqual(validateArgv('visudo -cf %s', p), ['visudo', '-cf', p]);
  assert.deepEqual(validateArgv("sh -c 'test -s \"$1\"' x --file=%s", p), ['sh', '-c', 'test -s "$1"', 'x', `--file=${p}`]);
  assert.throws(() => validateArgv('nginx -t', p), /must contain %s/);
});

test('runValidate: temp file in /tmp when the target directory does not exist yet, and is removed', async () => {
  const d = await tempDir();
  try {
    const before = await snapshot(d);
    await runValidate(host, "sh -c 'case \"$1\" in /tmp/.x.conf.converge-*.tmp) grep -q ok \"$1\";; *) exit 9;; esac' v %s", Buffer.from('ok\n'), `${d}/missing/x.conf`);
    await assert.rejects(runValidate(host, 'grep -q ok %s', Buffer.from('no\n'), `${d}/x.conf`), /validation failed \(rc 1 from: grep -q ok %s\), .*x\.conf left unchanged: \(no output\)/);
    assert.deepEqual(await snapshot(d), before);
    assert.deepEqual((await fs.readdir('/tmp')).filter((n) => n.startsWith('.x.conf.converge-')), []);
  } finally {
    await removeDir(d);
  }
});

test('secret names and content plans', async () => {
  for (const n of ['/root/.ssh/id_ed25519', '/etc/ssl/private/server.key', '/etc/x/tls.pem', '/etc/shadow', '/etc/gshadow-', '/etc/app/client_secret.json']) assert.ok(hasSecretName(n), n);
  for (const n of ['/root/.ssh/id_ed25519.pub', '/etc/hosts', '/etc/keys.conf']) assert.ok(!hasSecretName(n), n);
  const d = await tempDir();
  try {
    await fs.writeFile(`${d}/a`, 'same');
    assert.equal(await planContent(host, `${d}/a`, Buffer.from('same')), null);
    const c = await planContent(host, `${d}/new`, Buffer.from('x\n'));
    assert.equal(c!.before, undefined);
    assert.match(c!.diff!, /\+x/);
    const big = await planContent(host, `${d}/a`, Buffer.alloc(300 * 1024, 'a'));
    assert.match(big!.diff!, /^binary or large content changed: 4 bytes -> 307200 bytes/);
  } finally {
    await removeDir(d);
  }
});

test('planAttributes: names before/after; a user from an earlier task in --check', async () => {
  const d = await tempDir();
  try {
    await fs.writeFile(`${d}/a`, '');
    await fs.chmod(`${d}/a`, 0o644);
    const st = await host.stat(`${d}/a`);
    assert.deepEqual(await planAttributes(host, `${d}/a`, st, { mode: '0600', owner: 'nobody', group: 'root' }), [
      { property: 'owner', before: 'root', after: 'nobody' },
      { property: 'mode', before: '0644', after: '0600' },
    ]);
    const { Ledger } = await import('../../src/engine/ledger.js');
    const ledger = new Ledger();
    ledger.record(2, [{ kind: 'user', name: 'slurm-filemod' }]);
    const later = await planAttributes(host, `${d}/a`, st, { owner: 'slurm-filemod' }, { check: true, ledger });
    assert.equal(later[0].afterTask, 2);
    await assert.rejects(planAttributes(host, `${d}/a`, st, { owner: 'slurm-filemod' }), /owner 'slurm-filemod' does not exist/);
  } finally {
    await removeDir(d);
  }
});

test('backupName and Python regexps', () => {
  assert.equal(backupName('/etc/x', new Date(2024, 0, 2, 3, 4, 5)), '/etc/x.2024-01-02@03:04:05~');
  const m = pythonRegExp('(?i)^(?P<key>\\w+)\\s*=\\s*(?P=key)\\Z').exec('Same = Same');
  assert.ok(m);
  assert.equal(expandMatch(pythonRegExp('^(\\w+)=(?P<v>.*)$').exec('a=b')!, '\\g<v>:\\1\\t\\g<2>'), 'b:a\tb');
  assert.throws(() => pythonRegExp('(unclosed'), /regexp is not a valid regular expression/);
});
