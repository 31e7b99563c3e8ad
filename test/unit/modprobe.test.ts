// modprobe: a kernel module loaded, judged from /proc/modules, planned from a scripted host.

import { modprobeModule } from '../../modules/modprobe.js';
import { planTable } from './plan-table.js';

planTable(modprobeModule, [
  {
    name: 'a module that is not loaded is loaded',
    params: { name: 'nfsd' },
    observed: {
      paths: { '/proc/modules': { content: 'lockd 1 0 - Live 0x0\n' } },
      effects: { 'modprobe nfsd': { rc: 0, stdout: '', stderr: '', sets: { '/proc/modules': { content: 'nfsd 1 0 - Live 0x0\nlockd 1 0 - Live 0x0\n' } } } },
    },
    changes: [{ property: 'loaded', before: false, after: true }],
    actions: ['run modprobe nfsd'],
  },
  {
    name: 'a loaded module is in sync',
    params: { name: 'nfsd' },
    observed: { paths: { '/proc/modules': { content: 'nfsd 1 0 - Live 0x0\n' } } },
    changes: [],
    actions: [],
  },
]);
