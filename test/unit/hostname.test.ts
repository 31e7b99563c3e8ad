// hostname: hostnamectl with systemd running, /etc/hostname without it,
// planned from a scripted host. The hostnamectl and `hostname --fqdn` answers
// were recorded in a Debian 12 test-bed host (systemd 252, `npm run testbed --
// up debian12`, its name t17a-bed): setting the static name there changes the
// transient one too, and the transient set-hostname that follows says so on
// stderr with rc 0; `hostname --fqdn` fails (rc 1) while the new name is not
// in /etc/hosts.

import { hostnameModule } from '../../modules/hostname.js';
import { planTable } from './plan-table.js';

const STATIC = 'hostnamectl --static status';
const TRANSIENT = 'hostnamectl --transient status';
const FQDN = 'hostname --fqdn';
const NO_FQDN = { rc: 1, stdout: '', stderr: 'hostname: Name or service not known\n' };
const HINT = { rc: 0, stdout: '', stderr: 'Hint: static hostname is already set, so the specified transient hostname will not be used.\n' };
const offline = { systemd_running: false };

planTable(hostnameModule, [
  {
    name: 'systemd: the static name, then the running one, with hostnamectl',
    params: { name: 'head01' },
    observed: {
      commands: { [STATIC]: ['t17a-bed\n', 'head01\n'], [TRANSIENT]: ['t17a-bed\n', 'head01\n'], [FQDN]: NO_FQDN },
      effects: { 'hostnamectl --pretty --static set-hostname head01': '', 'hostnamectl --transient set-hostname head01': HINT },
    },
    changes: [
      { property: 'static hostname', before: 't17a-bed', after: 'head01', summary: 'would set the static hostname to head01' },
      { property: 'hostname', before: 't17a-bed', after: 'head01', summary: 'would set the running hostname to head01' },
    ],
    actions: ['run hostnamectl --pretty --static set-hostname head01', 'run hostnamectl --transient set-hostname head01'],
  },
  {
    name: 'systemd: only the running name differs',
    params: { name: 'head01' },
    observed: {
      commands: { [STATIC]: 'head01\n', [TRANSIENT]: ['localhost\n', 'head01\n'], [FQDN]: 'head01.cluster.example\n' },
      effects: { 'hostnamectl --transient set-hostname head01': '' },
    },
    changes: [{ property: 'hostname', before: 'localhost', after: 'head01' }],
    actions: ['run hostnamectl --transient set-hostname head01'],
  },
  {
    name: 'systemd: both names set: in sync',
    params: { name: 'head01' },
    observed: { commands: { [STATIC]: 'head01\n', [TRANSIENT]: 'head01\n', [FQDN]: 'head01.cluster.example\n' } },
    changes: [],
    actions: [],
  },
  {
    name: 'without systemd running: /etc/hostname is written',
    params: { name: 'node001' },
    observed: { facts: offline, paths: { '/etc/hostname': { content: 'localhost\n' } } },
    changes: [{ property: 'content', summary: 'update content of /etc/hostname' }],
    actions: ['write /etc/hostname 0644'],
    after: { '/etc/hostname': 'node001\n' },
  },
  {
    name: 'without systemd running, /etc/hostname has the name: in sync',
    params: { name: 'node001' },
    observed: { facts: offline, paths: { '/etc/hostname': { content: 'node001\n' } } },
    changes: [],
    actions: [],
  },
  {
    name: 'a strategy other than systemd is refused before anything runs',
    params: { name: 'head01', use: 'redhat' },
    observed: {},
    fails: /use: redhat is not supported by converge/,
  },
]);
