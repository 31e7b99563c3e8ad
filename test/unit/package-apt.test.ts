// apt: installed versions from one dpkg-query, an unknown name caught by the
// dry run in --check, planned from a scripted host. Every answer below was
// recorded on the build machine (Debian 12, dpkg 1.21, apt 2.6) with LC_ALL=C,
// installing and then purging syslinux-common for the run; dpkg's
// carriage-return progress counter ("(Reading database ... 5%" ...) is cut
// from the apt-get output, which the module does not parse.

import { aptModule } from '../../modules/package/index.js';
import { planTable } from './plan-table.js';

const dpkgQuery = (...names: string[]) =>
  ['dpkg-query', '--admindir=/var/lib/dpkg', '-W', '-f', '${Package}\t${db:Status-Abbrev}\t${Version}\t${Architecture}\n', '--', ...names].join(' ');
const APT_INSTALL = 'apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';

const NGINX = 'nginx\tii \t1.22.1-9+deb12u11\tamd64\n';
const SYSLINUX = 'syslinux-common\tii \t3:6.04~git20190206.bf6db5b4+dfsg1-3\tall\n';
const notFound = (stdout: string, name: string) => ({ rc: 1, stdout, stderr: `dpkg-query: no packages found matching ${name}\n` });
const HEAD = 'Reading package lists...\nBuilding dependency tree...\nReading state information...\n';

const SIMULATED = HEAD + `The following NEW packages will be installed:
  syslinux-common
0 upgraded, 1 newly installed, 0 to remove and 135 not upgraded.
Inst syslinux-common (3:6.04~git20190206.bf6db5b4+dfsg1-3 Debian:12.15/oldstable [all])
Conf syslinux-common (3:6.04~git20190206.bf6db5b4+dfsg1-3 Debian:12.15/oldstable [all])
`;
const INSTALLED = HEAD + `The following NEW packages will be installed:
  syslinux-common
0 upgraded, 1 newly installed, 0 to remove and 135 not upgraded.
Need to get 1238 kB of archives.
After this operation, 3582 kB of additional disk space will be used.
Get:1 http://deb.debian.org/debian bookworm/main amd64 syslinux-common all 3:6.04~git20190206.bf6db5b4+dfsg1-3 [1238 kB]
Fetched 1238 kB in 1s (1206 kB/s)
Selecting previously unselected package syslinux-common.
(Reading database ... 136969 files and directories currently installed.)
Preparing to unpack .../syslinux-common_3%3a6.04~git20190206.bf6db5b4+dfsg1-3_all.deb ...
Unpacking syslinux-common (3:6.04~git20190206.bf6db5b4+dfsg1-3) ...
Setting up syslinux-common (3:6.04~git20190206.bf6db5b4+dfsg1-3) ...
`;
const REMOVED = HEAD + `The following packages will be REMOVED:
  syslinux-common
0 upgraded, 0 newly installed, 1 to remove and 135 not upgraded.
After this operation, 3582 kB disk space will be freed.
(Reading database ... 137184 files and directories currently installed.)
Removing syslinux-common (3:6.04~git20190206.bf6db5b4+dfsg1-3) ...
`;
const UNKNOWN = { rc: 100, stdout: HEAD, stderr: 'E: Unable to locate package nginx-ful\n' };

planTable(aptModule, [
  {
    name: 'a missing package is installed, the installed one left alone (one dpkg-query for both)',
    params: { name: ['nginx', 'syslinux-common'] },
    observed: {
      commands: {
        [dpkgQuery('nginx', 'syslinux-common')]: [notFound(NGINX, 'syslinux-common'), NGINX + SYSLINUX],
        [`${APT_INSTALL} -s -- syslinux-common`]: SIMULATED,
      },
      effects: { [`${APT_INSTALL} -- syslinux-common`]: { rc: 0, stdout: INSTALLED, stderr: 'debconf: delaying package configuration, since apt-utils is not installed\n' } },
    },
    changes: [{ property: 'package:syslinux-common', before: 'absent', after: 'present', summary: 'would install syslinux-common' }],
    actions: [`run ${APT_INSTALL} -- syslinux-common`],
  },
  {
    name: 'installed: in sync, dpkg-query only',
    params: { name: 'nginx', state: 'present' },
    observed: { commands: { [dpkgQuery('nginx')]: NGINX } },
    changes: [],
    actions: [],
  },
  {
    name: 'absent: an installed package is removed',
    params: { name: 'syslinux-common', state: 'absent' },
    observed: {
      commands: { [dpkgQuery('syslinux-common')]: [SYSLINUX, notFound('', 'syslinux-common')] },
      effects: { 'apt-get remove -y -q -- syslinux-common': REMOVED },
    },
    changes: [{ property: 'package:syslinux-common', before: '3:6.04~git20190206.bf6db5b4+dfsg1-3', after: 'absent', summary: 'would remove syslinux-common' }],
    actions: ['run apt-get remove -y -q -- syslinux-common'],
  },
  {
    name: 'a name apt does not know fails with apt\'s words (the dry run in --check, the install when run)',
    params: { name: 'nginx-ful' },
    observed: {
      commands: { [dpkgQuery('nginx-ful')]: notFound('', 'nginx-ful'), [`${APT_INSTALL} -s -- nginx-ful`]: UNKNOWN },
      effects: { [`${APT_INSTALL} -- nginx-ful`]: UNKNOWN },
    },
    fails: /E: Unable to locate package nginx-ful/,
  },
]);
