// seboolean: getsebool for the running value, semanage's list for the kept
// one, setsebool (-P) to change them, planned from a scripted host. SELinux
// cannot run on the build machine, so these answers are in the output format
// of the FAKE getsebool and semanage of test/modules/selinux-fake-tools.test.ts
// (`NAME --> on`; `semanage boolean -l -n`: NAME padded to 32, `(cur  ,  kept)`,
// then the description), not recorded from a real policy.

import { sebooleanModule } from '../../modules/seboolean.js';
import { planTable } from './plan-table.js';

const ENFORCING = { '/sys/fs/selinux/enforce': { content: '1\n' } };
const list = (current: string, kept: string) => `${'tftp_home_dir'.padEnd(32)}(${current.padEnd(5)},${kept.padStart(5)})  tftp_home_dir\n`;

planTable(sebooleanModule, [
  {
    name: 'a boolean that is off is set on, persistently',
    params: { name: 'tftp_home_dir', state: true, persistent: true },
    observed: {
      paths: ENFORCING,
      commands: {
        'getsebool tftp_home_dir': ['tftp_home_dir --> off\n', 'tftp_home_dir --> on\n'],
        'semanage boolean -l -n': [list('off', 'off'), list('on', 'on')],
      },
      effects: { 'setsebool -P tftp_home_dir on': '' },
    },
    changes: [{ property: 'boolean:tftp_home_dir', before: 'off, persistent off', after: 'on, persistent on', summary: 'would run setsebool -P tftp_home_dir on' }],
    actions: ['run setsebool -P tftp_home_dir on'],
  },
  {
    name: 'on now and kept on: in sync',
    params: { name: 'tftp_home_dir', state: true, persistent: true },
    observed: { paths: ENFORCING, commands: { 'getsebool tftp_home_dir': 'tftp_home_dir --> on\n', 'semanage boolean -l -n': list('on', 'on') } },
    changes: [],
    actions: [],
  },
  {
    name: 'on now but kept off: persistent asks for setsebool -P',
    params: { name: 'tftp_home_dir', state: true, persistent: true },
    observed: {
      paths: ENFORCING,
      commands: { 'getsebool tftp_home_dir': 'tftp_home_dir --> on\n', 'semanage boolean -l -n': [list('on', 'off'), list('on', 'on')] },
      effects: { 'setsebool -P tftp_home_dir on': '' },
    },
    changes: [{ property: 'boolean:tftp_home_dir', before: 'on, persistent off', after: 'on, persistent on', summary: 'would run setsebool -P tftp_home_dir on' }],
    actions: ['run setsebool -P tftp_home_dir on'],
  },
  {
    name: 'a boolean the policy does not have fails',
    params: { name: 'no_such_bool', state: true },
    observed: { paths: ENFORCING, commands: { 'getsebool no_such_bool': { rc: 1, stdout: '', stderr: 'Error getting active value for no_such_bool\n' } } },
    fails: /SELinux boolean no_such_bool does not exist\./,
  },
  {
    name: 'a host where SELinux does not run is refused before any tool is asked',
    params: { name: 'tftp_home_dir', state: true },
    observed: {},
    fails: /SELinux is disabled on this host\./,
  },
]);
