// zypper into a compute-image root: installed versions from one `rpm -q`
// (names it does not know asked once more as capabilities), an unknown name
// caught by `zypper install --dry-run` in --check (rc 104), planned from a
// scripted host. The answers were recorded on the build machine (Debian's rpm
// 4.18 and zypper 1.14) by running the module against a real root,
// /var/tmp/t17b/compute, and a local repository built from
// test/modules/fixtures/rpm-repos.ts (cvtest-a 1.0; cvtest-b 1.0, which
// provides cvtest-virtual).

import { zypperModule } from '../../modules/package/index.js';
import { planTable } from './plan-table.js';

const ROOT = '/var/tmp/t17b/compute';
const QF = '%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}.%{ARCH}\t%{ARCH}\n';
const rpmQ = (...names: string[]) => `rpm --root ${ROOT} -q --qf ${QF} -- ${names.join(' ')}`;
const rpmProvides = (...names: string[]) => `rpm --root ${ROOT} -q --whatprovides --qf ${QF} -- ${names.join(' ')}`;
const ZYPPER = `zypper --non-interactive --root ${ROOT} --releasever 9 --no-gpg-checks --plus-repo file:///var/tmp/t17b/repo`;
const INSTALL = `${ZYPPER} install --auto-agree-with-licenses`;
const params = { root: ROOT, releasever: '9', repos: [{ name: 'local', url: 'file:///var/tmp/t17b/repo' }], disable_gpg_check: true };
const observed = { paths: { [ROOT]: { dir: true as const } }, facts: { os_family: 'Suse', pkg_mgr: 'zypper' as const } };

const A = 'cvtest-a\t1.0-1.noarch\tnoarch\n';
const B = 'cvtest-b\t1.0-1.noarch\tnoarch\n';
const LOADING = `Warning: Enforced setting: $releasever=9
Retrieving repository 'file:/var/tmp/t17b/repo' metadata [.done]
Building repository 'file:/var/tmp/t17b/repo' cache [....done]
Loading repository data...
Reading installed packages...
`;
const RESOLVED = LOADING + `Resolving package dependencies...

The following 2 NEW packages are going to be installed:
  cvtest-a cvtest-b

2 new packages to install.
Overall download size: 11.9 KiB. Already cached: 0 B. After the operation, additional 8.0 B will be used.
Continue? [y/n/v/...? shows all options] (y): y

Checking for file conflicts: [......done]
Warning: 2 packages had to be excluded from file conflicts check because they are not yet downloaded.

    Note: Checking for file conflicts requires not installed packages to be downloaded in advance in
    order to access their file lists. See option '--download-in-advance / --dry-run --download-only'
    in the zypper manual page for details.

`;
const installing = (p: string, n: number) => `Retrieving package ${p}-1.0-1.noarch (${n}/2),   6.0 KiB (    4   B unpacked)
${p}-1.0-1.noarch.rpm:
    Package is not signed!
${p}-1.0-1.noarch (file:/var/tmp/t17b/repo): Signature verification failed [6-File is unsigned]
Accepting package despite the error. (--no-gpg-checks)

(${n}/2) Installing: ${p}-1.0-1.noarch [....done]
Additional rpm output:
rpm: RPM should not be used directly install RPM packages, use Alien instead!
rpm: However assuming you know what you are doing...


`;
const REMOVED = `Warning: Enforced setting: $releasever=9
Reading installed packages...
Resolving package dependencies...

The following package is going to be REMOVED:
  cvtest-a

1 package to remove.
After the operation, 4.0 B will be freed.
Continue? [y/n/v/...? shows all options] (y): y
(1/1) Removing cvtest-a-1.0-1.noarch [.....done]
Additional rpm output:
rpm: RPM should not be used directly install RPM packages, use Alien instead!
rpm: However assuming you know what you are doing...


`;
const NO_PROVIDER = { rc: 104, stdout: LOADING + "'cvtest-nosuch' not found in package names. Trying capabilities.\n", stderr: "No provider of 'cvtest-nosuch' found.\n" };

planTable(zypperModule, [
  {
    name: 'two missing packages are installed in one transaction',
    params: { ...params, name: ['cvtest-a', 'cvtest-b'] },
    observed: {
      ...observed,
      commands: {
        [rpmQ('cvtest-a', 'cvtest-b')]: [{ rc: 2, stdout: 'package cvtest-a is not installed\npackage cvtest-b is not installed\n', stderr: '' }, A + B],
        [rpmProvides('cvtest-a', 'cvtest-b')]: { rc: 2, stdout: 'no package provides cvtest-a\nno package provides cvtest-b\n', stderr: '' },
        [`${INSTALL} --dry-run -- cvtest-a cvtest-b`]: RESOLVED,
      },
      effects: { [`${INSTALL} -- cvtest-a cvtest-b`]: RESOLVED + installing('cvtest-a', 1) + installing('cvtest-b', 2) },
    },
    changes: [
      { property: 'package:cvtest-a', before: 'absent', after: 'present', summary: `would install cvtest-a into ${ROOT}` },
      { property: 'package:cvtest-b', before: 'absent', after: 'present', summary: `would install cvtest-b into ${ROOT}` },
    ],
    actions: [`run ${INSTALL} -- cvtest-a cvtest-b`],
  },
  {
    name: 'installed, one name through a capability its package provides: in sync',
    params: { ...params, name: ['cvtest-a', 'cvtest-virtual'] },
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
    name: 'absent: an installed package is removed',
    params: { ...params, name: 'cvtest-a', state: 'absent' },
    observed: {
      ...observed,
      commands: {
        [rpmQ('cvtest-a')]: [A, { rc: 1, stdout: 'package cvtest-a is not installed\n', stderr: '' }],
        [rpmProvides('cvtest-a')]: { rc: 1, stdout: 'no package provides cvtest-a\n', stderr: '' },
      },
      effects: { [`${ZYPPER} remove -- cvtest-a`]: REMOVED },
    },
    changes: [{ property: 'package:cvtest-a', before: '1.0-1.noarch', after: 'absent', summary: `would remove cvtest-a from ${ROOT}` }],
    actions: [`run ${ZYPPER} remove -- cvtest-a`],
  },
  {
    name: 'a name no repository has fails with zypper\'s words (rc 104; the dry run in --check, the install when run)',
    params: { ...params, name: 'cvtest-nosuch' },
    observed: {
      ...observed,
      commands: {
        [rpmQ('cvtest-nosuch')]: { rc: 1, stdout: 'package cvtest-nosuch is not installed\n', stderr: '' },
        [rpmProvides('cvtest-nosuch')]: { rc: 1, stdout: 'no package provides cvtest-nosuch\n', stderr: '' },
        [`${INSTALL} --dry-run -- cvtest-nosuch`]: NO_PROVIDER,
      },
      effects: { [`${INSTALL} -- cvtest-nosuch`]: NO_PROVIDER },
    },
    fails: /rc 104\):\nNo provider of 'cvtest-nosuch' found\./,
  },
]);
