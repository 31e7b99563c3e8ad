// ini_file: an option in a section set or added, planned from a scripted host.

import { iniFileModule } from '../../modules/ini-file.js';
import { planTable } from './plan-table.js';

planTable(iniFileModule, [
  {
    name: 'a changed option is rewritten as Ansible writes it',
    params: { path: '/etc/f', section: 'main', option: 'gpgcheck', value: '1' },
    observed: { paths: { '/etc/f': { content: '[main]\ngpgcheck=0\n' } } },
    changes: [{ property: 'content', summary: 'option changed: /etc/f' }],
    actions: ['write /etc/f 0644'],
    after: { '/etc/f': '[main]\ngpgcheck = 1\n' },
  },
  {
    name: 'the option with its value is in sync',
    params: { path: '/etc/f', section: 'main', option: 'gpgcheck', value: '1' },
    observed: { paths: { '/etc/f': { content: '[main]\ngpgcheck = 1\n' } } },
    changes: [],
    actions: [],
  },
  {
    name: 'a missing section is added with its option',
    params: { path: '/etc/f', section: 'new', option: 'x', value: 'y' },
    observed: { paths: { '/etc/f': { content: '[main]\ngpgcheck=1\n' } } },
    changes: [{ property: 'content', summary: 'section and option added: /etc/f' }],
    after: { '/etc/f': '[main]\ngpgcheck=1\n[new]\nx = y\n' },
  },
]);
