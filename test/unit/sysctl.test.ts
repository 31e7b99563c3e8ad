// sysctl: the file as Ansible rewrites it and the running value, planned from
// a scripted host whose `sysctl -n` answers are recorded (before, then after).

import { sysctlModule } from '../../modules/sysctl.js';
import { planTable } from './plan-table.js';

planTable(sysctlModule, [
  {
    name: 'a new file and reload when the value is not set',
    params: { name: 'net.ipv4.ip_forward', value: '1', sysctl_file: '/etc/sysctl.d/90-forward.conf' },
    observed: {
      paths: { '/etc/sysctl.d': { dir: true } },
      commands: { 'sysctl -n net.ipv4.ip_forward': ['0\n', '1\n'] },
      effects: { 'sysctl -p /etc/sysctl.d/90-forward.conf': 'net.ipv4.ip_forward = 1\n' },
    },
    changes: [
      { property: 'content', summary: 'create /etc/sysctl.d/90-forward.conf' },
      { property: 'sysctl:net.ipv4.ip_forward', before: '0', after: '1' },
    ],
    actions: ['write /etc/sysctl.d/90-forward.conf 0644', 'run sysctl -p /etc/sysctl.d/90-forward.conf'],
    after: { '/etc/sysctl.d/90-forward.conf': 'net.ipv4.ip_forward=1\n' },
  },
  {
    name: 'duplicates and spaces are rewritten, each key once',
    params: { name: 'net.core.somaxconn', value: 4096, sysctl_file: '/etc/sysctl.conf', reload: false },
    observed: {
      paths: { '/etc/sysctl.conf': { content: '# cluster\n  net.core.somaxconn = 1024  \nnet.core.somaxconn=2048\n' } },
      commands: { 'sysctl -n net.core.somaxconn': '4096\n' },
    },
    changes: [{ property: 'content', summary: 'update content of /etc/sysctl.conf' }],
    actions: ['write /etc/sysctl.conf 0644'],
    after: { '/etc/sysctl.conf': '# cluster\nnet.core.somaxconn=4096\n' },
  },
  {
    name: 'in the file and live: in sync',
    params: { name: 'net.ipv4.ip_forward', value: 'yes', sysctl_file: '/etc/sysctl.conf' },
    observed: {
      paths: { '/etc/sysctl.conf': { content: 'net.ipv4.ip_forward=1\n' } },
      commands: { 'sysctl -n net.ipv4.ip_forward': '1\n' },
    },
    changes: [],
    actions: [],
  },
  {
    name: 'sysctl_set sets the running value without reload',
    params: { name: 'net.ipv4.ping_group_range', value: '0 100', sysctl_set: true, reload: false, sysctl_file: '/etc/sysctl.d/92-ping.conf' },
    observed: {
      paths: { '/etc/sysctl.d/92-ping.conf': { content: 'net.ipv4.ping_group_range=0 100\n' } },
      commands: { 'sysctl -n net.ipv4.ping_group_range': ['1\t0\n', '0\t100\n'] },
      effects: { 'sysctl -w net.ipv4.ping_group_range=0 100': 'net.ipv4.ping_group_range = 0 100\n' },
    },
    changes: [{ property: 'sysctl:net.ipv4.ping_group_range', before: '1\t0', after: '0 100' }],
    actions: ['run sysctl -w net.ipv4.ping_group_range=0 100'],
  },
  {
    name: 'a key the kernel does not have fails before anything is written',
    params: { name: 'net.no.such.key', value: '1', sysctl_set: true, sysctl_file: '/etc/sysctl.d/93-bad.conf' },
    observed: { commands: { 'sysctl -n net.no.such.key': { rc: 255, stdout: '', stderr: 'sysctl: cannot stat /proc/sys/net/no/such/key: No such file or directory\n' } } },
    fails: /running kernel has no parameter net\.no\.such\.key/,
  },
]);
