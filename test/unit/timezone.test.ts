// timezone: timedatectl with systemd running, the /etc/localtime link (and
// Debian's /etc/timezone) in a tree without it, planned from a scripted host.
// The timedatectl answers were recorded in a Debian 12 test-bed host
// (systemd 252, `npm run testbed -- up debian12`): `LC_ALL=C timedatectl show
// -p Timezone -p LocalRTC` before and after `timedatectl set-timezone
// Europe/Berlin` and `set-local-rtc yes` (both print nothing, rc 0); the
// zoneinfo layout is that host's (Europe/Berlin a file, UTC a link to Etc/UTC).

import { timezoneModule } from '../../modules/timezone.js';
import { planTable } from './plan-table.js';

const SHOW = 'timedatectl show -p Timezone -p LocalRTC';
const zoneinfo = {
  '/usr/share/zoneinfo/Europe/Berlin': { content: 'TZif2' },
  '/usr/share/zoneinfo/Etc/UTC': { content: 'TZif2' },
  '/usr/share/zoneinfo/UTC': { link: 'Etc/UTC' },
};

planTable(timezoneModule, [
  {
    name: 'a new zone is set with timedatectl',
    params: { name: 'Europe/Berlin' },
    observed: {
      paths: zoneinfo,
      commands: { [SHOW]: ['Timezone=Etc/UTC\nLocalRTC=no\n', 'Timezone=Europe/Berlin\nLocalRTC=no\n'] },
      effects: { 'timedatectl set-timezone Europe/Berlin': '' },
    },
    changes: [{ property: 'timezone', before: 'Etc/UTC', after: 'Europe/Berlin', summary: 'would set the time zone to Europe/Berlin' }],
    actions: ['run timedatectl set-timezone Europe/Berlin'],
  },
  {
    name: 'the zone already set: in sync',
    params: { name: 'Etc/UTC' },
    observed: { paths: zoneinfo, commands: { [SHOW]: 'Timezone=Etc/UTC\nLocalRTC=no\n' } },
    changes: [],
    actions: [],
  },
  {
    name: 'the hardware clock is switched to local time, the zone kept',
    params: { name: 'Europe/Berlin', hwclock: 'local' },
    observed: {
      paths: zoneinfo,
      commands: { [SHOW]: ['Timezone=Europe/Berlin\nLocalRTC=no\n', 'Timezone=Europe/Berlin\nLocalRTC=yes\n'] },
      effects: { 'timedatectl set-local-rtc yes': '' },
    },
    changes: [{ property: 'hwclock', before: 'UTC', after: 'local', summary: 'would keep the hardware clock in local time' }],
    actions: ['run timedatectl set-local-rtc yes'],
  },
  {
    name: 'without systemd running (an image tree): the /etc/localtime link and /etc/timezone',
    params: { name: 'Europe/Berlin' },
    observed: {
      facts: { systemd_running: false },
      paths: { ...zoneinfo, '/etc/localtime': { link: '/usr/share/zoneinfo/Etc/UTC' }, '/etc/timezone': { content: 'Etc/UTC\n' } },
    },
    changes: [
      { property: 'timezone', before: 'Etc/UTC', after: 'Europe/Berlin', summary: 'would link /etc/localtime to ../usr/share/zoneinfo/Europe/Berlin' },
      { property: 'content', summary: 'update content of /etc/timezone' },
    ],
    actions: ['remove /etc/localtime', 'symlink /etc/localtime -> ../usr/share/zoneinfo/Europe/Berlin', 'write /etc/timezone 0644'],
    after: { '/etc/timezone': 'Europe/Berlin\n' },
  },
  {
    name: 'a zone the host has no zoneinfo file for fails before timedatectl is asked',
    params: { name: 'Mars/Olympus' },
    observed: { paths: zoneinfo },
    fails: /given timezone "Mars\/Olympus" is not available/,
  },
]);
