// unarchive (remote_src, tar.gz): in sync when tar --diff finds nothing, and
// its refusals. The answers in recorded/unarchive/ were recorded by running
// this module on an overlay of the Debian 12 test-bed root (GNU tar 1.34,
// through a chroot host), logging every command and its answer, in the order
// below: /srv/dist/app-1.0.tar.gz made there with tar -czf (app-1.0/ with
// bin/app and etc/app.conf), an empty /srv/app, then app.conf edited, then
// /srv/app2/app-1.0 a link to /etc, and evil.tar.gz made with tar -P so its
// member's name starts with ../../.
// (A controller-side src is uploaded while planning, into a private temp
// directory that is removed again, so --check is not action-free there; the
// rows keep to remote_src.)

import { unarchiveModule } from '../../modules/unarchive/index.js';
import { planTable } from './plan-table.js';
import { loadRecording } from './recorded-run.js';
import type { Observations } from './scripted-host.js';

const recorded = loadRecording('unarchive/debian12-tar-1.34.json');
const SRC = '/srv/dist/app-1.0.tar.gz';
const params = { src: SRC, dest: '/srv/app', remote_src: true };
const on = (row: string, paths: Observations['paths']): Observations => ({ ...recorded(row), paths });
const EXTRACT = `tar --extract -z -C /srv/app -f ${SRC}`;

planTable(unarchiveModule, [
  {
    name: 'an empty dest: extracted',
    params,
    observed: on('extract-new', { [SRC]: { content: '' }, '/srv/app': { dir: true } }),
    changes: [{
      property: 'content',
      before: ['app-1.0', 'app-1.0/etc', 'app-1.0/etc/app.conf', 'app-1.0/bin', 'app-1.0/bin/app'].map((m) => `${m}: Warning: Cannot stat: No such file or directory`).join('\n'),
      after: `5 members of ${SRC}`,
      summary: `would extract ${SRC} into /srv/app`,
    }],
    actions: [`run ${EXTRACT}`],
  },
  {
    name: 'tar --diff finds nothing: in sync',
    params,
    observed: on('in-sync', { [SRC]: { content: '' }, '/srv/app/app-1.0': { dir: true } }),
    changes: [],
    actions: [],
  },
  {
    name: 'a member edited in dest: extracted again',
    params,
    observed: on('edited-file', { [SRC]: { content: '' }, '/srv/app/app-1.0': { dir: true } }),
    changes: [{ property: 'content', before: 'app-1.0/etc/app.conf: Mod time differs\napp-1.0/etc/app.conf: Contents differ' }],
    actions: [`run ${EXTRACT}`],
  },
  {
    name: 'a symbolic link in dest where the archive has a directory is refused',
    params: { ...params, dest: '/srv/app2' },
    observed: on('link-in-dest', { [SRC]: { content: '' }, '/srv/app2/app-1.0': { link: '/etc' } }),
    fails: /\/srv\/app2\/app-1\.0 is a symbolic link: members of \/srv\/dist\/app-1\.0\.tar\.gz would be written through it, outside \/srv\/app2/,
  },
  {
    name: 'a member named ../../ is refused',
    params: { ...params, src: '/srv/dist/evil.tar.gz' },
    observed: on('dotdot-member', { '/srv/dist/evil.tar.gz': { content: '' }, '/srv/app': { dir: true } }),
    fails: /member '\.\.\/\.\.\/app-1\.0\/etc\/app\.conf' climbs out with '\.\.'; refusing to extract an archive that writes outside dest/,
  },
  {
    name: 'a dest that does not exist fails',
    params: { ...params, dest: '/srv/nope' },
    observed: { paths: { [SRC]: { content: '' } } },
    fails: /dest '\/srv\/nope' must be an existing dir/,
  },
]);
