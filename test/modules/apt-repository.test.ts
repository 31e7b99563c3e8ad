// apt_repository on a Debian bed host with a local flat repository: a new
// source in its own file, a commented-out source enabled in place, removal of
// a file's last source; apt-get update really reads the source (apt-cache
// policy sees the package). Ansible's apt_repository needs python3-apt on the
// managed host and rewrites the machine's own /etc/apt: it is not run
// side by side here; the file names and line forms follow its code
// (_suggest_filename, _parse, dump), checked in the table below.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';
import { buildDebRepos, type DebRepo } from './fixtures/deb-repo.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { aptRepositoryModule, parseLine, renderLine, suggestFilename } from '../../modules/apt-repository.js';
import { runModule } from '../helpers/module-harness.js';

describe('apt_repository: names and lines as Ansible makes them', () => {
  it('file names from the URL', () => {
    assert.equal(suggestFilename('deb http://ppa.example.org/foo/ubuntu jammy main'), 'ppa_example_org_foo_ubuntu');
    assert.equal(suggestFilename('deb [arch=amd64 signed-by=/k.gpg] https://user:pw@repo.example.com/debian bookworm main'), 'repo_example_com_debian');
    assert.equal(suggestFilename('deb-src file:/srv/repo ./'), 'file_srv_repo');
  });
  it('lines normalised: whitespace collapsed, "# " for disabled, comments kept', () => {
    assert.equal(renderLine(parseLine('#deb   http://x   bookworm  main   # mirror')), '# deb http://x bookworm main # mirror\n');
    assert.equal(renderLine(parseLine('  deb http://x bookworm main')), 'deb http://x bookworm main\n');
    assert.equal(parseLine('# just a comment').valid, false);
  });
});

describe('apt_repository on a Debian bed host', () => {
  let t: BedTarget;
  let repos: DebRepo;
  const REPO = '/srv/cvapt-repo';
  const line = `deb [trusted=yes] file:${REPO} ./`;
  before(async () => {
    repos = buildDebRepos();
    t = await upTarget('debian12');
    await t.host.run(['mkdir', '-p', REPO]);
    for (const [name, content] of repos.repo1) await t.host.writeFile(`${REPO}/${name}`, content);
    await t.host.writeFile('/etc/apt/sources.list', `# local sources only\n#   deb [trusted=yes]   file:${REPO}2 ./\n`);
    await t.host.run(['sh', '-c', 'rm -f /etc/apt/sources.list.d/*.list; cp -a /srv/cvapt-repo /srv/cvapt-repo2']);
  });
  after(async () => { await t?.down(); repos?.cleanup(); });

  const files = async () => (await t.host.run(['sh', '-c', 'for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do [ -e "$f" ] && { echo "== $f $(stat -c %a "$f")"; cat "$f"; }; done; apt-cache policy cvtest-a | sed -n 2,3p'])).stdout;

  it('a new source goes to sources.list.d/<filename>.list, apt-get update reads it; a second run changes nothing', async () => {
    await checkRunReplan(aptRepositoryModule, { repo: line, filename: 'cvtest', mode: '0640' }, { host: t.host }, files, ['content', 'mode', 'cache']);
    const now = await files();
    assert.match(now, new RegExp(`== /etc/apt/sources.list.d/cvtest.list 640\\n${line.replace(/[[\]./]/g, '\\$&')}\\n`));
    assert.match(now, /Candidate: 1\.0/);
    await checkRunReplan(aptRepositoryModule, { repo: line, filename: 'cvtest' }, { host: t.host }, files, []);
  });

  it('a commented-out source is enabled where it is, the file rewritten as Ansible writes it', async () => {
    await checkRunReplan(aptRepositoryModule, { repo: `deb [trusted=yes] file:${REPO}2 ./`, update_cache: false }, { host: t.host }, files, ['content']);
    assert.match(await files(), new RegExp(`== /etc/apt/sources.list 644\\n# local sources only\\ndeb \\[trusted=yes\\] file:${REPO}2 \\./\\n== /etc/apt/sources.list.d/cvtest.list`));
  });

  it('absent removes the file whose last source goes, and a source that is not there is nothing to do', async () => {
    await checkRunReplan(aptRepositoryModule, { repo: line, state: 'absent', update_cache: false }, { host: t.host }, files, ['state:/etc/apt/sources.list.d/cvtest.list']);
    assert.doesNotMatch(await files(), /cvtest\.list/);
    await checkRunReplan(aptRepositoryModule, { repo: line, state: 'absent' }, { host: t.host }, files, []);
  });

  it('ppa: and lines that are not sources are refused', async () => {
    for (const repo of ['ppa:deadsnakes/ppa', 'http://x bookworm main', '# deb http://x bookworm main']) {
      const r = await runModule(aptRepositoryModule, { repo }, { host: t.host });
      assert.equal(r.status, 'failed');
      assert.match(r.message ?? '', /ppa: sources|Invalid repository string/);
    }
  });
});
