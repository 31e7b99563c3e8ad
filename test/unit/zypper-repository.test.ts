// zypper_repository: add, replace and remove planned from `zypper --xmlout
// repos`. The listings in recorded/zypper/ are whole outputs of Debian 12's
// zypper 1.14 (`zypper --root R --quiet --non-interactive --xmlout repos`,
// LC_ALL=C) on a scratch root, after running the same addrepo / removerepo
// commands there against a createrepo_c repository in /srv/repos/hpc. With
// no repository zypper exits 6 (and still prints the empty list).

import { readFileSync } from 'node:fs';
import { zypperRepositoryModule } from '../../modules/zypper-repository.js';
import { planTable } from './plan-table.js';

const recorded = (name: string) => readFileSync(new URL(`../../../test/unit/recorded/zypper/${name}.xml`, import.meta.url), 'utf8');
const LIST = 'zypper --quiet --non-interactive --xmlout repos';
const NONE = { rc: 6, stdout: recorded('repos-none'), stderr: '' };
const HPC = { name: 'hpc-tools', repo: 'file:///srv/repos/hpc', description: 'HPC tools' };
// Added with the same addrepo from a file of this text (the listing after it is
// repos-hpc-tools-from-repo-file.xml); it was in /tmp there, which zypper does not print.
const REPO_FILE = '[hpc-tools]\nname=HPC tools\nbaseurl=file:///srv/repos/hpc\nenabled=1\nautorefresh=0\ngpgcheck=0\n';
const ADD = 'zypper --quiet --non-interactive addrepo --check --name HPC tools --gpgcheck --refresh file:///srv/repos/hpc hpc-tools';

planTable(zypperRepositoryModule, [
  {
    name: 'a new repository is added',
    params: HPC,
    observed: { commands: { [LIST]: [NONE, recorded('repos-hpc-tools')] }, effects: { [ADD]: '' } },
    changes: [{ property: 'repo:hpc-tools', before: 'absent', after: 'hpc-tools file:///srv/repos/hpc enabled=1 autorefresh=1 gpgcheck=1', summary: 'would add repository hpc-tools' }],
    actions: [`run ${ADD}`],
  },
  {
    name: 'zypper keeps file:/// as file:/ — the same repository: in sync',
    params: HPC,
    observed: { commands: { [LIST]: recorded('repos-hpc-tools') } },
    changes: [],
    actions: [],
  },
  {
    name: 'a priority that differs: removed by URL and added again',
    params: { ...HPC, priority: 90 },
    observed: {
      commands: { [LIST]: [recorded('repos-hpc-tools'), recorded('repos-hpc-tools-priority-90')] },
      effects: {
        'zypper --quiet --non-interactive removerepo file:/srv/repos/hpc': '',
        'zypper --quiet --non-interactive addrepo --check --name HPC tools --priority 90 --gpgcheck --refresh file:///srv/repos/hpc hpc-tools': '',
      },
    },
    changes: [{
      property: 'repo:hpc-tools',
      before: 'hpc-tools file:/srv/repos/hpc enabled=1 autorefresh=1 gpgcheck=1 priority=99',
      after: 'hpc-tools file:///srv/repos/hpc enabled=1 autorefresh=1 gpgcheck=1 priority=90',
      summary: 'would replace repository hpc-tools',
    }],
    actions: [
      'run zypper --quiet --non-interactive removerepo file:/srv/repos/hpc',
      'run zypper --quiet --non-interactive addrepo --check --name HPC tools --priority 90 --gpgcheck --refresh file:///srv/repos/hpc hpc-tools',
    ],
  },
  {
    name: 'absent removes it by alias',
    params: { name: 'hpc-tools', state: 'absent' },
    observed: {
      commands: { [LIST]: [recorded('repos-hpc-tools-priority-90'), NONE] },
      effects: { 'zypper --quiet --non-interactive removerepo hpc-tools': '' },
    },
    changes: [{ property: 'repo:hpc-tools', before: 'present', after: 'absent', summary: 'would remove repository hpc-tools' }],
    actions: ['run zypper --quiet --non-interactive removerepo hpc-tools'],
  },
  {
    name: 'a .repo file on the host names the alias and settings itself',
    params: { repo: '/root/hpc-tools.repo' },
    observed: {
      paths: { '/root/hpc-tools.repo': { content: REPO_FILE } },
      commands: { [LIST]: [NONE, recorded('repos-hpc-tools-from-repo-file')] },
      effects: { 'zypper --quiet --non-interactive addrepo --check --name HPC tools --no-gpgcheck /root/hpc-tools.repo': '' },
    },
    changes: [{ property: 'repo:hpc-tools', before: 'absent', after: 'hpc-tools file:///srv/repos/hpc enabled=1 autorefresh=0 gpgcheck=0' }],
    actions: ['run zypper --quiet --non-interactive addrepo --check --name HPC tools --no-gpgcheck /root/hpc-tools.repo'],
  },
  {
    name: 'the .repo file\'s repository as zypper lists it: in sync',
    params: { repo: '/root/hpc-tools.repo' },
    observed: { paths: { '/root/hpc-tools.repo': { content: REPO_FILE } }, commands: { [LIST]: recorded('repos-hpc-tools-from-repo-file') } },
    changes: [],
    actions: [],
  },
  {
    name: 'a .repo file that is not on the host fails with community.general\'s message',
    params: { repo: '/root/hpc.repo' },
    observed: {},
    fails: /Error opening \.repo file from provided path/,
  },
]);
