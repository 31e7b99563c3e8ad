// nfs_export (kernel server): one export in /etc/exports, the candidate file
// checked by exportfs itself before it is written, planned from a scripted
// host. exportfs's answers were recorded on the build machine (nfs-utils
// 2.6.2) by running the module's check script (exportfs -ra on the candidate,
// in a private mount namespace) with /srv/nfs/home present and
// /srv/nfs/scratch missing; it printed nothing for a good file. The starting
// /etc/exports is Debian 12's (nfs-kernel-server).

import { CHECK_SCRIPT, nfsExportModule } from '../../modules/nfs-export.js';
import { planTable } from './plan-table.js';

const DEBIAN_EXPORTS = `# /etc/exports: the access control list for filesystems which may be exported
#\t\tto NFS clients.  See exports(5).
#
# Example for NFSv2 and NFSv3:
# /srv/homes       hostname1(rw,sync,no_subtree_check) hostname2(ro,sync,no_subtree_check)
#
# Example for NFSv4:
# /srv/nfs4        gss/krb5i(rw,sync,fsid=0,crossmnt,no_subtree_check)
# /srv/nfs4/homes  gss/krb5i(rw,sync,no_subtree_check)
#
`;
const HOME = '/srv/nfs/home 10.1.0.0/16(rw,sync,no_subtree_check,no_root_squash)\n';

// The check the module runs: exportfs -ra on the candidate file in a private mount namespace.
const CHECK = ['unshare', '-m', '--', 'sh', '-c', CHECK_SCRIPT, 'sh', '/etc/exports'].join(' ');
const NO_SCRATCH = {
  rc: 1, stdout: '',
  stderr: `exportfs: /etc/exports [2]: Neither 'subtree_check' or 'no_subtree_check' specified for export "10.1.0.0/16:/srv/nfs/scratch".
  Assuming default behaviour ('no_subtree_check').
  NOTE: this default has changed since nfs-utils version 1.0.x

exportfs: Failed to stat /srv/nfs/scratch: No such file or directory
`,
};

planTable(nfsExportModule, [
  {
    name: 'a new export is appended, checked by exportfs and applied with exportfs -ra',
    params: { path: '/srv/nfs/home', clients: ['10.1.0.0/16'], options: 'rw,sync,no_subtree_check,no_root_squash' },
    observed: {
      paths: { '/etc/exports': { content: DEBIAN_EXPORTS } },
      commands: { [CHECK]: '' },
      effects: { 'exportfs -ra': '' },
    },
    changes: [
      { property: 'export:/srv/nfs/home', before: undefined, after: '10.1.0.0/16(no_root_squash,no_subtree_check,rw,sync)', summary: 'would export /srv/nfs/home to 10.1.0.0/16' },
      { property: 'content', summary: 'update content of /etc/exports' },
    ],
    actions: ['write /etc/exports 0644', 'run exportfs -ra'],
    after: { '/etc/exports': DEBIAN_EXPORTS + HOME },
  },
  {
    name: 'the export with its options in another order: in sync, exportfs not run',
    params: { path: '/srv/nfs/home', client: '10.1.0.0/16(no_root_squash,rw,no_subtree_check,sync)' },
    observed: { paths: { '/etc/exports': { content: DEBIAN_EXPORTS + HOME } } },
    changes: [],
    actions: [],
  },
  {
    name: 'absent: the export\'s line is removed and exportfs -ra run',
    params: { path: '/srv/nfs/home', state: 'absent' },
    observed: {
      paths: { '/etc/exports': { content: DEBIAN_EXPORTS + HOME } },
      commands: { [CHECK]: '' },
      effects: { 'exportfs -ra': '' },
    },
    changes: [
      { property: 'export:/srv/nfs/home', before: '10.1.0.0/16(no_root_squash,no_subtree_check,rw,sync)', after: undefined, summary: 'would remove the export of /srv/nfs/home' },
      { property: 'content', summary: 'update content of /etc/exports' },
    ],
    actions: ['write /etc/exports 0644', 'run exportfs -ra'],
    after: { '/etc/exports': DEBIAN_EXPORTS },
  },
  {
    name: 'a directory that does not exist: exportfs rejects the file, nothing written',
    params: { path: '/srv/nfs/scratch', clients: ['10.1.0.0/16(rw)'] },
    observed: { paths: { '/etc/exports': { content: HOME } }, commands: { [CHECK]: NO_SCRATCH } },
    fails: /exportfs rejects the new \/etc\/exports, left unchanged:\nexportfs: Failed to stat \/srv\/nfs\/scratch: No such file or directory$/,
  },
  {
    name: 'a misspelt option is refused before exportfs is asked',
    params: { path: '/srv/nfs/home', clients: ['10.1.0.0/16(rw,no_root_sqash)'] },
    observed: { paths: { '/etc/exports': { content: DEBIAN_EXPORTS } } },
    fails: /unknown export option 'no_root_sqash' for client 10\.1\.0\.0\/16/,
  },
]);
