// sefcontext: the local file-context rule from `semanage fcontext -l -C -n`,
// changed with semanage fcontext -a/-m/-d, planned from a scripted host.
// SELinux cannot run on the build machine, so the listing is in the output
// format of the FAKE semanage of test/modules/selinux-fake-tools.test.ts
// (pattern padded to 40, file type padded to 20, then the context), not
// recorded from a real policy store.

import { sefcontextModule } from '../../modules/sefcontext.js';
import { planTable } from './plan-table.js';

const ENFORCING = { '/sys/fs/selinux/enforce': { content: '1\n' } };
const TARGET = '/srv/tftp(/.*)?';
const LIST = 'semanage fcontext -l -C -n';
const rule = (setype: string) => `${TARGET.padEnd(40)}${'all files'.padEnd(20)}system_u:object_r:${setype}:s0\n`;

planTable(sefcontextModule, [
  {
    name: 'a missing rule is added',
    params: { target: TARGET, setype: 'tftpdir_t' },
    observed: { paths: ENFORCING, commands: { [LIST]: ['', rule('tftpdir_t')] }, effects: { [`semanage fcontext -a -t tftpdir_t -f a ${TARGET}`]: '' } },
    changes: [{ property: `fcontext:${TARGET}`, before: 'absent', after: 'tftpdir_t', summary: `would run semanage fcontext -a -t tftpdir_t -f a ${TARGET}` }],
    actions: [`run semanage fcontext -a -t tftpdir_t -f a ${TARGET}`],
  },
  {
    name: 'the rule with its type: in sync',
    params: { target: TARGET, setype: 'tftpdir_t' },
    observed: { paths: ENFORCING, commands: { [LIST]: rule('tftpdir_t') } },
    changes: [],
    actions: [],
  },
  {
    name: 'another type is modified in place (-m), without a policy reload (-N)',
    params: { target: TARGET, setype: 'public_content_t', reload: false },
    observed: {
      paths: ENFORCING,
      commands: { [LIST]: [rule('tftpdir_t'), rule('public_content_t')] },
      effects: { [`semanage fcontext -N -m -t public_content_t -f a ${TARGET}`]: '' },
    },
    changes: [{ property: `fcontext:${TARGET}`, before: 'system_u:object_r:tftpdir_t', after: 'public_content_t' }],
    actions: [`run semanage fcontext -N -m -t public_content_t -f a ${TARGET}`],
  },
  {
    name: 'absent deletes the rule',
    params: { target: TARGET, state: 'absent' },
    observed: { paths: ENFORCING, commands: { [LIST]: [rule('tftpdir_t'), ''] }, effects: { [`semanage fcontext -d -f a ${TARGET}`]: '' } },
    changes: [{ property: `fcontext:${TARGET}`, before: 'system_u:object_r:tftpdir_t', after: 'absent' }],
    actions: [`run semanage fcontext -d -f a ${TARGET}`],
  },
  {
    name: 'present without setype fails before SELinux is looked at',
    params: { target: TARGET },
    observed: {},
    fails: /state is present but all of the following are missing: setype/,
  },
]);
