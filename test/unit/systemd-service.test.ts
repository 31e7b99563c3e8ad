// systemd_service: the unit observed with one full `systemctl show` (every
// property, for the registered status), planned from a scripted host. The
// answers in recorded/systemctl-show/ are whole `LC_ALL=C systemctl show UNIT
// --no-pager` outputs from a Debian 12 test-bed host (systemd 252, `npm run
// testbed -- up debian12`) for a unit t17b-worker.service (sleep infinity, an
// ExecReload) as it went: stopped and disabled, enabled and started, its file
// edited without daemon-reload, reloaded; and for a unit that does not exist.

import { readFileSync } from 'node:fs';
import { systemdServiceModule } from '../../modules/systemd-service.js';
import { planTable } from './plan-table.js';

const recorded = (state: string) => readFileSync(new URL(`../../../test/unit/recorded/systemctl-show/${state}.txt`, import.meta.url), 'utf8');
const SHOW = 'systemctl show t17b-worker.service --no-pager';

planTable(systemdServiceModule, [
  {
    name: 'a stopped, disabled unit is enabled and started without waiting (no_block)',
    params: { name: 't17b-worker', state: 'started', enabled: true, no_block: true },
    observed: {
      commands: { [SHOW]: [recorded('stopped'), recorded('running')] },
      effects: {
        'systemctl enable t17b-worker.service': { rc: 0, stdout: '', stderr: 'Created symlink /etc/systemd/system/multi-user.target.wants/t17b-worker.service -> /etc/systemd/system/t17b-worker.service.\n' },
        'systemctl --no-block start t17b-worker.service': '',
      },
    },
    changes: [
      { property: 'enabled', before: 'disabled', after: 'enabled', summary: 'would enable t17b-worker' },
      { property: 'state', before: 'inactive', after: 'started', summary: 'would start t17b-worker' },
    ],
    actions: ['run systemctl enable t17b-worker.service', 'run systemctl --no-block start t17b-worker.service'],
  },
  {
    name: 'running and enabled: in sync',
    params: { unit: 't17b-worker.service', state: 'started', enabled: true },
    observed: { commands: { [SHOW]: recorded('running') } },
    changes: [],
    actions: [],
  },
  {
    name: 'a unit file changed on disk is reloaded into systemd (NeedDaemonReload=yes)',
    params: { name: 't17b-worker', state: 'started', daemon_reload: true },
    observed: {
      commands: { [SHOW]: [recorded('needreload'), recorded('reloaded')] },
      effects: { 'systemctl daemon-reload': '' },
    },
    changes: [{ property: 'daemon-reload', before: 'unit file changed on disk', after: 'reloaded', summary: "would reload systemd's unit files" }],
    actions: ['run systemctl daemon-reload'],
  },
  {
    name: 'a unit systemd does not know fails (LoadState=not-found)',
    params: { name: 'cvg-nosuch', state: 'started' },
    observed: { commands: { 'systemctl show cvg-nosuch.service --no-pager': recorded('notfound') } },
    fails: /unit cvg-nosuch\.service not found on scripted/,
  },
  {
    name: 'masked and started together are refused',
    params: { name: 't17b-worker', state: 'started', masked: true },
    observed: {},
    fails: /a masked unit cannot be started/,
  },
]);
