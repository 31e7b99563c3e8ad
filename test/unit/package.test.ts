// package: the manager is chosen from the host's facts (pkg_mgr) or `use`;
// the rest is that manager's planning (its own tables: package-apt, -dnf,
// -zypper). The rpm and dnf answers were recorded by running this module on
// the build machine (Debian's rpm 4.18 and dnf 4.14) with `use: dnf` against
// a real root, /var/tmp/t17c/compute, and a local repository built by
// test/modules/fixtures/rpm-repos.ts (cvtest-a 1.0; cvtest-b 1.0, which
// provides cvtest-virtual); dnf --assumeno's refusal in --check is the one
// package-dnf.test.ts recorded.

import { packageModuleDef } from '../../modules/package/index.js';
import { planTable } from './plan-table.js';

const ROOT = '/var/tmp/t17c/compute';
const QF = '%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}.%{ARCH}\t%{ARCH}\n';
const rpmQ = (...names: string[]) => `rpm --root ${ROOT} -q --qf ${QF} -- ${names.join(' ')}`;
const rpmProvides = (...names: string[]) => `rpm --root ${ROOT} -q --whatprovides --qf ${QF} -- ${names.join(' ')}`;
const DNF = `-q --installroot=${ROOT} --releasever=9 --nogpgcheck --repofrompath=local,file:///var/tmp/t17c/repo --enablerepo=local`;
const params = { root: ROOT, releasever: '9', repos: [{ name: 'local', url: 'file:///var/tmp/t17c/repo' }], disable_gpg_check: true };
const rpmRoot = { [ROOT]: { dir: true as const } };
const A = 'cvtest-a\t1.0-1.noarch\tnoarch\n';
const B = 'cvtest-b\t1.0-1.noarch\tnoarch\n';

const dnfInstall = {
  commands: {
    [rpmQ('cvtest-a')]: [{ rc: 1, stdout: 'package cvtest-a is not installed\n', stderr: '' }, A],
    [rpmProvides('cvtest-a')]: { rc: 1, stdout: 'no package provides cvtest-a\n', stderr: '' },
    [`dnf ${DNF} --assumeno install -- cvtest-a`]: { rc: 1, stdout: '', stderr: 'Operation aborted.\n' },
  },
  effects: { [`dnf -y ${DNF} install -- cvtest-a`]: `\nInstalled:\n  cvtest-a-1.0-1.noarch${' '.repeat(57)}\n\n` },
};

planTable(packageModuleDef, [
  {
    name: 'pkg_mgr dnf: dnf installs the missing package',
    params: { ...params, name: 'cvtest-a' },
    observed: { paths: rpmRoot, facts: { os_family: 'RedHat', pkg_mgr: 'dnf' }, ...dnfInstall },
    changes: [{ property: 'package:cvtest-a', before: 'absent', after: 'present', summary: `would install cvtest-a into ${ROOT}` }],
    actions: [`run dnf -y ${DNF} install -- cvtest-a`],
  },
  {
    name: 'use: dnf on a host whose facts say apt',
    params: { ...params, name: 'cvtest-a', use: 'dnf' },
    observed: { paths: rpmRoot, facts: { pkg_mgr: 'apt' }, ...dnfInstall },
    changes: [{ property: 'package:cvtest-a', after: 'present' }],
    actions: [`run dnf -y ${DNF} install -- cvtest-a`],
  },
  {
    name: 'pkg_mgr dnf, a name through a capability its package provides: in sync',
    params: { ...params, name: ['cvtest-a', 'cvtest-virtual'] },
    observed: {
      paths: rpmRoot, facts: { os_family: 'RedHat', pkg_mgr: 'dnf' },
      commands: { [rpmQ('cvtest-a', 'cvtest-virtual')]: { rc: 1, stdout: A + 'package cvtest-virtual is not installed\n', stderr: '' }, [rpmProvides('cvtest-virtual')]: B },
    },
    changes: [],
    actions: [],
  },
  {
    name: 'no package manager the facts name fails before anything runs',
    params: { name: 'cvtest-a' },
    observed: { facts: { pkg_mgr: 'unknown' } },
    fails: /no supported package manager found on scripted \(facts say pkg_mgr=unknown\); set use: dnf\|zypper\|apt/,
  },
  {
    name: 'a parameter the chosen manager does not have fails, not ignored',
    params: { name: 'cvtest-a', enablerepo: 'local' },
    observed: { facts: { pkg_mgr: 'apt' } },
    fails: /enablerepo is not supported with apt \(only with dnf\)/,
  },
]);
