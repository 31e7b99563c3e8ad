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

// zypper --xmlout list-updates with cvtest-a 2.0 in the repository (recorded from a second one, renamed here), then after the upgrade.
const UPDATES = `<?xml version='1.0'?>
<stream>
<message type="warning">Enforced setting: $releasever=9</message>
<progress id="raw-refresh" name="Retrieving repository &apos;file:/var/tmp/t17b/repo&apos; metadata" value="0"/>
<progress id="raw-refresh" name="Retrieving repository &apos;file:/var/tmp/t17b/repo&apos; metadata" done="1"/>
<progress id="5" name="Building repository &apos;file:/var/tmp/t17b/repo&apos; cache"/>
<progress id="5" name="Building repository &apos;file:/var/tmp/t17b/repo&apos; cache" value="0"/>
<progress id="5" name="Building repository &apos;file:/var/tmp/t17b/repo&apos; cache" value="100"/>
<progress id="5" name="Building repository &apos;file:/var/tmp/t17b/repo&apos; cache" value="100"/>
<progress id="5" name="Building repository &apos;file:/var/tmp/t17b/repo&apos; cache" done="1"/>
<message type="info">Loading repository data...</message>
<message type="info">Reading installed packages...</message>
<update-status version="0.6">
<update-list>
<update kind="package" name="cvtest-a" edition="2.0-1" arch="noarch" edition-old="1.0-1"><summary>converge package module test package</summary><description>test package</description><license/><source url="file:/var/tmp/t17b/repo" alias="~plus-repo-1"/></update></update-list>
</update-status>
</stream>
`;
const NO_UPDATES = `<?xml version='1.0'?>
<stream>
<message type="warning">Enforced setting: $releasever=9</message>
<progress id="raw-refresh" name="Retrieving repository &apos;file:/var/tmp/t17b/repo&apos; metadata" value="0"/>
<progress id="raw-refresh" name="Retrieving repository &apos;file:/var/tmp/t17b/repo&apos; metadata" done="1"/>
<progress id="5" name="Building repository &apos;file:/var/tmp/t17b/repo&apos; cache"/>
<progress id="5" name="Building repository &apos;file:/var/tmp/t17b/repo&apos; cache" value="0"/>
<progress id="5" name="Building repository &apos;file:/var/tmp/t17b/repo&apos; cache" value="100"/>
<progress id="5" name="Building repository &apos;file:/var/tmp/t17b/repo&apos; cache" value="100"/>
<progress id="5" name="Building repository &apos;file:/var/tmp/t17b/repo&apos; cache" done="1"/>
<message type="info">Loading repository data...</message>
<message type="info">Reading installed packages...</message>
<update-status version="0.6">
<update-list>
</update-list>
</update-status>
</stream>
`;
const UPGRADED = `Warning: Enforced setting: $releasever=9
Retrieving repository 'file:/var/tmp/t17b/repo' metadata [.done]
Building repository 'file:/var/tmp/t17b/repo' cache [....done]
Loading repository data...
Reading installed packages...
Resolving package dependencies...

The following package is going to be upgraded:
  cvtest-a

1 package to upgrade.
Overall download size: 6.0 KiB. Already cached: 0 B. No additional space will be used or freed after the operation.
Continue? [y/n/v/...? shows all options] (y): y

Checking for file conflicts: [.....done]
Warning: 1 package had to be excluded from file conflicts check because it is not yet download.

    Note: Checking for file conflicts requires not installed packages to be downloaded in advance in
    order to access their file lists. See option '--download-in-advance / --dry-run --download-only'
    in the zypper manual page for details.

Retrieving package cvtest-a-2.0-1.noarch (1/1),   6.0 KiB (    4   B unpacked)
cvtest-a-2.0-1.noarch.rpm:
    Package is not signed!
cvtest-a-2.0-1.noarch (file:/var/tmp/t17b/repo): Signature verification failed [6-File is unsigned]
Accepting package despite the error. (--no-gpg-checks)

(1/1) Installing: cvtest-a-2.0-1.noarch [......done]
Additional rpm output:
rpm: RPM should not be used directly install RPM packages, use Alien instead!
rpm: However assuming you know what you are doing...


`;

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
    name: 'latest: an installed package with a newer version in the repository is upgraded',
    params: { ...params, name: ['cvtest-a', 'cvtest-b'], state: 'latest' },
    observed: {
      ...observed,
      commands: {
        [rpmQ('cvtest-a', 'cvtest-b')]: [A + B, 'cvtest-a\t2.0-1.noarch\tnoarch\n' + B],
        [`${ZYPPER} --xmlout list-updates`]: [UPDATES, NO_UPDATES],
      },
      effects: { [`${INSTALL} -- cvtest-a`]: UPGRADED },
    },
    changes: [{ property: 'package:cvtest-a', before: '1.0-1.noarch', after: '2.0-1.noarch', summary: `would upgrade cvtest-a to 2.0-1.noarch into ${ROOT}` }],
    actions: [`run ${INSTALL} -- cvtest-a`],
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
