// reboot: planned on a scripted SSH host (one that can be reconnected to) and
// run through: shutdown, reconnect, a new boot id, test_command. It reboots
// every time it runs, so there is no in-sync row; its plan-time failures are
// a host that cannot be reconnected to and commands that would need a shell.
// The first boot id is the build machine's /proc/sys/kernel/random/boot_id;
// the second is a /proc/sys/kernel/random/uuid read next to it (the kernel
// draws the boot id the same way, once per boot, and this machine was not
// rebooted to record one). shutdown's stdout is not read, only its exit code.

import { rebootModule } from '../../modules/reboot.js';
import { planTable } from './plan-table.js';

const BOOT_ID = 'cat /proc/sys/kernel/random/boot_id';
const BOOTS = ['60d71ca5-8a90-4270-a6d4-301689ecc835\n', '43c01241-cefd-496e-8b8a-18f64cd21aae\n'];

planTable(rebootModule, [
  {
    name: 'an SSH host: shutdown -r now, back with a new boot id and whoami passing',
    params: {},
    observed: {
      reconnects: true,
      commands: { [BOOT_ID]: BOOTS, whoami: 'root\n' },
      effects: { 'shutdown -r now Reboot initiated by converge': '' },
    },
    changes: [{ property: 'reboot', summary: 'would reboot scripted and wait up to 600 s for it', repeats: true }],
    actions: ['run shutdown -r now Reboot initiated by converge', 'reconnect'],
    result: { rebooted: true },
  },
  {
    name: 'reboot_command and test_command given as plain words',
    params: { reboot_command: 'systemctl reboot', test_command: 'systemctl is-system-running', reboot_timeout: 300 },
    observed: {
      reconnects: true,
      commands: { [BOOT_ID]: BOOTS, 'systemctl is-system-running': 'running\n' },
      effects: { 'systemctl reboot': '' },
    },
    changes: [{ property: 'reboot', summary: 'would reboot scripted and wait up to 300 s for it' }],
    actions: ['run systemctl reboot', 'reconnect'],
    result: { rebooted: true },
  },
  {
    name: 'the machine converge runs on (no reconnect) is refused',
    params: {},
    observed: {},
    fails: /reboot needs a host reached over SSH: scripted is the machine converge runs on/,
  },
  {
    name: 'a test_command that needs a shell is refused before the reboot',
    params: { test_command: 'systemctl is-active sshd && true' },
    observed: { reconnects: true },
    fails: /test_command is run without a shell: give plain words \(no quotes or shell characters\), got 'systemctl is-active sshd && true'/,
  },
]);
