// yum_repository: one [repoid] section of a .repo file. The file contents
// expected here are what ansible-core 2.14's yum_repository wrote for the same
// tasks, run with ansible-playbook on the Debian 12 build machine against a
// scratch reposdir (and its messages for the two failures).

import { yumRepositoryModule } from '../../modules/yum-repository.js';
import { planTable } from './plan-table.js';

const TOOLS = {
  name: 'hpc-tools', description: 'HPC tools', gpgcheck: true, enabled: true, gpgkey: 'http://repo.example/RPM-GPG-KEY-hpc',
  baseurl: ['http://repo.example/hpc/el9/$basearch', 'http://mirror.example/hpc/el9/$basearch'],
};
const DEBUG = { name: 'hpc-debug', file: 'hpc-tools', description: 'HPC tools (debug)', baseurl: 'http://repo.example/hpc/el9/debug', enabled: false };
const TOOLS_TEXT = '[hpc-tools]\nbaseurl = http://repo.example/hpc/el9/$basearch\n\thttp://mirror.example/hpc/el9/$basearch\nenabled = 1\ngpgcheck = 1\n' +
  'gpgkey = http://repo.example/RPM-GPG-KEY-hpc\nname = HPC tools\n\n';
const DEBUG_TEXT = '[hpc-debug]\nbaseurl = http://repo.example/hpc/el9/debug\nenabled = 0\nname = HPC tools (debug)\n\n';
const REPO = '/etc/yum.repos.d/hpc-tools.repo';

planTable(yumRepositoryModule, [
  {
    name: 'a new repo file, keys sorted, a list of baseurls on continuation lines',
    params: TOOLS,
    observed: { paths: { '/etc/yum.repos.d': { dir: true } } },
    changes: [{ property: 'content', summary: `create ${REPO}` }],
    actions: [`write ${REPO} 0644`],
    after: { [REPO]: TOOLS_TEXT },
  },
  {
    name: 'a second section in the same file goes last',
    params: DEBUG,
    observed: { paths: { [REPO]: { content: TOOLS_TEXT } } },
    changes: [{ property: 'content', summary: `update content of ${REPO}` }],
    actions: [`write ${REPO} 0644`],
    after: { [REPO]: TOOLS_TEXT + DEBUG_TEXT },
  },
  {
    name: 'the section as Ansible wrote it: in sync',
    params: DEBUG,
    observed: { paths: { [REPO]: { content: TOOLS_TEXT + DEBUG_TEXT } } },
    changes: [],
    actions: [],
  },
  {
    name: 'absent removes one section and keeps the other',
    params: { name: 'hpc-tools', state: 'absent' },
    observed: { paths: { [REPO]: { content: TOOLS_TEXT + DEBUG_TEXT } } },
    changes: [{ property: 'content', summary: `update content of ${REPO}` }],
    actions: [`write ${REPO} 0644`],
    after: { [REPO]: DEBUG_TEXT },
  },
  {
    name: 'absent of the last section removes the file',
    params: { name: 'hpc-debug', file: 'hpc-tools', state: 'absent' },
    observed: { paths: { [REPO]: { content: DEBUG_TEXT } } },
    changes: [{ property: 'state', before: 'present', after: 'absent', summary: `would remove ${REPO} (its last section hpc-debug goes)` }],
    actions: [`remove ${REPO}`],
  },
  {
    name: 'a reposdir that does not exist fails with Ansible\'s message',
    params: { ...TOOLS, reposdir: '/etc/zypp/repos.d' },
    observed: { paths: { '/etc': { dir: true } } },
    fails: /Repo directory '\/etc\/zypp\/repos\.d' does not exist\.$/,
  },
  {
    name: 'state present without description fails with Ansible\'s message',
    params: { name: 'hpc-tools', baseurl: 'http://repo.example/hpc/el9' },
    observed: { paths: { '/etc/yum.repos.d': { dir: true } } },
    fails: /Parameter 'description' is required\.$/,
  },
]);
