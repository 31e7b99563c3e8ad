// git: a working copy at a version, cloned or updated, planned from a
// scripted host. Every answer was recorded in a Debian 12 test-bed host (git
// 2.39.5, `npm run testbed -- up debian12`) with the module's own commands:
// a bare repository /srv/git/tools.git (main at commit "v2", an annotated tag
// v1.0 on commit "v1"), cloned into /opt/tools, switched to the tag, and a
// tracked file edited there.

import { gitModule } from '../../modules/git.js';
import { planTable } from './plan-table.js';

const g = (...args: string[]) => ['git', '-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', ...args].join(' ');
const gc = (...args: string[]) => g('-C', '/opt/tools', ...args);
const REPO = 'file:///srv/git/tools.git';
const MAIN = '09a71a1fd8a850d1a1701fc5c155e9f1ef12e9f5';
const V1 = '263ec3186567b400c82650cc3ad7839204e6609a';
const LS_REMOTE = {
  [g('ls-remote', '--symref', REPO)]: `ref: refs/heads/main\tHEAD\n${MAIN}\tHEAD\n${MAIN}\trefs/heads/main\n`
    + `1e41219cab77eedbaf2a458e07a26470384637f0\trefs/tags/v1.0\n${V1}\trefs/tags/v1.0^{}\n`,
};
const CLONED = { '/opt/tools/.git/config': { content: `[remote "origin"]\n\turl = ${REPO}\n` }, '/opt/tools/VERSION': { content: 'v2\n' } };
const CLEAN = { [gc('status', '--porcelain', '--untracked-files=no')]: '', [gc('config', '--get', 'remote.origin.url')]: `${REPO}\n` };
const DETACHED = "Note: switching to 'refs/tags/v1.0'.\n\nYou are in 'detached HEAD' state. You can look around, make experimental\n"
  + 'changes and commit them, and you can discard any commits you make in this\nstate without impacting any branches by switching back to a branch.\n\n'
  + 'If you want to create a new branch to retain commits you create, you may\ndo so (now or later) by using -c with the switch command. Example:\n\n'
  + '  git switch -c <new-branch-name>\n\nOr undo this operation with:\n\n  git switch -\n\n'
  + 'Turn off this advice by setting config variable advice.detachedHead to false\n\nHEAD is now at 263ec31 v1\n';

planTable(gitModule, [
  {
    name: 'a missing working copy is cloned at the remote HEAD (main)',
    params: { repo: '/srv/git/tools.git', dest: '/opt/tools' },
    observed: {
      paths: { '/opt': { dir: true } },
      commands: { ...LS_REMOTE, ...CLEAN, [gc('rev-parse', 'HEAD')]: `${MAIN}\n` },
      effects: { [g('clone', '--origin', 'origin', '--branch', 'main', '--', REPO, '/opt/tools')]: { rc: 0, stdout: '', stderr: "Cloning into '/opt/tools'...\n", sets: CLONED } },
    },
    changes: [{ property: 'clone', before: null, after: MAIN, summary: 'would clone /srv/git/tools.git (HEAD) into /opt/tools' }],
    actions: [`run ${g('clone', '--origin', 'origin', '--branch', 'main', '--', REPO, '/opt/tools')}`],
  },
  {
    name: 'the working copy at the branch head: in sync',
    params: { repo: '/srv/git/tools.git', dest: '/opt/tools', version: 'main' },
    observed: { paths: CLONED, commands: { ...LS_REMOTE, ...CLEAN, [gc('rev-parse', 'HEAD')]: `${MAIN}\n` } },
    changes: [],
    actions: [],
  },
  {
    name: 'a tag: fetch, then check out the commit it points at',
    params: { repo: '/srv/git/tools.git', dest: '/opt/tools', version: 'v1.0' },
    observed: {
      paths: CLONED,
      commands: { ...LS_REMOTE, ...CLEAN, [gc('rev-parse', 'HEAD')]: [`${MAIN}\n`, `${V1}\n`] },
      effects: {
        [gc('fetch', '--force', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*')]: '',
        [gc('checkout', '--force', 'refs/tags/v1.0', '--')]: { rc: 0, stdout: '', stderr: DETACHED },
      },
    },
    changes: [{ property: 'version', before: MAIN, after: V1, summary: 'would update /opt/tools to v1.0 (263ec3186567)' }],
    actions: [
      `run ${gc('fetch', '--force', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*')}`,
      `run ${gc('checkout', '--force', 'refs/tags/v1.0', '--')}`,
    ],
  },
  {
    name: 'local modifications without force fail before anything is fetched',
    params: { repo: '/srv/git/tools.git', dest: '/opt/tools', version: 'v1.0' },
    observed: { paths: CLONED, commands: { ...LS_REMOTE, ...CLEAN, [gc('rev-parse', 'HEAD')]: `${MAIN}\n`, [gc('status', '--porcelain', '--untracked-files=no')]: ' M VERSION\n' } },
    fails: /Local modifications exist in the destination: \/opt\/tools \(force=no\)\./,
  },
  {
    name: 'a version the remote does not have fails',
    params: { repo: '/srv/git/tools.git', dest: '/opt/tools', version: 'v9.9' },
    observed: { commands: LS_REMOTE },
    fails: /Failed to find version 'v9\.9' in file:\/\/\/srv\/git\/tools\.git: it is not a branch, a tag or a commit id/,
  },
]);
