// selinux: the mode and policy in /etc/selinux/config and the running mode
// (read from /sys/fs/selinux/enforce, changed with setenforce), planned from a
// scripted host. SELinux cannot run on the build machine: the running mode is
// the enforce file as the kernel shows it ("1" or "0"), as the FakeSelinuxHost
// of test/modules/selinux-fake-tools.test.ts presents it; the config file is
// the one test/modules/selinux.test.ts runs against ansible-playbook.

import { selinuxModule } from '../../modules/selinux.js';
import { planTable } from './plan-table.js';

const CONFIG = '# This file controls the state of SELinux on the system.\nSELINUX=enforcing\n# SELINUXTYPE= can take one of these values:\nSELINUXTYPE=targeted\n';
const withMode = (mode: string) => CONFIG.replace('SELINUX=enforcing', `SELINUX=${mode}`);
const host = (enforce: string | undefined, config = CONFIG) => ({
  '/etc/selinux/config': { content: config },
  '/etc/selinux/targeted/policy': { dir: true as const },
  ...(enforce !== undefined ? { '/sys/fs/selinux/enforce': { content: enforce } } : {}),
});
const setenforce = (v: string) => ({ rc: 0, stdout: '', stderr: '', sets: { '/sys/fs/selinux/enforce': { content: `${v}\n` } } });

planTable(selinuxModule, [
  {
    name: 'enforcing to permissive: setenforce 0 and the config file',
    params: { state: 'permissive', policy: 'targeted' },
    observed: { paths: host('1\n'), effects: { 'setenforce 0': setenforce('0') } },
    changes: [
      { property: 'running mode', before: 'enforcing', after: 'permissive', summary: 'would setenforce 0' },
      { property: 'content', summary: 'update content of /etc/selinux/config' },
    ],
    actions: ['run setenforce 0', 'write /etc/selinux/config 0644'],
    after: { '/etc/selinux/config': withMode('permissive') },
  },
  {
    name: 'enforcing, and so configured: in sync',
    params: { state: 'enforcing', policy: 'targeted' },
    observed: { paths: host('1\n') },
    changes: [],
    actions: [],
  },
  {
    name: 'disabled on a running system: permissive until the reboot, disabled in the file',
    params: { state: 'disabled' },
    observed: { paths: host('1\n'), effects: { 'setenforce 0': setenforce('0') } },
    changes: [
      { property: 'running mode', before: 'enforcing', after: 'permissive', summary: 'would switch SELinux to permissive until the next boot disables it' },
      { property: 'content', summary: 'update content of /etc/selinux/config' },
    ],
    actions: ['run setenforce 0', 'write /etc/selinux/config 0644'],
    after: { '/etc/selinux/config': withMode('disabled') },
  },
  {
    name: 'a host where SELinux does not run gets the file only',
    params: { state: 'permissive', policy: 'targeted' },
    observed: { paths: host(undefined) },
    changes: [{ property: 'content', summary: 'update content of /etc/selinux/config' }],
    actions: ['write /etc/selinux/config 0644'],
    after: { '/etc/selinux/config': withMode('permissive') },
  },
  {
    name: 'a policy that is not installed fails before anything is written',
    params: { state: 'enforcing', policy: 'mls' },
    observed: { paths: host('1\n') },
    fails: /Policy mls does not exist in \/etc\/selinux\//,
  },
]);
