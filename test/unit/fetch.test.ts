// fetch: a host file copied to the controller under dest/<host>/<path> (or
// flat), planned from a scripted host; the controller side is the row's own
// playbook directory. Unchanged when the copy there has the same SHA-1.

import { fetchModule } from '../../modules/fetch.js';
import { planTable } from './plan-table.js';

const CONF = 'SlurmctldHost=head1\nClusterName=hpc1\n';
const SHA1 = 'sha1:db9a77fb456dbd1cb836513c854f0dc6c8332132';

planTable(fetchModule, [
  {
    name: 'a new copy under dest/<host>/<src path>',
    params: { src: '/etc/slurm/slurm.conf', dest: 'fetched' },
    observed: { paths: { '/etc/slurm/slurm.conf': { content: CONF } } },
    changes: [{ property: 'content', before: undefined, after: SHA1 }],
    actions: [],
    controllerAfter: { 'fetched/scripted/etc/slurm/slurm.conf': CONF },
  },
  {
    name: 'flat with a trailing slash: dest/<file name>, an older copy replaced',
    params: { src: '/etc/slurm/slurm.conf', dest: 'conf/', flat: true },
    controller: { 'conf/slurm.conf': 'ClusterName=old\n' },
    observed: { paths: { '/etc/slurm/slurm.conf': { content: CONF } } },
    changes: [{ property: 'content', before: 'sha1:09db46c2eaaf881a1881dcc5e5502f3a4d0ed872', after: SHA1 }],
    controllerAfter: { 'conf/slurm.conf': CONF },
  },
  {
    name: 'the controller copy has the same content: in sync',
    params: { src: '/etc/slurm/slurm.conf', dest: 'fetched' },
    controller: { 'fetched/scripted/etc/slurm/slurm.conf': CONF },
    observed: { paths: { '/etc/slurm/slurm.conf': { content: CONF } } },
    changes: [],
    actions: [],
  },
  {
    name: 'a missing file with fail_on_missing: false is ok, nothing stored',
    params: { src: '/etc/slurm/gres.conf', dest: 'fetched', fail_on_missing: false },
    observed: { paths: { '/etc/slurm': { dir: true } } },
    changes: [],
    result: { msg: 'the remote file does not exist, not transferring, ignored', file: '/etc/slurm/gres.conf' },
  },
  {
    name: 'a missing file fails (fail_on_missing defaults to true)',
    params: { src: '/etc/slurm/gres.conf', dest: 'fetched' },
    observed: { paths: { '/etc/slurm': { dir: true } } },
    fails: /the remote file does not exist, not transferring, ignored/,
  },
  {
    name: 'a directory is refused',
    params: { src: '/etc/slurm', dest: 'fetched' },
    observed: { paths: { '/etc/slurm': { dir: true } } },
    fails: /remote file is a directory, fetch cannot work on directories/,
  },
]);
