// copy: content and mode, planned from a scripted host.

import { copyModule } from '../../modules/copy.js';
import { planTable } from './plan-table.js';

planTable(copyModule, [
  {
    name: 'new content in a new file',
    params: { dest: '/etc/motd', content: 'cluster head node\n', mode: '0644' },
    observed: { paths: { '/etc': { dir: true } } },
    changes: [{ property: 'content', summary: 'create /etc/motd' }, { property: 'mode', after: '0644' }],
    actions: ['write /etc/motd 0644'],
    after: { '/etc/motd': 'cluster head node\n' },
  },
  {
    name: 'content and mode differ: both are reported, one write',
    params: { dest: '/etc/motd', content: 'hello\n', mode: '0644' },
    observed: { paths: { '/etc/motd': { content: 'old\n', mode: 0o600 } } },
    changes: [{ property: 'content', summary: 'update content of /etc/motd' }, { property: 'mode', before: '0600', after: '0644' }],
    actions: ['write /etc/motd 0644'],
    after: { '/etc/motd': 'hello\n' },
  },
  {
    name: 'same content, same mode: in sync',
    params: { dest: '/etc/motd', content: 'hello\n', mode: '0644' },
    observed: { paths: { '/etc/motd': { content: 'hello\n', mode: 0o644 } } },
    changes: [],
    actions: [],
  },
  {
    name: 'only the mode differs: chmod, no write',
    params: { dest: '/etc/motd', content: 'hello\n', mode: '0600' },
    observed: { paths: { '/etc/motd': { content: 'hello\n', mode: 0o644 } } },
    changes: [{ property: 'mode', before: '0644', after: '0600' }],
    actions: ['chmod /etc/motd 0600'],
  },
]);
