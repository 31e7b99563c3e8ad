// archive: a tree packed into a tar.gz, a file compressed, planned from a
// scripted host. Every command and answer below was recorded by running the
// module itself against a Debian 12 test-bed host's tree (`npm run testbed --
// up debian12`; GNU tar 1.34, gzip 1.12) with a recording Host in between:
// /etc/slurm holding slurm.conf and cgroup.conf, archived to
// /srv/backup/slurm.tgz, then again after slurm.conf grew, and slurm.conf
// compressed on its own. mktemp's random names are the ones it gave there.

import { archiveModule } from '../../modules/archive.js';
import { planTable } from './plan-table.js';

const KINDS = 'sh -c for f in "$@"; do if [ -d "$f" ]; then printf "d"; elif [ -e "$f" ] || [ -L "$f" ]; then printf "f"; else printf "-"; fi; done sh';
const FIND = { 'find /etc/slurm -mindepth 1 -printf %H\\0%y\\0%p\\0': '/etc/slurm\0f\0/etc/slurm/cgroup.conf\0/etc/slurm\0f\0/etc/slurm/slurm.conf\0' };
const DEST = '/srv/backup/slurm.tgz';
const NEW = '/srv/backup/.slurm.tgz.converge.6cDLBuOE';
const PROBE = '/tmp/converge-unarchive.wGYWTQpt';
const tarC = (out: string) => `tar -c -z -f ${out} -C /etc/ --no-recursion --null -T -`;
const tarTv = (file: string) => `tar -tv --numeric-owner --full-time --quoting-style=c -z -f ${file}`;
const OLD_LIST = '-rw-r--r-- 0/0              23 2026-12-01 10:00:00 "slurm/cgroup.conf"\n-rw-r--r-- 0/0              37 2026-12-01 10:00:00 "slurm/slurm.conf"\n';
const NEW_LIST = '-rw-r--r-- 0/0              23 2026-12-01 10:00:00 "slurm/cgroup.conf"\n-rw-r--r-- 0/0              53 2026-12-02 09:30:00 "slurm/slurm.conf"\n';
const TREE = { '/etc/slurm/slurm.conf': { content: 'ClusterName=hpc\nSlurmctldHost=head01\n' }, '/etc/slurm/cgroup.conf': { content: 'CgroupPlugin=cgroup/v2\n' } };
/** The in-sync probe: the candidate built in a private temp dir and both listings compared. */
const probe = (dir: string, candidate: string, dest: string) => ({
  'mktemp -d -t converge-unarchive.XXXXXXXX': `${dir}\n`, [tarC(`${dir}/candidate.gz`)]: '', [tarTv(`${dir}/candidate.gz`)]: candidate, [tarTv(DEST)]: dest, [`rm -rf -- ${dir}`]: '',
});
const moved = (from: string) => ({ rc: 0, stdout: '', stderr: '', sets: { [DEST]: { content: `tar.gz of ${from}` } } });

planTable(archiveModule, [
  {
    name: 'a tree into a new tar.gz: members named from the common parent',
    params: { path: ['/etc/slurm'], dest: DEST },
    observed: {
      paths: { ...TREE, '/srv/backup': { dir: true } },
      commands: { [`${KINDS} /etc/slurm`]: 'd', ...FIND, ...probe(PROBE, OLD_LIST, OLD_LIST) },
      effects: {
        'mktemp -d /srv/backup/.slurm.tgz.converge.XXXXXXXX': `${NEW}\n`, [tarC(`${NEW}/new.gz`)]: '', [`chmod 0644 ${NEW}/new.gz`]: '',
        [`mv -f -- ${NEW}/new.gz ${DEST}`]: moved(NEW), [`rm -rf -- ${NEW}`]: '',
      },
    },
    changes: [{ property: 'content', before: 'absent', after: '2 members', summary: 'would write /srv/backup/slurm.tgz (gz, 2 members from /etc/)' }],
    actions: [
      'run mktemp -d /srv/backup/.slurm.tgz.converge.XXXXXXXX', `run ${tarC(`${NEW}/new.gz`)}`, `run chmod 0644 ${NEW}/new.gz`,
      `run mv -f -- ${NEW}/new.gz ${DEST}`, `run rm -rf -- ${NEW}`,
    ],
    stdin: { [tarC(`${NEW}/new.gz`)]: 'slurm/cgroup.conf\0slurm/slurm.conf\0' },
  },
  {
    name: 'the archive holds the same members: in sync',
    params: { path: ['/etc/slurm'], dest: DEST },
    observed: { paths: { ...TREE, [DEST]: { content: 'tar.gz' } }, commands: { [`${KINDS} /etc/slurm`]: 'd', ...FIND, ...probe(PROBE, OLD_LIST, OLD_LIST) } },
    changes: [],
    actions: [],
  },
  {
    name: 'a member that changed rebuilds the archive, keeping its mode and owner',
    params: { path: ['/etc/slurm'], dest: DEST },
    observed: {
      paths: { ...TREE, [DEST]: { content: 'tar.gz' } },
      commands: {
        [`${KINDS} /etc/slurm`]: 'd', ...FIND,
        // Two probes (the plan, the verifying re-plan), each in a temp dir of its own.
        'mktemp -d -t converge-unarchive.XXXXXXXX': ['/tmp/converge-unarchive.ORt5F9vx\n', '/tmp/converge-unarchive.aOeFSxvp\n'],
        ...Object.fromEntries(['ORt5F9vx', 'aOeFSxvp'].flatMap((x) => [
          [tarC(`/tmp/converge-unarchive.${x}/candidate.gz`), ''], [tarTv(`/tmp/converge-unarchive.${x}/candidate.gz`), NEW_LIST], [`rm -rf -- /tmp/converge-unarchive.${x}`, ''],
        ])),
        [tarTv(DEST)]: [OLD_LIST, NEW_LIST],
      },
      effects: {
        'mktemp -d /srv/backup/.slurm.tgz.converge.XXXXXXXX': '/srv/backup/.slurm.tgz.converge.a6o2JzxH\n',
        [tarC('/srv/backup/.slurm.tgz.converge.a6o2JzxH/new.gz')]: '',
        [`chmod --reference ${DEST} /srv/backup/.slurm.tgz.converge.a6o2JzxH/new.gz`]: '',
        [`chown --reference ${DEST} /srv/backup/.slurm.tgz.converge.a6o2JzxH/new.gz`]: '',
        [`mv -f -- /srv/backup/.slurm.tgz.converge.a6o2JzxH/new.gz ${DEST}`]: moved('a6o2JzxH'),
        'rm -rf -- /srv/backup/.slurm.tgz.converge.a6o2JzxH': '',
      },
    },
    changes: [{ property: 'content', before: 'other members', after: '2 members', summary: 'would write /srv/backup/slurm.tgz (gz, 2 members from /etc/)' }],
    actions: [
      'run mktemp -d /srv/backup/.slurm.tgz.converge.XXXXXXXX', `run ${tarC('/srv/backup/.slurm.tgz.converge.a6o2JzxH/new.gz')}`,
      `run chmod --reference ${DEST} /srv/backup/.slurm.tgz.converge.a6o2JzxH/new.gz`, `run chown --reference ${DEST} /srv/backup/.slurm.tgz.converge.a6o2JzxH/new.gz`,
      `run mv -f -- /srv/backup/.slurm.tgz.converge.a6o2JzxH/new.gz ${DEST}`, 'run rm -rf -- /srv/backup/.slurm.tgz.converge.a6o2JzxH',
    ],
  },
  {
    name: 'one file without dest is compressed next to itself (PATH.gz)',
    params: { path: ['/etc/slurm/slurm.conf'] },
    observed: {
      paths: TREE,
      commands: {
        [`${KINDS} /etc/slurm/slurm.conf`]: 'f',
        'sh -c packed=$1; src=$2; shift 2; "$@" -dc -- "$packed" 2>/dev/null | cmp -s - "$src" sh /etc/slurm/slurm.conf.gz /etc/slurm/slurm.conf gzip': '',
      },
      effects: {
        'mktemp -d /etc/slurm/.slurm.conf.gz.converge.XXXXXXXX': '/etc/slurm/.slurm.conf.gz.converge.7PPozqWl\n',
        'sh -c out=$1; shift; exec "$@" > "$out" sh /etc/slurm/.slurm.conf.gz.converge.7PPozqWl/new.gz gzip -c -- /etc/slurm/slurm.conf': '',
        'chmod 0644 /etc/slurm/.slurm.conf.gz.converge.7PPozqWl/new.gz': '',
        'mv -f -- /etc/slurm/.slurm.conf.gz.converge.7PPozqWl/new.gz /etc/slurm/slurm.conf.gz': { rc: 0, stdout: '', stderr: '', sets: { '/etc/slurm/slurm.conf.gz': { content: 'gzip' } } },
        'rm -rf -- /etc/slurm/.slurm.conf.gz.converge.7PPozqWl': '',
      },
    },
    changes: [{ property: 'content', before: 'absent', after: '1 member', summary: 'would compress to /etc/slurm/slurm.conf.gz' }],
    actions: [
      'run mktemp -d /etc/slurm/.slurm.conf.gz.converge.XXXXXXXX',
      'run sh -c out=$1; shift; exec "$@" > "$out" sh /etc/slurm/.slurm.conf.gz.converge.7PPozqWl/new.gz gzip -c -- /etc/slurm/slurm.conf',
      'run chmod 0644 /etc/slurm/.slurm.conf.gz.converge.7PPozqWl/new.gz',
      'run mv -f -- /etc/slurm/.slurm.conf.gz.converge.7PPozqWl/new.gz /etc/slurm/slurm.conf.gz',
      'run rm -rf -- /etc/slurm/.slurm.conf.gz.converge.7PPozqWl',
    ],
  },
  {
    name: 'several files without dest fail before anything is written',
    params: { path: ['/etc/slurm/slurm.conf', '/etc/slurm/cgroup.conf'] },
    observed: { paths: TREE, commands: { [`${KINDS} /etc/slurm/cgroup.conf /etc/slurm/slurm.conf`]: 'ff' } },
    fails: /Error, must specify "dest" when archiving multiple files or trees/,
  },
]);
