// mount: the fstab line and the live mount, planned from a scripted host.
// findmnt's answers were recorded on the build machine (util-linux 2.38) in a
// private mount namespace: `LC_ALL=C findmnt -n -r -o SOURCE,FSTYPE
// --mountpoint DIR` printed "tmpfs tmpfs" (rc 0) for a tmpfs mounted on DIR,
// and nothing with rc 1 for a directory with nothing mounted on it.

import { mountModule } from '../../modules/mount.js';
import { planTable } from './plan-table.js';

const FINDMNT = 'findmnt -n -r -o SOURCE,FSTYPE --mountpoint /srv/scratch';
const MOUNTED = 'tmpfs tmpfs\n';
const NOT_MOUNTED = { rc: 1, stdout: '', stderr: '' };
const FSTAB = '# /etc/fstab: static file system information.\nUUID=6f0c2f5e-1d7a-4c1e-9d7e-2a3b4c5d6e7f / ext4 errors=remount-ro 0 1\n';
const LINE = 'tmpfs /srv/scratch tmpfs size=2g,mode=1777 0 0\n';
const params = { path: '/srv/scratch', src: 'tmpfs', fstype: 'tmpfs', opts: 'size=2g,mode=1777' };

planTable(mountModule, [
  {
    name: 'mounted: the line is added, the mount point made and mounted',
    params: { ...params, state: 'mounted' },
    observed: {
      paths: { '/etc/fstab': { content: FSTAB }, '/srv': { dir: true } },
      commands: { [FINDMNT]: [NOT_MOUNTED, MOUNTED] },
      effects: { 'mount /srv/scratch': '' },
    },
    changes: [
      { property: 'content', summary: 'update content of /etc/fstab' },
      { property: 'mountpoint', before: 'absent', after: 'directory', summary: 'would create /srv/scratch' },
      { property: 'mounted', before: 'unmounted', after: 'mounted', summary: 'would mount /srv/scratch' },
    ],
    actions: ['write /etc/fstab 0644', 'mkdir /srv/scratch 0755', 'run mount /srv/scratch'],
    after: { '/etc/fstab': FSTAB + LINE },
  },
  {
    name: 'mounted, with its line: in sync',
    params: { ...params, state: 'mounted' },
    observed: {
      paths: { '/etc/fstab': { content: FSTAB + LINE }, '/srv/scratch': { dir: true, mode: 0o1777 } },
      commands: { [FINDMNT]: MOUNTED },
    },
    changes: [],
    actions: [],
  },
  {
    name: 'mounted with other options in fstab: the line is rewritten and the mount remounted',
    params: { ...params, state: 'mounted' },
    observed: {
      paths: { '/etc/fstab': { content: FSTAB + 'tmpfs /srv/scratch tmpfs size=1g 0 0\n' }, '/srv/scratch': { dir: true } },
      commands: { [FINDMNT]: MOUNTED },
      effects: { 'mount -o remount /srv/scratch': '' },
    },
    changes: [
      { property: 'content', summary: 'update content of /etc/fstab' },
      { property: 'mounted', before: 'mounted (old fstab line)', after: 'remounted', summary: 'would remount /srv/scratch with its new fstab line' },
    ],
    actions: ['write /etc/fstab 0644', 'run mount -o remount /srv/scratch'],
    after: { '/etc/fstab': FSTAB + LINE },
  },
  {
    name: 'absent: the line goes, the file system is unmounted and the mount point removed',
    params: { path: '/srv/scratch', state: 'absent' },
    observed: {
      paths: { '/etc/fstab': { content: FSTAB + LINE }, '/srv/scratch': { dir: true } },
      commands: { [FINDMNT]: MOUNTED },
      effects: { 'umount /srv/scratch': '', 'rmdir /srv/scratch': '' },
    },
    changes: [
      { property: 'content', summary: 'update content of /etc/fstab' },
      { property: 'mounted', before: 'mounted', after: 'unmounted', summary: 'would unmount /srv/scratch' },
      { property: 'mountpoint', before: 'directory', after: 'absent', summary: 'would remove the mount point /srv/scratch' },
    ],
    actions: ['write /etc/fstab 0644', 'run umount /srv/scratch', 'run rmdir /srv/scratch'],
    after: { '/etc/fstab': FSTAB },
  },
  {
    name: 'absent without a line: in sync (a live mount is left alone, as in Ansible)',
    params: { path: '/srv/scratch', state: 'absent' },
    observed: { paths: { '/etc/fstab': { content: FSTAB }, '/srv/scratch': { dir: true } }, commands: { [FINDMNT]: MOUNTED } },
    changes: [],
    actions: [],
  },
  {
    name: 'mounted without fstype fails, nothing touched',
    params: { path: '/srv/scratch', src: 'tmpfs', state: 'mounted' },
    observed: {},
    fails: /state is mounted but all of the following are missing: fstype/,
  },
]);
