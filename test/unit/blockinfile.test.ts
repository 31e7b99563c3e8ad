// blockinfile: a marked block inserted, kept or removed, planned from a scripted host.

import { blockinfileModule } from '../../modules/blockinfile.js';
import { planTable } from './plan-table.js';

const BLOCK = '# BEGIN ANSIBLE MANAGED BLOCK\na=1\n# END ANSIBLE MANAGED BLOCK\n';

planTable(blockinfileModule, [
  {
    name: 'a new block goes at the end between markers',
    params: { path: '/etc/f', block: 'a=1\nb=2' },
    observed: { paths: { '/etc/f': { content: 'top\n' } } },
    changes: [{ property: 'content', summary: 'Block inserted: /etc/f' }],
    actions: ['write /etc/f 0644'],
    after: { '/etc/f': 'top\n# BEGIN ANSIBLE MANAGED BLOCK\na=1\nb=2\n# END ANSIBLE MANAGED BLOCK\n' },
  },
  {
    name: 'the same block is in sync',
    params: { path: '/etc/f', block: 'a=1' },
    observed: { paths: { '/etc/f': { content: `top\n${BLOCK}` } } },
    changes: [],
    actions: [],
  },
  {
    name: 'absent removes the block and its markers',
    params: { path: '/etc/f', block: 'a=1', state: 'absent' },
    observed: { paths: { '/etc/f': { content: `top\n${BLOCK}` } } },
    changes: [{ property: 'content', summary: 'Block removed: /etc/f' }],
    after: { '/etc/f': 'top\n' },
  },
]);
