// tempfile: always a new file or directory (changed on every run, like
// Ansible); what --check says and the mktemp that runs. The mktemp answers are
// real ones, recorded on the Debian 12 build machine (coreutils 9.1).
// There is no plan-time failure: a prefix or suffix with a slash is refused by
// the schema, and a directory mktemp cannot write to fails when it runs.

import { tempfileModule } from '../../modules/tempfile.js';
import { planTable } from './plan-table.js';

planTable(tempfileModule, [
  {
    name: 'a file in $TMPDIR or /tmp, its path registered',
    params: {},
    observed: { effects: { 'mktemp --tmpdir ansible.XXXXXXXX': { rc: 0, stdout: '/tmp/ansible.hDMruZoD\n', stderr: '', sets: { '/tmp/ansible.hDMruZoD': { content: '', mode: 0o600 } } } } },
    changes: [{ property: 'state', before: 'absent', after: 'file', summary: 'create a temporary file in $TMPDIR or /tmp', repeats: true }],
    actions: ['run mktemp --tmpdir ansible.XXXXXXXX'],
    result: { path: '/tmp/ansible.hDMruZoD' },
  },
  {
    name: 'a directory in a given path with a suffix',
    params: { state: 'directory', path: '/var/tmp', suffix: '.build' },
    observed: { effects: { 'mktemp -d --tmpdir=/var/tmp --suffix=.build ansible.XXXXXXXX': { rc: 0, stdout: '/var/tmp/ansible.FlbBZWT9.build\n', stderr: '', sets: { '/var/tmp/ansible.FlbBZWT9.build': { dir: true, mode: 0o700 } } } } },
    changes: [{ property: 'state', before: 'absent', after: 'directory', summary: 'create a temporary directory in /var/tmp' }],
    actions: ['run mktemp -d --tmpdir=/var/tmp --suffix=.build ansible.XXXXXXXX'],
    result: { path: '/var/tmp/ansible.FlbBZWT9.build' },
  },
]);
