// archive with the real tar, gzip, bzip2, xz and zip, side by side with
// ansible-playbook (community.general.archive, which packs with Python's
// tarfile/zipfile): the two tools' archives differ byte for byte (gzip
// headers, tar formats), so what each holds is compared by listing it with
// tar -tv / unzip (member names, types, modes, owners, sizes, mtimes, CRCs)
// and by the bytes a compressed file gives back; the registered values are
// compared too, and the sources left behind (remove) are compared as files.

import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { differential } from './fixtures/ansible-differential.js';
import { archiveModule, commonRoot } from '../../modules/archive.js';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { mountImageTree, type ImageTree } from './fixtures/image-tree.js';
import { debian12Base } from '../bed/debian-base.js';

/** Sources with fixed mtimes, so that both trees list the same members. */
function sources(root: string): void {
  const files: Record<string, string> = {
    'src/a.txt': 'alpha\n', 'src/sub/b.log': 'beta\n', 'src/sub/c.txt': 'gamma\n', 'src/.hidden': 'h\n',
    'data/one.txt': '1\n', 'data/two.txt': '22\n', 'data/three.cfg': '333\n',
    'single.txt': 'just one file\n'.repeat(20), 'gone/x.txt': 'x\n', 'gone/y/z.txt': 'z\n', 'gone-file.txt': 'f\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  mkdirSync(path.join(root, 'out'));
  const when = new Date('2026-01-02T03:04:05Z');
  const walk = (d: string) => { for (const n of readdirSync(d)) { const f = path.join(d, n); if (statSync(f).isDirectory()) walk(f); utimesSync(f, when, when); } };
  walk(root);
}

describe('archive: the archive root as Ansible computes it', () => {
  it('the common parent of the paths, with a trailing slash', () => {
    assert.equal(commonRoot(['/srv/tree/src']), '/srv/tree/');
    assert.equal(commonRoot(['/srv/a/f1', '/srv/b/f2']), '/srv/');
    assert.equal(commonRoot(['/srv/ab/f', '/srv/ac/g']), '/srv/');
    assert.equal(commonRoot(['/f', '/g']), '/');
  });
});

const LIST_TAR = 'tar -tv --numeric-owner --full-time -f';
const SQUEEZE = "tr -s ' '";
const show = (name: string, expr: string) => `    - name: show ${name}\n      debug: { msg: "${expr}" }\n`;
const listTask = (name: string, cmd: string) => `    - name: list ${name}\n      shell: (${cmd}) | ${SQUEEZE}\n      register: q\n      changed_when: false\n${show(`list ${name}`, "{{ q.stdout_lines | join('; ') }}")}`;
const facts = (name: string) => show(name, "{{ r.changed }} {{ r.dest | replace(root, 'ROOT') }} {{ r.dest_state }} {{ r.arcroot | replace(root, 'ROOT') }} archived={{ r.archived | map('replace', root, 'ROOT') | sort | join(',') }} missing={{ r.missing | map('replace', root, 'ROOT') | join(',') }} expanded={{ r.expanded_paths | map('replace', root, 'ROOT') | sort | join(',') }} excluded={{ r.expanded_exclude_paths | map('replace', root, 'ROOT') | join(',') }}");

test('archive: converge and ansible-playbook agree', { timeout: 400_000 }, async () => {
  await differential({
    setup: sources,
    // The archives differ byte for byte between the tools (gzip headers, tar and zip layouts): compared by listing above.
    compare: (rel) => !/\.(tgz|tar|bz2|xz|zip|gz)$/.test(rel),
    tasks: `
    - name: a tree as tar.gz, logs left out
      community.general.archive: { path: "{{ root }}/src", dest: "{{ root }}/out/src.tgz", exclusion_patterns: ["*.log"] }
      register: r
${facts('a tree as tar.gz')}${listTask('src.tgz', `${LIST_TAR} {{ root }}/out/src.tgz | sort`)}
    - name: a glob as tar.bz2, one path excluded
      archive: { path: "{{ root }}/data/*.txt", exclude_path: ["{{ root }}/data/two.txt"], dest: "{{ root }}/out/data.tar.bz2", format: bz2 }
      register: r
${facts('a glob as tar.bz2')}${listTask('data.tar.bz2', `${LIST_TAR} {{ root }}/out/data.tar.bz2 | sort`)}
    - name: a list with a missing path as tar.xz
      archive: { path: ["{{ root }}/data/one.txt", "{{ root }}/src/sub", "{{ root }}/nope.txt"], dest: "{{ root }}/out/some.tar.xz", format: xz, mode: "0600" }
      register: r
${facts('a list with a missing path as tar.xz')}${listTask('some.tar.xz', `${LIST_TAR} {{ root }}/out/some.tar.xz | sort; stat -c %a {{ root }}/out/some.tar.xz`)}
    - name: a tree and a file as zip, a full-path pattern left out
      archive: { path: ["{{ root }}/src", "{{ root }}/single.txt"], dest: "{{ root }}/out/all.zip", format: zip, exclusion_patterns: ["*/sub/*"] }
      register: r
${facts('a tree and a file as zip')}${listTask('all.zip', "unzip -v {{ root }}/out/all.zip | awk 'NF==8 && $7 ~ /^[0-9a-f]+$/ {print $7, $8}' | sort")}
    - name: one file compressed
      archive: { path: "{{ root }}/single.txt" }
      register: r
${facts('one file compressed')}${listTask('single.txt.gz', 'gzip -dc {{ root }}/single.txt.gz | sha256sum')}
    - name: one file as plain tar, forced
      archive: { path: "{{ root }}/data/three.cfg", dest: "{{ root }}/out/three.tar", format: tar, force_archive: true }
      register: r
${facts('one file as plain tar')}${listTask('three.tar', `${LIST_TAR} {{ root }}/out/three.tar`)}
    - name: every member left out, zip
      archive: { path: "{{ root }}/data/three.cfg", dest: "{{ root }}/out/empty.zip", format: zip, exclusion_patterns: ["*.cfg"] }
      register: r
${facts('every member left out, zip')}${listTask('empty.zip', 'unzip -l {{ root }}/out/empty.zip | tail -1')}
    - name: every member left out, tar
      archive: { path: ["{{ root }}/data/one.txt", "{{ root }}/data/two.txt"], dest: "{{ root }}/out/empty.tar", format: tar, exclusion_patterns: ["*.txt"] }
      register: r
${facts('every member left out, tar')}${listTask('empty.tar', `${LIST_TAR} {{ root }}/out/empty.tar | wc -l`)}
    - name: archived and removed
      archive: { path: ["{{ root }}/gone", "{{ root }}/gone-file.txt"], dest: "{{ root }}/out/gone.tgz", remove: true }
      register: r
${facts('archived and removed')}${listTask('gone.tgz', `${LIST_TAR} {{ root }}/out/gone.tgz | sort; ls {{ root }}`)}
    - name: nothing there
      archive: { path: "{{ root }}/nothing/*", dest: "{{ root }}/out/nothing.tgz" }
      ignore_errors: true
      register: r
${show('nothing there', '{{ r.msg }}')}
    - name: several without dest
      archive: { path: ["{{ root }}/data/one.txt", "{{ root }}/data/two.txt"] }
      ignore_errors: true
      register: r
${show('several without dest', '{{ r.msg }}')}
    - name: inside a removed tree
      archive: { path: "{{ root }}/src", dest: "{{ root }}/src/self.tgz", remove: true }
      ignore_errors: true
      register: r
${show('inside a removed tree', '{{ r.msg }}')}
`,
  });
});

describe('archive on a Debian bed host over SSH', () => {
  let t: BedTarget;
  before(async () => {
    t = await upTarget('debian12');
    await t.host.run(['sh', '-c', 'rm -rf /srv/cvarch && mkdir -p /srv/cvarch/src/sub /srv/cvarch/out && echo a > /srv/cvarch/src/a && echo b > /srv/cvarch/src/sub/b']);
  });
  after(async () => { await t?.down(); });

  const listing = async () => (await t.host.run(['sh', '-c', 'tar -tzvf /srv/cvarch/out/src.tgz --numeric-owner 2>/dev/null | sort; ls /srv/cvarch'])).stdout;

  it('a tree as tar.gz: --check predicts, the run writes it, a second run changes nothing; a changed source changes it again', async () => {
    const params = { path: ['/srv/cvarch/src'], dest: '/srv/cvarch/out/src.tgz' };
    const first = await checkRunReplan(archiveModule, params, { host: t.host }, listing, ['content']);
    assert.deepEqual((first.outcome.result.archived as string[]).sort(), ['/srv/cvarch/src/a', '/srv/cvarch/src/sub', '/srv/cvarch/src/sub/b']);
    assert.match(await listing(), /src\/a\n[\s\S]*src\/sub\/b\n/);
    await checkRunReplan(archiveModule, params, { host: t.host }, listing, []);
    await t.host.run(['sh', '-c', 'echo more >> /srv/cvarch/src/a']);
    await checkRunReplan(archiveModule, params, { host: t.host }, listing, ['content']);
    await checkRunReplan(archiveModule, { ...params, remove: true }, { host: t.host }, listing, ['remove']);
    assert.doesNotMatch(await listing(), /^src$/m);
  });
});

describe('archive in an image tree (chroot host: the Debian 12 bed layer, its own tar and gzip)', () => {
  let image: ImageTree;
  before(async () => {
    image = await mountImageTree(debian12Base, 'archive-image');
    mkdirSync(path.join(image.tree, 'srv/cvarch/src/sub'), { recursive: true });
    mkdirSync(path.join(image.tree, 'srv/cvarch/out'));
    writeFileSync(path.join(image.tree, 'srv/cvarch/src/a'), 'a\n');
    writeFileSync(path.join(image.tree, 'srv/cvarch/src/sub/b'), 'b\n');
  });
  after(() => { image?.cleanup(); });

  // Read from outside the tree, with this machine's tar.
  const listing = () => {
    const out = spawnSync('tar', ['-tzf', path.join(image.tree, 'srv/cvarch/out/src.tgz')], { encoding: 'utf8' });
    return `${out.status === 0 ? out.stdout.split('\n').sort().join('\n') : 'no archive'}\n${readdirSync(path.join(image.tree, 'srv/cvarch')).sort().join(' ')}`;
  };

  it('paths are the tree\'s: --check predicts, the run writes inside the tree, a second run changes nothing, remove empties the source', async () => {
    const params = { path: ['/srv/cvarch/src'], dest: '/srv/cvarch/out/src.tgz' };
    const first = await checkRunReplan(archiveModule, params, { host: image.host }, listing, ['content']);
    assert.deepEqual((first.outcome.result.archived as string[]).sort(), ['/srv/cvarch/src/a', '/srv/cvarch/src/sub', '/srv/cvarch/src/sub/b']);
    assert.equal(listing(), '\nsrc/a\nsrc/sub/\nsrc/sub/b\nout src');
    await checkRunReplan(archiveModule, params, { host: image.host }, listing, []);
    await checkRunReplan(archiveModule, { ...params, remove: true }, { host: image.host }, listing, ['remove']);
    assert.equal(listing(), '\nsrc/a\nsrc/sub/\nsrc/sub/b\nout');
  });
});
