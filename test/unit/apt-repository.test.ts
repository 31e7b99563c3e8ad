// apt_repository: one-line sources in /etc/apt/sources.list and
// sources.list.d/*.list, planned from a scripted host. The sources.list is a
// Debian 12 test-bed host's (`npm run testbed -- up debian12`); the apt-get
// update answer was recorded there after adding the backports line. The
// new file's name, content and mode, the enabled line and the removal are
// what ansible-core 2.14's apt_repository did on that host (python3-apt
// installed there).

import { aptRepositoryModule } from '../../modules/apt-repository.js';
import { planTable } from './plan-table.js';

const MAIN = 'deb http://deb.debian.org/debian bookworm main\n';
const BACKPORTS = 'deb http://deb.debian.org/debian bookworm-backports main';
const NEW_FILE = '/etc/apt/sources.list.d/deb_debian_org_debian.list';
const UPDATE = 'apt-get update -q';
const UPDATED = 'Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]\n'
  + 'Get:2 http://deb.debian.org/debian bookworm-backports InRelease [59.4 kB]\n'
  + 'Get:3 http://deb.debian.org/debian bookworm-backports/main amd64 Packages [300 kB]\n'
  + 'Get:4 http://deb.debian.org/debian bookworm-backports/main Translation-en [252 kB]\n'
  + 'Fetched 763 kB in 3s (275 kB/s)\nReading package lists...\n';

planTable(aptRepositoryModule, [
  {
    name: 'a new source goes to sources.list.d, named after the URL, then apt-get update',
    params: { repo: BACKPORTS },
    observed: { paths: { '/etc/apt/sources.list': { content: MAIN }, '/etc/apt/sources.list.d': { dir: true } }, effects: { [UPDATE]: UPDATED } },
    changes: [
      { property: 'content', summary: `create ${NEW_FILE}` },
      { property: 'mode', after: '0644' },
      { property: 'cache', summary: 'apt-get update' },
    ],
    actions: [`write ${NEW_FILE} 0644`, `run ${UPDATE}`],
    after: { [NEW_FILE]: `${BACKPORTS}\n`, '/etc/apt/sources.list': MAIN },
  },
  {
    name: 'a commented-out copy is enabled where it is, spacing normalised',
    params: { repo: BACKPORTS, update_cache: false },
    observed: { paths: { '/etc/apt/sources.list': { content: `${MAIN}#deb   http://deb.debian.org/debian bookworm-backports main # for newer kernels\n` } } },
    changes: [{ property: 'content', summary: 'update content of /etc/apt/sources.list' }],
    actions: ['write /etc/apt/sources.list 0644'],
    after: { '/etc/apt/sources.list': `${MAIN}${BACKPORTS} # for newer kernels\n` },
  },
  {
    name: 'the source enabled in some file: in sync, no update',
    params: { repo: `${BACKPORTS}  ` },
    observed: { paths: { '/etc/apt/sources.list': { content: MAIN }, '/etc/apt/sources.list.d/backports.list': { content: `${BACKPORTS}\n` } } },
    changes: [],
    actions: [],
  },
  {
    name: 'absent removes the copy and a file it leaves empty',
    params: { repo: BACKPORTS, state: 'absent', update_cache: false },
    observed: { paths: { '/etc/apt/sources.list': { content: MAIN }, '/etc/apt/sources.list.d/backports.list': { content: `${BACKPORTS}\n` } } },
    changes: [{ property: 'state:/etc/apt/sources.list.d/backports.list', before: 'present', after: 'absent', summary: 'would remove /etc/apt/sources.list.d/backports.list' }],
    actions: ['remove /etc/apt/sources.list.d/backports.list'],
  },
  {
    name: 'a line that is not a deb source fails before the files are read',
    params: { repo: 'http://deb.debian.org/debian bookworm main' },
    observed: {},
    fails: /Invalid repository string: http:\/\/deb\.debian\.org\/debian bookworm main/,
  },
]);
