// cron: a "#Ansible: NAME" job in a user's crontab (crontab -l / crontab -)
// or in a file under /etc/cron.d, planned from a scripted host. The crontab
// answers were recorded in a Debian 12 test-bed host with Debian's cron
// 3.0pl1 installed: `crontab -u alice -l` says "no crontab for alice" (rc 1)
// before the first install and prints the installed lines without the "DO NOT
// EDIT" header afterwards; `crontab -u alice -` prints nothing. The cron_file
// contents (and the file's removal when its last job goes) are what
// ansible-core 2.14's cron writes for the same tasks.

import { cronModule } from '../../modules/cron.js';
import { planTable } from './plan-table.js';

const LIST = 'crontab -u alice -l';
const INSTALL = 'crontab -u alice -';
const NONE = { rc: 1, stdout: '', stderr: 'no crontab for alice\n' };
const WITH_JOB = 'MAILTO=ops@example.org\n#Ansible: backup\n0 2 * * * /usr/local/bin/backup\n';
const backup = { name: 'backup', minute: '0', hour: '2', job: '/usr/local/bin/backup' };

planTable(cronModule, [
  {
    name: 'a new job in a user without a crontab',
    params: { ...backup, user: 'alice' },
    observed: { commands: { [LIST]: [NONE, '#Ansible: backup\n0 2 * * * /usr/local/bin/backup\n'] }, effects: { [INSTALL]: '' } },
    changes: [{ property: 'content', summary: 'create crontab of alice' }],
    actions: [`run ${INSTALL}`],
    stdin: { [INSTALL]: '#Ansible: backup\n0 2 * * * /usr/local/bin/backup\n' },
  },
  {
    name: 'the job already there: in sync',
    params: { ...backup, user: 'alice' },
    observed: { commands: { [LIST]: WITH_JOB } },
    changes: [],
    actions: [],
  },
  {
    name: 'disabled comments the job out, other lines stay',
    params: { ...backup, user: 'alice', disabled: true },
    observed: {
      commands: { [LIST]: [WITH_JOB, 'MAILTO=ops@example.org\n#Ansible: backup\n#0 2 * * * /usr/local/bin/backup\n'] },
      effects: { [INSTALL]: '' },
    },
    changes: [{ property: 'content', summary: 'update content of crontab of alice' }],
    actions: [`run ${INSTALL}`],
    stdin: { [INSTALL]: 'MAILTO=ops@example.org\n#Ansible: backup\n#0 2 * * * /usr/local/bin/backup\n' },
  },
  {
    name: 'a cron_file in /etc/cron.d names the user on the job line',
    params: { ...backup, user: 'root', cron_file: 'backup' },
    observed: { paths: { '/etc/cron.d': { dir: true } } },
    changes: [{ property: 'content', summary: 'create /etc/cron.d/backup' }],
    actions: ['write /etc/cron.d/backup 0644'],
    after: { '/etc/cron.d/backup': '#Ansible: backup\n0 2 * * * root /usr/local/bin/backup\n' },
  },
  {
    name: 'absent removes a cron_file left without jobs',
    params: { name: 'backup', user: 'root', cron_file: 'backup', state: 'absent' },
    observed: { paths: { '/etc/cron.d/backup': { content: '#Ansible: backup\n0 2 * * * root /usr/local/bin/backup\n' } } },
    changes: [{ property: 'state', before: 'file', after: 'absent', summary: 'remove /etc/cron.d/backup (no job left)' }],
    actions: ['remove /etc/cron.d/backup'],
  },
  {
    name: 'cron_file without user fails before anything is read',
    params: { ...backup, cron_file: 'backup' },
    observed: {},
    fails: /To use cron_file=\.\.\. parameter you must specify user=\.\.\. as well/,
  },
]);
