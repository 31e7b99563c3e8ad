// The privileged shell's `reads` helper (src/host/ssh-sudo-files.ts), run here
// with sh as the shell would run it: many small files in one process (GNU tar,
// which opens each without following a link), or one dd each where there is no
// tar, with the same answers; links, FIFOs and what is not there any more are
// never read.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { regularFilesOfTar, SudoFiles } from '../../src/host/ssh-sudo-files.js';

let dir: string;
let noTar: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cvg-reads-'));
  // A PATH with what the dd way needs and no tar.
  noTar = path.join(dir, 'bin-without-tar');
  fs.mkdirSync(noTar);
  for (const tool of ['dd', 'stat']) fs.symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(noTar, tool));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** SudoFiles whose helpers run under sh -c with this PATH. */
function files(PATH: string): SudoFiles {
  return new SudoFiles(async (script, args) => {
    const r = spawnSync('/bin/sh', ['-c', script, 'sh', ...args], { env: { PATH } });
    return { rc: r.status ?? 1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
  });
}

test('reads gives each regular file whole, and nothing for links, FIFOs, missing names or files over the limit, with tar and without', async () => {
  const d = path.join(dir, 'kinds');
  fs.mkdirSync(d);
  const at = (n: string) => path.join(d, n);
  const long = at(`${'n'.repeat(120)}-long name with\nnewline`);
  fs.writeFileSync(at('small'), 'small\n');
  fs.writeFileSync(at('empty'), '');
  fs.writeFileSync(at('binary'), Buffer.from([0, 1, 2, 255, 0]));
  fs.writeFileSync(long, 'long\n');
  fs.writeFileSync(at('big'), Buffer.alloc(5000, 7));
  fs.linkSync(at('small'), at('hardlink'));
  fs.symlinkSync('small', at('link'));
  execFileSync('mkfifo', [at('fifo')]);
  const paths = [at('small'), at('empty'), at('binary'), long, at('big'), at('hardlink'), at('link'), at('fifo'), at('missing')];
  const want = [Buffer.from('small\n'), Buffer.alloc(0), Buffer.from([0, 1, 2, 255, 0]), Buffer.from('long\n'), undefined, Buffer.from('small\n'), undefined, undefined, undefined];
  const withTar = await files(process.env.PATH ?? '/usr/bin:/bin').reads(paths, 4096);
  assert.deepEqual(withTar, want);
  // dd reads one byte more than the limit (the caller sees the file is bigger): over the limit, not the same bytes.
  const withDd = await files(noTar).reads(paths, 4096);
  assert.deepEqual(withDd?.map((c, i) => (paths[i] === at('big') ? undefined : c)), want);
  assert.equal(withDd?.[4]?.length, 4097);
});

test('a tar stream that is cut short or altered is no answer', () => {
  const d = path.join(dir, 'stream');
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 'a'), 'a\n'.repeat(400));
  const tar = execFileSync('tar', ['-c', '-f', '-', '-b', '1', '--format=gnu', '-C', d, 'a']);
  assert.deepEqual([...regularFilesOfTar(tar)!.keys()], ['a']);
  assert.equal(regularFilesOfTar(tar.subarray(0, tar.length - 1024)), undefined, 'no end of archive');
  assert.equal(regularFilesOfTar(tar.subarray(0, 700)), undefined, 'content cut short');
  const altered = Buffer.from(tar);
  altered[10] ^= 1;
  assert.equal(regularFilesOfTar(altered), undefined, 'header checksum');
});
