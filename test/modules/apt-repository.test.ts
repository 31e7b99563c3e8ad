// apt_repository on a Debian bed host with a local flat repository: a new
// source in its own file, a commented-out source enabled in place, removal of
// a file's last source; apt-get update really reads the source (apt-cache
// policy sees the package). Side by side with ansible-playbook on twin bed
// hosts (Ansible's apt_repository needs python3-apt on the managed host, and
// rewrites the host's own /etc/apt): statuses, registered values and the
// source files after a first and a second run.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { upTarget, type BedTarget } from './fixtures/bed-host.js';
import { bedDifferential } from './fixtures/bed-differential.js';
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

describe('apt_repository: converge and ansible-playbook agree on twin Debian bed hosts', () => {
  let repos: DebRepo;
  before(() => { repos = buildDebRepos(); });
  after(() => { repos?.cleanup(); });

  it('a new source with its own file and mode, a commented-out one enabled in place, removals that empty a file or not, what is already so', { timeout: 600_000 }, async () => {
    const src = (n: string) => `deb [trusted=yes] file:/srv/cvapt-${n} ./`;
    const { converge } = await bedDifferential({
      files: ['/etc/apt/sources.list', '/etc/apt/sources.list.d/cvtest.list', '/etc/apt/sources.list.d/old.list', '/etc/apt/sources.list.d/two.list'],
      setup: async (t) => {
        // Debian's python3-apt, from the bed's own mirror, before the sources are replaced by local ones.
        const apt = await t.host.run(['sh', '-c', 'apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 python3-apt >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 python3-apt >/dev/null 2>&1; }; python3 -c "import apt_pkg"']);
        assert.equal(apt.rc, 0, `python3-apt on ${t.bed.name}: ${apt.stderr}`);
        for (const n of ['one', 'two', 'three', 'four', 'five']) {
          await t.host.run(['mkdir', '-p', `/srv/cvapt-${n}`]);
          for (const [name, content] of repos.repo1) await t.host.writeFile(`/srv/cvapt-${n}/${name}`, content);
        }
        await t.host.run(['sh', '-c', 'rm -f /etc/apt/sources.list.d/*']);
        await t.host.writeFile('/etc/apt/sources.list', `# local sources only\n#   deb [trusted=yes]   file:/srv/cvapt-two ./\n`);
        await t.host.writeFile('/etc/apt/sources.list.d/old.list', `${src('three')}\n`);
        await t.host.writeFile('/etc/apt/sources.list.d/two.list', `# two sources\n${src('four')}\ndeb  [trusted=yes]  file:/srv/cvapt-five  ./\n`);
      },
      again: true,
      tasks: `
    - name: a new source in its own file
      apt_repository: { repo: "${src('one')}", filename: cvtest, mode: "0640" }
      register: r
    - name: show a new source
      debug: { msg: "{{ r.changed }} {{ r.repo }} {{ r.state }}" }
    - name: apt sees its package
      command: apt-cache policy cvtest-a
      register: q
      changed_when: false
      when: not ansible_check_mode
    - name: show apt sees its package
      debug: { msg: "{{ q.stdout_lines[1:3] | map('trim') | join(' / ') }}" }
      when: not ansible_check_mode
    - name: the commented-out source is enabled where it is
      ansible.builtin.apt_repository: { repo: "${src('two')}", update_cache: false }
      register: r
    - name: show enabled
      debug: { msg: "{{ r.changed }} {{ r.repo }} {{ r.state }}" }
    - name: the last source of a file removed
      apt_repository: { repo: "${src('three')}", state: absent, update_cache: false }
    - name: one of two sources removed
      apt_repository: { repo: "${src('four')}", state: absent, update-cache: false }
      register: r
    - name: show removed
      debug: { msg: "{{ r.changed }} {{ r.repo }} {{ r.state }}" }
    - name: a source already there, written otherwise
      apt_repository: { repo: "deb   [trusted=yes] file:/srv/cvapt-five ./", update_cache: false }
    - name: a source that is not there, absent
      apt_repository: { repo: "deb [trusted=yes] file:/srv/cvapt-six ./", state: absent }
`,
    });
    // Both tools agreed; this is what they agreed on.
    assert.deepEqual(converge.map((x) => `${x.status} ${x.name}${x.msg ? `: ${x.msg}` : ''}`), [
      `changed a new source in its own file`,
      `ok show a new source: True ${src('one')} present`,
      'ok apt sees its package',
      'ok show apt sees its package: Installed: (none) / Candidate: 1.0',
      'changed the commented-out source is enabled where it is',
      `ok show enabled: True ${src('two')} present`,
      'changed the last source of a file removed',
      'changed one of two sources removed',
      `ok show removed: True ${src('four')} absent`,
      'ok a source already there, written otherwise',
      'ok a source that is not there, absent',
    ]);
  });
});
