// package module against the real dnf and zypper, installing into temp roots
// from local repositories built by the test (rpmbuild + createrepo_c).
// Each case: --check predicts and changes nothing, the run makes the change,
// a second plan is empty. The build machine's own package database is never touched.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost } from '../../src/host/local-host.js';
import { dnfModule, packageModuleDef, zypperModule } from '../../modules/package/index.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { buildRpmRepos, rpmList, type RpmRepos } from './fixtures/rpm-repos.js';

const host = new LocalHost('localhost');
let repos: RpmRepos;

before(() => { repos = buildRpmRepos(); });
after(() => repos?.cleanup());

interface Step {
  title: string;
  params: (root: string) => Record<string, unknown>;
  /** Change properties --check must predict; or a failure text. */
  expect: string[] | RegExp;
  /** Installed afterwards (name-version-release). */
  installed: string[];
}

const repo = (which: 'repo1' | 'repo2') => [{ name: `cvtest-${which}`, url: `file://${repos[which]}` }];

const steps: Step[] = [
  {
    title: 'install two packages in one transaction',
    params: (root) => ({ name: ['cvtest-a', 'cvtest-b'], root, releasever: '8', repos: repo('repo1'), disable_gpg_check: true }),
    expect: ['package:cvtest-a', 'package:cvtest-b'], installed: ['cvtest-a-1.0-1', 'cvtest-b-1.0-1'],
  },
  {
    title: 'already installed: nothing to do (also via a virtual provide)',
    params: (root) => ({ name: 'cvtest-a,cvtest-virtual', state: 'installed', root, releasever: '8', repos: repo('repo1'), disable_gpg_check: true }),
    expect: [], installed: ['cvtest-a-1.0-1', 'cvtest-b-1.0-1'],
  },
  {
    title: 'latest with nothing newer: in sync',
    params: (root) => ({ name: ['cvtest-a'], state: 'latest', root, releasever: '8', repos: repo('repo1'), disable_gpg_check: true }),
    expect: [], installed: ['cvtest-a-1.0-1', 'cvtest-b-1.0-1'],
  },
  {
    title: 'latest (with update_cache) upgrades to the newer version in repo2',
    params: (root) => ({ name: ['cvtest-a', 'cvtest-b'], state: 'latest', update_cache: true, root, releasever: '8', repos: repo('repo2'), disable_gpg_check: true }),
    expect: ['package:cvtest-a'], installed: ['cvtest-a-2.0-1', 'cvtest-b-1.0-1'],
  },
  {
    title: 'a name that does not exist fails with the manager\'s words, in --check too',
    params: (root) => ({ name: ['cvtest-nosuch', 'cvtest-a'], root, releasever: '8', repos: repo('repo2'), disable_gpg_check: true }),
    expect: /cvtest-nosuch/, installed: ['cvtest-a-2.0-1', 'cvtest-b-1.0-1'],
  },
  {
    title: 'remove one package',
    params: (root) => ({ name: 'cvtest-a', state: 'absent', root, repos: repo('repo2'), disable_gpg_check: true }),
    expect: ['package:cvtest-a'], installed: ['cvtest-b-1.0-1'],
  },
  {
    title: 'remove a package that is not installed: nothing to do (zypper rm would exit 104)',
    params: (root) => ({ name: ['cvtest-a'], state: 'removed', root, repos: repo('repo2'), disable_gpg_check: true }),
    expect: [], installed: ['cvtest-b-1.0-1'],
  },
];

for (const [label, def, managerText] of [
  ['dnf', dnfModule, /Unable to find a match: cvtest-nosuch/],
  ['zypper', zypperModule, /No provider of 'cvtest-nosuch' found/],
] as const) {
  describe(`package via ${label} into a root`, () => {
    let root: string;
    before(() => { root = join(repos.dir, `root-${label}`); mkdirSync(root); });

    for (const step of steps) {
      it(step.title, async () => {
        const params = step.params(root);
        if (step.expect instanceof RegExp) {
          const before = rpmList(root);
          await assert.rejects(planModule(def, params, { host }), (e: Error) => {
            assert.match(e.message, step.expect as RegExp);
            assert.match(e.message, managerText);
            return true;
          });
          const run = await runModule(def, params, { host });
          assert.equal(run.status, 'failed');
          assert.match(run.message ?? '', managerText);
          assert.deepEqual(rpmList(root), before, 'a failed transaction installed nothing');
        } else {
          await checkRunReplan(def, params, { host }, () => rpmList(root), step.expect);
        }
        assert.deepEqual(rpmList(root), step.installed);
      });
    }
  });
}

describe('package (auto) picks the manager', () => {
  it('use: dnf overrides the facts of this Debian machine', async () => {
    const root = join(repos.dir, 'root-use');
    mkdirSync(root);
    const p = await planModule(packageModuleDef, { name: 'cvtest-b', use: 'dnf', root, releasever: '8', repos: repo('repo1'), disable_gpg_check: true }, { host });
    assert.deepEqual(p.changes.map((c) => [c.property, c.before, c.after]), [['package:cvtest-b', 'absent', 'present']]);
    assert.match(p.changes[0].summary ?? '', /^would install cvtest-b into /);
    // A package installed into another tree is not the host's: nothing for the ledger.
    assert.deepEqual(p.provides?.filter((x) => x.kind === 'package'), []);
  });

  it('a parameter another manager would need is an error, not ignored', async () => {
    await assert.rejects(planModule(zypperModule, { name: 'x', enablerepo: 'epel', root: '/tmp/none' }, { host }), /enablerepo is not supported with zypper \(only with dnf\)/);
    await assert.rejects(planModule(dnfModule, { name: 'x', cache_valid_time: 3600 }, { host }), /cache_valid_time is not supported with dnf \(only with apt\)/);
  });

  it('rejects names that would be read as options, and version constraints', async () => {
    await assert.rejects(planModule(dnfModule, { name: '--installroot=/' }, { host }), /must not start with '-'/);
    await assert.rejects(planModule(dnfModule, { name: 'nginx >= 1.20' }, { host }), /version constraints are not supported/);
  });
});
