// replace: every match of a regular expression replaced, planned from a scripted host.

import { replaceModule } from '../../modules/replace.js';
import { planTable } from './plan-table.js';

planTable(replaceModule, [
  {
    name: 'every match is replaced, one write',
    params: { path: '/etc/f', regexp: 'eth0', replace: 'eth1' },
    observed: { paths: { '/etc/f': { content: 'dev eth0\nalso eth0\n' } } },
    changes: [{ property: 'content', summary: '2 replacements made: /etc/f' }],
    actions: ['write /etc/f 0644'],
    after: { '/etc/f': 'dev eth1\nalso eth1\n' },
  },
  {
    name: 'no match: in sync',
    params: { path: '/etc/f', regexp: 'eth0', replace: 'eth1' },
    observed: { paths: { '/etc/f': { content: 'dev eth1\n' } } },
    changes: [],
    actions: [],
  },
]);
