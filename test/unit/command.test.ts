// command and shell: what creates/removes decide at plan time, and what runs.
// Neither is verified by a re-plan (a command's effect is unknown), so a row
// that runs lists the path the command leaves (`sets`). The answers are real:
// ssh-keygen -A and rm were run on the Debian 12 build machine (OpenSSH 9.2,
// coreutils 9.1) in a scratch directory and their output copied here.

import { commandModule, shellModule } from '../../modules/command.js';
import { planTable } from './plan-table.js';

const HOST_KEY = '/etc/ssh/ssh_host_ed25519_key';
const KEYGEN_OUT = 'ssh-keygen: generating new host keys: RSA ECDSA ED25519 \n';

planTable(commandModule, [
  {
    name: 'creates is missing: the command runs, its output registered',
    params: { cmd: 'ssh-keygen -A', creates: HOST_KEY },
    observed: {
      paths: { '/etc/ssh': { dir: true } },
      effects: { 'ssh-keygen -A': { rc: 0, stdout: KEYGEN_OUT, stderr: '', sets: { [HOST_KEY]: { content: 'key', mode: 0o600 } } } },
    },
    changes: [{ property: 'command', summary: 'would run: ssh-keygen -A' }],
    actions: ['run ssh-keygen -A'],
    result: { cmd: ['ssh-keygen', '-A'], rc: 0, stdout: 'ssh-keygen: generating new host keys: RSA ECDSA ED25519 ', stdout_lines: ['ssh-keygen: generating new host keys: RSA ECDSA ED25519 '] },
  },
  {
    name: 'creates exists: skipped, nothing runs',
    params: { cmd: 'ssh-keygen -A', creates: HOST_KEY },
    observed: { paths: { [HOST_KEY]: { content: 'key', mode: 0o600 } } },
    skipped: /^\/etc\/ssh\/ssh_host_ed25519_key exists$/,
    changes: [],
    actions: [],
    result: { rc: 0, stdout: 'skipped, since /etc/ssh/ssh_host_ed25519_key exists' },
  },
  {
    name: 'a glob in creates matches any entry of the directory',
    params: { cmd: 'rpmbuild -bb app.spec', chdir: '/srv/build', creates: 'RPMS/*.rpm' },
    observed: { paths: { '/srv/build/RPMS/app-1.0-1.noarch.rpm': { content: 'rpm' } } },
    skipped: /^\/srv\/build\/RPMS\/\*\.rpm exists$/,
    changes: [],
    actions: [],
  },
  {
    name: 'removes is missing: skipped',
    params: { argv: ['rm', 'app.lock'], chdir: '/run/app', removes: '/run/app/app.lock' },
    observed: { paths: { '/run/app': { dir: true } } },
    skipped: /^\/run\/app\/app\.lock does not exist$/,
    changes: [],
    actions: [],
  },
  {
    name: 'removes exists: the command runs in chdir',
    params: { argv: ['rm', 'app.lock'], chdir: '/run/app', removes: '/run/app/app.lock' },
    observed: { paths: { '/run/app/app.lock': { content: '' } }, effects: { 'rm app.lock': '' } },
    changes: [{ property: 'command', summary: 'would run: rm app.lock' }],
    actions: ['run rm app.lock'],
  },
  {
    name: 'a non-zero exit fails the run, with the first line of stderr',
    params: { argv: ['rm', 'app.lock'], chdir: '/run/app' },
    observed: { paths: { '/run/app': { dir: true } }, effects: { 'rm app.lock': { rc: 1, stdout: '', stderr: "rm: cannot remove 'app.lock': No such file or directory\n" } } },
    changes: [{ property: 'command', summary: 'would run: rm app.lock' }],
    actions: ['run rm app.lock'],
    runFails: /non-zero return code 1: rm: cannot remove 'app\.lock': No such file or directory/,
  },
  {
    name: 'a relative creates without chdir fails before anything runs',
    params: { cmd: 'ssh-keygen -A', creates: 'etc/ssh/ssh_host_ed25519_key' },
    observed: {},
    fails: /creates must be an absolute path \(or relative to chdir\): etc\/ssh\/ssh_host_ed25519_key/,
  },
]);

planTable(shellModule, [
  {
    name: 'creates is missing: the text runs with /bin/sh -c',
    params: { cmd: 'ssh-keygen -A 2>&1 | tee /var/log/keygen.log', creates: HOST_KEY },
    observed: {
      paths: { '/etc/ssh': { dir: true } },
      effects: { '/bin/sh -c ssh-keygen -A 2>&1 | tee /var/log/keygen.log': { rc: 0, stdout: KEYGEN_OUT, stderr: '', sets: { [HOST_KEY]: { content: 'key' }, '/var/log/keygen.log': { content: KEYGEN_OUT } } } },
    },
    changes: [{ property: 'command', summary: 'would run: ssh-keygen -A 2>&1 | tee /var/log/keygen.log' }],
    actions: ['run /bin/sh -c ssh-keygen -A 2>&1 | tee /var/log/keygen.log'],
    result: { cmd: 'ssh-keygen -A 2>&1 | tee /var/log/keygen.log', rc: 0 },
  },
  {
    name: 'creates exists: skipped',
    params: { cmd: 'ssh-keygen -A 2>&1 | tee /var/log/keygen.log', creates: HOST_KEY },
    observed: { paths: { [HOST_KEY]: { content: 'key' } } },
    skipped: /ssh_host_ed25519_key exists/,
    changes: [],
    actions: [],
  },
  {
    name: 'a chdir that is not a directory fails before anything runs',
    params: { cmd: 'make install', chdir: '/srv/src/app' },
    observed: { paths: { '/srv/src': { dir: true } } },
    fails: /chdir \/srv\/src\/app is not a directory/,
  },
]);
