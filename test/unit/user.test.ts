// user: useradd / usermod / userdel planned from getent's answers. The
// answers in recorded/getent/ are whole `getent passwd|shadow|group` outputs
// recorded in an overlay of the Debian 12 test-bed root (bookworm's shadow
// 4.13), with groups hpc (2001), wheel2 (2002), docker2 (2003) added and the
// same useradd / usermod commands run there for real.

import { readFileSync } from 'node:fs';
import { userModule } from '../../modules/user.js';
import { planTable } from './plan-table.js';

const recorded = (name: string) => readFileSync(new URL(`../../../test/unit/recorded/getent/${name}.txt`, import.meta.url), 'utf8');
const NO_SUCH_KEY = { rc: 2, stdout: '', stderr: '' }; // getent's answer for a name it does not have

planTable(userModule, [
  {
    name: 'a new user with uid, groups and shell',
    params: { name: 'alice', uid: 1500, groups: ['hpc', 'wheel2'], shell: '/bin/bash' },
    observed: {
      commands: {
        'getent passwd alice': [NO_SUCH_KEY, recorded('passwd-alice-1500')],
        'getent shadow alice': [NO_SUCH_KEY, recorded('shadow-alice')],
        'getent group': [recorded('group-before'), recorded('group-alice-hpc-wheel2')],
      },
      effects: { 'useradd -u 1500 -G hpc,wheel2 -s /bin/bash -m alice': '' },
    },
    changes: [{ property: 'state', before: 'absent', after: 'present', summary: 'add user alice (uid 1500, groups hpc,wheel2, shell /bin/bash)' }],
    actions: ['run useradd -u 1500 -G hpc,wheel2 -s /bin/bash -m alice'],
    result: { uid: 1500, group: 1500, groups: 'hpc,wheel2', home: '/home/alice', shell: '/bin/bash' },
  },
  {
    name: 'the uid differs: usermod -u',
    params: { name: 'alice', uid: 1600 },
    observed: {
      commands: {
        'getent passwd alice': [recorded('passwd-alice-1500'), recorded('passwd-alice-1600')],
        'getent shadow alice': recorded('shadow-alice'),
        'getent group': recorded('group-alice-hpc-wheel2'),
      },
      effects: { 'usermod -u 1600 alice': '' },
    },
    changes: [{ property: 'uid', before: 1500, after: 1600, summary: 'uid of alice: 1500 -> 1600' }],
    actions: ['run usermod -u 1600 alice'],
  },
  {
    name: 'groups with append adds the missing one and keeps the others',
    params: { name: 'alice', groups: 'docker2', append: true },
    observed: {
      commands: {
        'getent passwd alice': recorded('passwd-alice-1600'),
        'getent shadow alice': recorded('shadow-alice'),
        'getent group': [recorded('group-alice-hpc-wheel2'), recorded('group-alice-hpc-wheel2-docker2')],
      },
      effects: { 'usermod -a -G hpc,wheel2,docker2 alice': '' },
    },
    changes: [{ property: 'groups', before: 'hpc,wheel2', after: 'hpc,wheel2,docker2' }],
    actions: ['run usermod -a -G hpc,wheel2,docker2 alice'],
  },
  {
    name: 'groups without append: exactly these, the others are dropped',
    params: { name: 'alice', groups: ['hpc'] },
    observed: {
      commands: {
        'getent passwd alice': recorded('passwd-alice-1600'),
        'getent shadow alice': recorded('shadow-alice'),
        'getent group': [recorded('group-alice-hpc-wheel2-docker2'), recorded('group-alice-hpc')],
      },
      effects: { 'usermod -G hpc alice': '' },
    },
    changes: [{ property: 'groups', before: 'hpc,wheel2,docker2', after: 'hpc' }],
    actions: ['run usermod -G hpc alice'],
  },
  {
    name: 'uid, shell and groups (append) as they are: in sync',
    params: { name: 'alice', uid: 1600, shell: '/bin/bash', groups: ['hpc', 'wheel2'], append: true },
    observed: {
      commands: {
        'getent passwd alice': recorded('passwd-alice-1600'),
        'getent shadow alice': recorded('shadow-alice'),
        'getent group': recorded('group-alice-hpc-wheel2-docker2'),
      },
    },
    changes: [],
    actions: [],
  },
  {
    name: 'absent removes the user (and its home with remove)',
    params: { name: 'alice', state: 'absent', remove: true },
    observed: {
      commands: {
        'getent passwd alice': [recorded('passwd-alice-1600'), NO_SUCH_KEY],
        'getent shadow alice': [recorded('shadow-alice'), NO_SUCH_KEY],
        'getent group': [recorded('group-alice-hpc'), recorded('group-before')],
      },
      effects: { 'userdel -r alice': '' },
    },
    changes: [{ property: 'state', before: 'present', after: 'absent', summary: 'remove user alice and its home' }],
    actions: ['run userdel -r alice'],
  },
  {
    name: 'a supplementary group that does not exist fails before anything runs',
    params: { name: 'alice', groups: ['hpc', 'nosuchgroup'] },
    observed: {
      commands: {
        'getent passwd alice': recorded('passwd-alice-1600'),
        'getent shadow alice': recorded('shadow-alice'),
        'getent group': recorded('group-alice-hpc'),
      },
    },
    fails: /Group nosuchgroup does not exist/,
  },
]);
