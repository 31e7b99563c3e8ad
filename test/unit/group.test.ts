// group: groupadd / groupmod / groupdel judged from `getent group NAME`,
// planned from a scripted host. The getent answers (rc 2 and no output for a
// missing group) and the gids were recorded in a Debian 12 test-bed host
// (`npm run testbed -- up debian12`) around the same groupadd/groupmod/groupdel
// commands, which print nothing on success.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupModule } from '../../modules/group.js';
import { validateModuleParams } from '../../src/config/module-params.js';
import { planTable } from './plan-table.js';

test('group: non_unique without a gid is refused before any host is asked', () => {
  assert.throws(() => validateModuleParams(groupModule, { name: 'hpcusers', non_unique: true }), /missing required parameter 'gid'/);
});

const GETENT = 'getent group hpcusers';
const MISSING = { rc: 2, stdout: '', stderr: '' };

planTable(groupModule, [
  {
    name: 'a missing group is added with its gid',
    params: { name: 'hpcusers', gid: 2001 },
    observed: { commands: { [GETENT]: [MISSING, 'hpcusers:x:2001:\n'] }, effects: { 'groupadd -g 2001 hpcusers': '' } },
    changes: [{ property: 'state', before: 'absent', after: 'present', summary: 'add group hpcusers (gid 2001)' }],
    actions: ['run groupadd -g 2001 hpcusers'],
  },
  {
    name: 'a system group takes its gid from the system range',
    params: { name: 'svc', system: true },
    observed: { commands: { 'getent group svc': [MISSING, 'svc:x:997:\n'] }, effects: { 'groupadd -r svc': '' } },
    changes: [{ property: 'state', before: 'absent', after: 'present', summary: 'add group svc' }],
    actions: ['run groupadd -r svc'],
  },
  {
    name: 'a gid that differs is changed with groupmod',
    params: { name: 'hpcusers', gid: 2002 },
    observed: { commands: { [GETENT]: ['hpcusers:x:2001:\n', 'hpcusers:x:2002:\n'] }, effects: { 'groupmod -g 2002 hpcusers': '' } },
    changes: [{ property: 'gid', before: 2001, after: 2002, summary: 'change gid of hpcusers from 2001 to 2002' }],
    actions: ['run groupmod -g 2002 hpcusers'],
  },
  {
    name: 'present with its gid (members do not matter): in sync',
    params: { name: 'hpcusers', gid: 2001 },
    observed: { commands: { [GETENT]: 'hpcusers:x:2001:alice,bob\n' } },
    changes: [],
    actions: [],
  },
  {
    name: 'absent removes the group, with groupdel',
    params: { name: 'hpcusers', state: 'absent' },
    observed: { commands: { [GETENT]: ['hpcusers:x:2002:\n', MISSING] }, effects: { 'groupdel hpcusers': '' } },
    changes: [{ property: 'state', before: 'present', after: 'absent', summary: 'remove group hpcusers' }],
    actions: ['run groupdel hpcusers'],
  },
]);
