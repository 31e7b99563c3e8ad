// raw: the text is run by /bin/sh -c (or executable) every time; --check only
// says so. Its answers are real: the same texts were run on the Debian 12
// build machine (dash, bash 5.2.15, coreutils 9.1) and their output copied.
// Nothing is decided at plan time, so its failure is the run's: a non-zero exit.

import { rawModule } from '../../modules/raw.js';
import { planTable } from './plan-table.js';

planTable(rawModule, [
  {
    name: 'runs with /bin/sh -c, output registered',
    params: { free_form: 'uname -s; id -un' },
    observed: { effects: { '/bin/sh -c uname -s; id -un': 'Linux\nroot\n' } },
    changes: [{ property: 'command', summary: 'run: uname -s; id -un' }],
    actions: ['run /bin/sh -c uname -s; id -un'],
    result: { rc: 0, stdout: 'Linux\nroot\n', stdout_lines: ['Linux', 'root'], stderr_lines: [] },
  },
  {
    name: 'another executable',
    params: { free_form: 'echo $BASH_VERSION >&2; echo ok', executable: '/bin/bash' },
    observed: { effects: { '/bin/bash -c echo $BASH_VERSION >&2; echo ok': { rc: 0, stdout: 'ok\n', stderr: '5.2.15(1)-release\n' } } },
    changes: [{ property: 'command' }],
    actions: ['run /bin/bash -c echo $BASH_VERSION >&2; echo ok'],
    result: { stdout_lines: ['ok'], stderr_lines: ['5.2.15(1)-release'] },
  },
  {
    name: 'a non-zero exit fails the run',
    params: { free_form: 'ls /opt/nosuch' },
    observed: { effects: { '/bin/sh -c ls /opt/nosuch': { rc: 2, stdout: '', stderr: "ls: cannot access '/opt/nosuch': No such file or directory\n" } } },
    changes: [{ property: 'command', summary: 'run: ls /opt/nosuch' }],
    actions: ['run /bin/sh -c ls /opt/nosuch'],
    runFails: /non-zero return code 2/,
  },
]);
