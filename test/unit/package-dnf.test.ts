// dnf into a compute-image root: installed versions from one `rpm -q` (names
// it does not know asked once more as capabilities), an unknown name caught
// by `dnf --assumeno` in --check, planned from a scripted host. The answers
// were recorded on the build machine (Debian's rpm 4.18 and dnf 4.14) by
// running the module against a real root, /var/tmp/t17b/compute, and a local
// repository built from test/modules/fixtures/rpm-repos.ts (cvtest-a 1.0;
// cvtest-b 1.0, which provides cvtest-virtual; for latest, its repo2 with
// cvtest-a 2.0).

import { dnfModule } from '../../modules/package/index.js';
import { planTable } from './plan-table.js';

const ROOT = '/var/tmp/t17b/compute';
const QF = '%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}.%{ARCH}\t%{ARCH}\n';
const rpmQ = (...names: string[]) => `rpm --root ${ROOT} -q --qf ${QF} -- ${names.join(' ')}`;
const rpmProvides = (...names: string[]) => `rpm --root ${ROOT} -q --whatprovides --qf ${QF} -- ${names.join(' ')}`;
const DNF = `-q --installroot=${ROOT} --releasever=9 --nogpgcheck --repofrompath=local,file:///var/tmp/t17b/repo --enablerepo=local`;
const params = { root: ROOT, releasever: '9', repos: [{ name: 'local', url: 'file:///var/tmp/t17b/repo' }], disable_gpg_check: true };
const observed = { paths: { [ROOT]: { dir: true as const } }, facts: { os_family: 'RedHat', pkg_mgr: 'dnf' as const } };

const A = 'cvtest-a\t1.0-1.noarch\tnoarch\n';
const B = 'cvtest-b\t1.0-1.noarch\tnoarch\n';
const ABORTED = { rc: 1, stdout: '', stderr: 'Operation aborted.\n' };
const NO_MATCH = { rc: 1, stdout: '', stderr: 'Error: Unable to find a match: cvtest-nosuch\n' };

planTable(dnfModule, [
  {
    name: 'two missing packages are installed in one transaction',
    params: { ...params, name: ['cvtest-a', 'cvtest-b'] },
    observed: {
      ...observed,
      commands: {
        [rpmQ('cvtest-a', 'cvtest-b')]: [{ rc: 2, stdout: 'package cvtest-a is not installed\npackage cvtest-b is not installed\n', stderr: '' }, A + B],
        [rpmProvides('cvtest-a', 'cvtest-b')]: { rc: 2, stdout: 'no package provides cvtest-a\nno package provides cvtest-b\n', stderr: '' },
        [`dnf ${DNF} --assumeno install -- cvtest-a cvtest-b`]: ABORTED,
      },
      effects: {
        [`dnf -y ${DNF} install -- cvtest-a cvtest-b`]: '\nInstalled:\n  cvtest-a-1.0-1.noarch                  cvtest-b-1.0-1.noarch                 \n\n',
      },
    },
    changes: [
      { property: 'package:cvtest-a', before: 'absent', after: 'present', summary: `would install cvtest-a into ${ROOT}` },
      { property: 'package:cvtest-b', before: 'absent', after: 'present', summary: `would install cvtest-b into ${ROOT}` },
    ],
    actions: [`run dnf -y ${DNF} install -- cvtest-a cvtest-b`],
  },
  {
    name: 'installed, one name through a capability its package provides: in sync',
    params: { ...params, name: 'cvtest-a,cvtest-virtual', state: 'installed' },
    observed: {
      ...observed,
      commands: {
        [rpmQ('cvtest-a', 'cvtest-virtual')]: { rc: 1, stdout: A + 'package cvtest-virtual is not installed\n', stderr: '' },
        [rpmProvides('cvtest-virtual')]: B,
      },
    },
    changes: [],
    actions: [],
  },
  {
    name: 'latest: an installed package with a newer version in the repository is upgraded (repoquery --upgrades, then dnf upgrade)',
    params: { ...params, name: ['cvtest-a', 'cvtest-b'], state: 'latest' },
    observed: {
      ...observed,
      commands: {
        [rpmQ('cvtest-a', 'cvtest-b')]: [A + B, 'cvtest-a\t2.0-1.noarch\tnoarch\n' + B],
        [`dnf -y ${DNF} repoquery --upgrades --qf %{name}\t%{evr}.%{arch}\t%{arch} -- cvtest-a cvtest-b`]: ['cvtest-a\t2.0-1.noarch\tnoarch\n', ''],
      },
      effects: { [`dnf -y ${DNF} upgrade -- cvtest-a`]: '\nUpgraded:\n  cvtest-a-2.0-1.noarch                                                         \n\n' },
    },
    changes: [{ property: 'package:cvtest-a', before: '1.0-1.noarch', after: '2.0-1.noarch', summary: `would upgrade cvtest-a to 2.0-1.noarch into ${ROOT}` }],
    actions: [`run dnf -y ${DNF} upgrade -- cvtest-a`],
  },
  {
    name: 'absent: an installed package is removed',
    params: { ...params, name: 'cvtest-a', state: 'absent' },
    observed: {
      ...observed,
      commands: {
        [rpmQ('cvtest-a')]: [A, { rc: 1, stdout: 'package cvtest-a is not installed\n', stderr: '' }],
        [rpmProvides('cvtest-a')]: { rc: 1, stdout: 'no package provides cvtest-a\n', stderr: '' },
      },
      effects: { [`dnf -y ${DNF} remove -- cvtest-a`]: '\nRemoved:\n  cvtest-a-1.0-1.noarch                                                         \n\n' },
    },
    changes: [{ property: 'package:cvtest-a', before: '1.0-1.noarch', after: 'absent', summary: `would remove cvtest-a from ${ROOT}` }],
    actions: [`run dnf -y ${DNF} remove -- cvtest-a`],
  },
  {
    name: 'a name no repository has fails with dnf\'s words (--assumeno in --check, the install when run)',
    params: { ...params, name: 'cvtest-nosuch' },
    observed: {
      ...observed,
      commands: {
        [rpmQ('cvtest-nosuch')]: { rc: 1, stdout: 'package cvtest-nosuch is not installed\n', stderr: '' },
        [rpmProvides('cvtest-nosuch')]: { rc: 1, stdout: 'no package provides cvtest-nosuch\n', stderr: '' },
        [`dnf ${DNF} --assumeno install -- cvtest-nosuch`]: NO_MATCH,
      },
      effects: { [`dnf -y ${DNF} install -- cvtest-nosuch`]: NO_MATCH },
    },
    fails: /Error: Unable to find a match: cvtest-nosuch/,
  },
]);
