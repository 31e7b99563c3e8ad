// lineinfile: a line added, replaced or removed, planned from a scripted host.

import { lineinfileModule } from '../../modules/lineinfile.js';
import { planTable } from './plan-table.js';

const SSHD = { '/etc/ssh/sshd_config': { content: 'Port 22\nPermitRootLogin yes\n' } };

planTable(lineinfileModule, [
  {
    name: 'a matching line is replaced in place',
    params: { path: '/etc/ssh/sshd_config', regexp: '^PermitRootLogin', line: 'PermitRootLogin no' },
    observed: { paths: SSHD },
    changes: [{ property: 'content', summary: 'line replaced in /etc/ssh/sshd_config' }],
    actions: ['write /etc/ssh/sshd_config 0644'],
    after: { '/etc/ssh/sshd_config': 'Port 22\nPermitRootLogin no\n' },
  },
  {
    name: 'a missing line is added at the end',
    params: { path: '/etc/ssh/sshd_config', line: 'UseDNS no' },
    observed: { paths: SSHD },
    changes: [{ property: 'content', summary: 'line added in /etc/ssh/sshd_config' }],
    after: { '/etc/ssh/sshd_config': 'Port 22\nPermitRootLogin yes\nUseDNS no\n' },
  },
  {
    name: 'the line is there: in sync',
    params: { path: '/etc/ssh/sshd_config', line: 'Port 22' },
    observed: { paths: SSHD },
    changes: [],
    actions: [],
  },
  {
    name: 'absent removes every matching line',
    params: { path: '/etc/ssh/sshd_config', regexp: '^Permit', state: 'absent' },
    observed: { paths: SSHD },
    changes: [{ property: 'content' }],
    after: { '/etc/ssh/sshd_config': 'Port 22\n' },
  },
  {
    name: 'a missing file fails unless create',
    params: { path: '/etc/nothere.conf', line: 'x=1' },
    observed: { paths: { '/etc': { dir: true } } },
    fails: /nothere\.conf/,
  },
  {
    name: 'create makes the file',
    params: { path: '/etc/new.conf', line: 'x=1', create: true },
    observed: { paths: { '/etc': { dir: true } } },
    changes: [{ property: 'content' }],
    after: { '/etc/new.conf': 'x=1\n' },
  },
]);
