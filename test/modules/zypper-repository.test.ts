// zypper_repository with the real zypper of this machine, side by side with
// ansible-playbook. zypper's configuration is made private for each tool by
// the environment both inherit: ZYPP_CONF names a zypp.conf whose reposdir,
// cachedir and history log sit in a directory of that tool's own,
// ZYPP_LOCKFILE_ROOT moves zypper's lock there and HOME moves Debian rpm's
// database; the machine's own zypper state is never touched. Repositories
// are served over HTTP from loopback (a small server in its own process): an
// empty repository made with createrepo_c, so that refreshes really download.

import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { differential } from './fixtures/ansible-differential.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { parseRepoFile, parseRepos, zypperRepositoryModule } from '../../modules/zypper-repository.js';
import { LocalHost } from '../../src/host/local-host.js';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';
import { mountImageTree, type ImageTree } from './fixtures/image-tree.js';
import { SHAPED_FLAVORS } from '../bed/shaped/flavors.js';

const FILE_SERVER = `
const http = require('node:http'); const fs = require('node:fs'); const p = require('node:path');
http.createServer((req, res) => {
  const f = p.join(process.argv[1], p.normalize(decodeURIComponent(req.url.split('?')[0])));
  if (!f.startsWith(process.argv[1]) || !fs.existsSync(f) || !fs.statSync(f).isFile()) { res.writeHead(404); return res.end('no'); }
  res.writeHead(200); res.end(fs.readFileSync(f));
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;

let served: string;
let server: ChildProcess;
let base = '';
const zdirs = { converge: '', ansible: '' };

/** A private zypper configuration in `dir`; the environment that selects it. */
function zyppEnv(dir: string): string[] {
  mkdirSync(path.join(dir, 'home'), { recursive: true });
  writeFileSync(path.join(dir, 'zypp.conf'), `[main]\nreposdir = ${dir}/repos.d\ncachedir = ${dir}/cache\nconfigdir = ${dir}/etc\nhistory.logfile = ${dir}/history\n`);
  return ['env', `ZYPP_CONF=${dir}/zypp.conf`, `ZYPP_LOCKFILE_ROOT=${dir}`, `HOME=${dir}/home`];
}

before(async () => {
  served = mkdtempSync('/tmp/cvg-zrepo-srv-');
  for (const r of ['empty', 'other']) { mkdirSync(path.join(served, r)); execFileSync('createrepo_c', ['-q', path.join(served, r)]); }
  server = spawn(process.execPath, ['-e', FILE_SERVER, served], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = await once(server.stdout!, 'data');
  base = `http://127.0.0.1:${String(chunk).trim()}`;
  zdirs.converge = mkdtempSync('/tmp/cvg-zrepo-c-');
  zdirs.ansible = mkdtempSync('/tmp/cvg-zrepo-a-');
});
after(() => {
  server?.kill();
  for (const d of [served, zdirs.converge, zdirs.ansible]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('zypper_repository: what zypper says, read', () => {
  it('zypper --xmlout repos: attributes and the URL, entities decoded', () => {
    const xml = `<?xml version='1.0'?>\n<stream>\n<repo-list>\n<repo alias="a&amp;b" name="A &quot;B&quot;" priority="10" enabled="1" autorefresh="0" gpgcheck="0" repo_gpgcheck="0" pkg_gpgcheck="0">\n<url>http://x/y?a=1&amp;b=2</url>\n</repo>\n</repo-list>\n</stream>\n`;
    assert.deepEqual(parseRepos(xml), [{ url: 'http://x/y?a=1&b=2', alias: 'a&b', name: 'A "B"', priority: '10', enabled: '1', autorefresh: '0', gpgcheck: '0' }]);
  });
  it('.repo files: one section\'s keys, comments skipped, more sections counted', () => {
    assert.deepEqual(parseRepoFile('# c\n[r]\nname = R\nbaseurl=http://x\n; c\n'), { sections: ['r'], items: { name: 'R', baseurl: 'http://x' } });
    assert.equal(parseRepoFile('[a]\nbaseurl=x\n[b]\nbaseurl=y\n').sections.length, 2);
  });
});

test('zypper_repository: converge and ansible-playbook agree (private zypper configuration each)', { timeout: 400_000 }, async () => {
  await differential({
    wrap: { converge: zyppEnv(zdirs.converge), ansible: zyppEnv(zdirs.ansible) },
    setup: (root) => {
      writeFileSync(path.join(root, 'fromfile.repo'), `# one repository\n[fromfile]\nname=From a file\nbaseurl=${base}/other\nenabled=1\nautorefresh=1\ngpgcheck=0\n`);
      writeFileSync(path.join(root, 'two.repo'), `[a]\nbaseurl=${base}/a\n[b]\nbaseurl=${base}/b\n`);
    },
    vars: `    base: "${base}"\n`,
    // Added, changed, removed: a second run does the same again.
    repeats: ['add empty', 'disable empty, other priority', 'from a .repo file', 'same URL under another alias, replaced', 'two matches replaced', 'remove by alias', 'remove by URL', 'add again, with a key import'],
    tasks: `
    - name: add empty
      community.general.zypper_repository: { name: empty, repo: "{{ base }}/empty", description: Empty one, priority: 20, disable_gpg_check: true, autorefresh: false }
      register: r
    - name: show add empty
      debug: { msg: "{{ r.repodata.alias }} {{ r.repodata.url }} {{ r.repodata.name }} {{ r.repodata.priority }} {{ r.repodata.enabled }} {{ r.repodata.gpgcheck }} {{ r.repodata.autorefresh }} {{ r.state }} {{ r.changed }}" }
    - name: same again
      zypper_repository: { name: empty, repo: "{{ base }}/empty/", description: Empty one, priority: 20, disable_gpg_check: true, refresh: false }
      register: r
    - name: show same again
      debug: { msg: "{{ r.changed }} {{ r.repodata.url }} {{ r.state }}" }
    - name: settings not given are not compared
      zypper_repository: { name: empty, repo: "{{ base }}/empty", disable_gpg_check: true, autorefresh: false }
    - name: disable empty, other priority
      zypper_repository: { name: empty, repo: "{{ base }}/empty", priority: 5, enabled: false, disable_gpg_check: true, autorefresh: false }
    - name: from a .repo file
      zypper_repository: { repo: "{{ root }}/fromfile.repo" }
      register: r
    - name: show from a .repo file
      debug: { msg: "{{ r.repodata.alias }} {{ r.repodata.url }} {{ r.repodata.name }} {{ r.repodata.gpgcheck }}" }
    - name: from the .repo file again
      zypper_repository: { repo: "{{ root }}/fromfile.repo" }
    - name: same URL under another alias, replaced
      zypper_repository: { name: empty2, repo: "{{ base }}/other", disable_gpg_check: true }
    - name: alias of one, URL of another
      zypper_repository: { name: empty2, repo: "{{ base }}/empty", disable_gpg_check: true }
      ignore_errors: true
    - name: two matches replaced
      zypper_repository: { name: empty2, repo: "{{ base }}/empty", disable_gpg_check: true, overwrite_multiple: true }
    - name: two repositories in one .repo file
      zypper_repository: { repo: "{{ root }}/two.repo" }
      ignore_errors: true
      register: r
    - name: show two repositories in one .repo file
      debug: { msg: "{{ r.msg }}" }
    - name: a .repo file that is not there
      zypper_repository: { repo: "{{ root }}/nope.repo" }
      ignore_errors: true
      register: r
    - name: show a .repo file that is not there
      debug: { msg: "{{ r.msg }}" }
    - name: list
      shell: cat "$(dirname "$ZYPP_CONF")"/repos.d/*.repo
      register: q
      changed_when: false
    - name: show list
      debug: { msg: "{{ q.stdout }}" }
    - name: remove by alias
      zypper_repository: { name: empty2, state: absent }
      register: r
    - name: show remove by alias
      debug: { msg: "{{ r.changed }} {{ r.state }} {{ r.repodata.alias }} {{ r.repodata.url }}" }
    - name: remove by alias again
      zypper_repository: { name: empty2, state: absent }
    - name: add again, with a key import
      zypper_repository: { name: again, repo: "{{ base }}/other", disable_gpg_check: true, auto_import_keys: true }
    - name: remove by URL
      zypper_repository: { repo: "{{ base }}/other", state: absent }
    - name: left
      shell: ls "$(dirname "$ZYPP_CONF")"/repos.d/
      register: q
      changed_when: false
    - name: show left
      debug: { msg: "{{ q.stdout_lines | join(',') }}" }
`,
  });
});

describe('zypper_repository: runrefresh and --check, converge alone', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync('/tmp/cvg-zrepo-r-');
    const e = zyppEnv(dir).slice(1);
    env = Object.fromEntries(e.map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('added with runrefresh: --check predicts, the run downloads the metadata; later runs refresh (a change each time, Ansible says ok)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const host = new LocalHost('localhost');
      const files = () => (existsSync(path.join(dir, 'repos.d')) ? readdirSync(path.join(dir, 'repos.d')).map((f) => readFileSync(path.join(dir, 'repos.d', f), 'utf8')).join('') : '');
      const params = { name: 'refreshed', repo: `${base}/empty`, disable_gpg_check: true, runrefresh: true };
      await checkRunReplan(zypperRepositoryModule, params, { host }, files, ['repo:refreshed']);
      assert.match(files(), /\[refreshed\][\s\S]*baseurl=http:\/\/127\.0\.0\.1:\d+\/empty/);
      assert.ok(existsSync(path.join(dir, 'cache', 'raw', 'refreshed', 'repodata', 'repomd.xml')), 'the metadata was downloaded');
      rmSync(path.join(dir, 'cache', 'raw'), { recursive: true });
      await checkRunReplan(zypperRepositoryModule, params, { host }, files, ['refresh']);
      assert.ok(existsSync(path.join(dir, 'cache', 'raw', 'refreshed', 'repodata', 'repomd.xml')), 'refreshed again');
      await checkRunReplan(zypperRepositoryModule, { ...params, runrefresh: false }, { host }, files, []);
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
});

describe('zypper_repository on a SHAPED suse15 bed host (openSUSE os-release, zypper over SSH)', () => {
  let t: BedTarget;
  before(async () => {
    t = await upTarget('suse15');
    const local = mkdtempSync('/tmp/cvg-zrepo-bed-');
    try {
      execFileSync('createrepo_c', ['-q', local]);
      await t.host.run(['mkdir', '-p', '/srv/cvzrepo/repodata']);
      for (const f of readdirSync(path.join(local, 'repodata'))) await t.host.writeFile(`/srv/cvzrepo/repodata/${f}`, readFileSync(path.join(local, 'repodata', f)));
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });
  after(async () => { await t?.down(); });

  const repos = async () => (await t.host.run(['zypper', '--quiet', '--non-interactive', '--xmlout', 'repos'])).stdout;

  it('add with runrefresh, in sync on the second plan, removed by alias', async () => {
    const params = { name: 'cvlocal', repo: 'dir:/srv/cvzrepo', description: 'converge test', disable_gpg_check: true, priority: 50 };
    await checkRunReplan(zypperRepositoryModule, { ...params, runrefresh: true }, { host: t.host }, repos, ['repo:cvlocal']);
    assert.match(await repos(), /<repo alias="cvlocal" name="converge test" type="rpm-md" priority="50" enabled="1" autorefresh="1" gpgcheck="0"[\s\S]*<url>dir:\/srv\/cvzrepo<\/url>/);
    assert.equal((await t.host.run(['sh', '-c', 'ls /var/cache/zypp/raw/cvlocal/repodata/repomd.xml'])).rc, 0, 'refreshed');
    await checkRunReplan(zypperRepositoryModule, params, { host: t.host }, repos, []);
    await checkRunReplan(zypperRepositoryModule, { name: 'cvlocal', state: 'absent' }, { host: t.host }, repos, ['repo:cvlocal']);
    assert.doesNotMatch(await repos(), /cvlocal/);
    await checkRunReplan(zypperRepositoryModule, { name: 'cvlocal', state: 'absent' }, { host: t.host }, repos, []);
  });
});

describe('zypper_repository in an image tree (chroot host: the suse15 bed layer, its own zypper)', () => {
  let image: ImageTree;
  before(async () => {
    image = await mountImageTree(await SHAPED_FLAVORS.find((f) => f.name === 'suse15')!.layer(), 'zrepo-image');
    mkdirSync(path.join(image.tree, 'srv/cvzrepo'), { recursive: true });
    execFileSync('createrepo_c', ['-q', path.join(image.tree, 'srv/cvzrepo')]);
  });
  after(() => { image?.cleanup(); });

  // The repository files as they are in the tree, and zypper's view from inside it.
  const repos = async () => {
    const dir = path.join(image.tree, 'etc/zypp/repos.d');
    const files = readdirSync(dir).sort().map((f) => `== ${f}\n${readFileSync(path.join(dir, f), 'utf8')}`).join('');
    return files + (await image.host.run(['zypper', '--quiet', '--non-interactive', '--xmlout', 'repos'])).stdout;
  };

  it('add with runrefresh (the metadata lands in the tree\'s cache), in sync on the second plan, removed by alias', async () => {
    const params = { name: 'cvlocal', repo: 'dir:/srv/cvzrepo', description: 'converge test', disable_gpg_check: true, priority: 50 };
    await checkRunReplan(zypperRepositoryModule, { ...params, runrefresh: true }, { host: image.host }, repos, ['repo:cvlocal']);
    assert.match(await repos(), /== cvlocal\.repo\n\[cvlocal\]\nname=converge test\nenabled=1\nautorefresh=1\nbaseurl=dir:\/srv\/cvzrepo\n/);
    assert.ok(existsSync(path.join(image.tree, 'var/cache/zypp/raw/cvlocal/repodata/repomd.xml')), 'refreshed into the tree');
    await checkRunReplan(zypperRepositoryModule, params, { host: image.host }, repos, []);
    await checkRunReplan(zypperRepositoryModule, { name: 'cvlocal', state: 'absent' }, { host: image.host }, repos, ['repo:cvlocal']);
    assert.ok(!existsSync(path.join(image.tree, 'etc/zypp/repos.d/cvlocal.repo')));
    assert.match(await repos(), /converge-bed/, 'the tree\'s own repository stays');
    await checkRunReplan(zypperRepositoryModule, { name: 'cvlocal', state: 'absent' }, { host: image.host }, repos, []);
  });
});
