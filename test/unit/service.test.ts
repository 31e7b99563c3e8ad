// service: started and enabled from what `systemctl show` answers (recorded
// before and after), planned from a scripted host.

import { serviceModule } from '../../modules/service.js';
import { planTable } from './plan-table.js';

const SHOW = 'systemctl show nginx.service --no-pager -p LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload,CanReload';
const unit = (active: string, sub: string, file: string) =>
  `LoadState=loaded\nActiveState=${active}\nSubState=${sub}\nUnitFileState=${file}\nNeedDaemonReload=no\nCanReload=yes\n`;
const STOPPED = unit('inactive', 'dead', 'disabled');
const RUNNING = unit('active', 'running', 'enabled');

planTable(serviceModule, [
  {
    name: 'a stopped, disabled unit is enabled and started',
    params: { name: 'nginx', state: 'started', enabled: true },
    observed: {
      commands: { [SHOW]: [STOPPED, RUNNING] },
      effects: { 'systemctl enable nginx.service': '', 'systemctl start nginx.service': '' },
    },
    changes: [
      { property: 'enabled', before: 'disabled', after: 'enabled', summary: 'would enable nginx' },
      { property: 'state', before: 'inactive', after: 'started', summary: 'would start nginx' },
    ],
    actions: ['run systemctl enable nginx.service', 'run systemctl start nginx.service'],
  },
  {
    name: 'running and enabled: in sync, one systemctl show',
    params: { name: 'nginx', state: 'started', enabled: true },
    observed: { commands: { [SHOW]: RUNNING } },
    changes: [],
    actions: [],
  },
]);
