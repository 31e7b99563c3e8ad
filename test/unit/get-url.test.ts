// get_url: a download on the host pinned by its checksum, planned from a
// scripted host. The commands and answers were recorded by running the module
// itself, through a recording Host, against a Debian 12 test-bed host's tree
// (`npm run testbed -- up debian12`, curl 7.88 installed there) fetching from
// a local `python3 -m http.server`: a new executable, then the same after the
// file on the server changed. The temp file's random part is fixed (below)
// both there and here, so that the recorded commands name the same file.

import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { getUrlModule } from '../../modules/get-url.js';
import { planTable } from './plan-table.js';

// get_url names its temp file after 6 random bytes; this test's process gets fixed ones (each test file runs in its own process).
const randomBytes = crypto.randomBytes;
crypto.randomBytes = ((n: number, cb?: unknown) => (n === 6 && cb === undefined ? Buffer.from('c0ffee15f00d', 'hex') : randomBytes(n, cb as never))) as typeof crypto.randomBytes;
syncBuiltinESMExports();

const URL = 'http://127.0.0.1:18717/slurm/healthcheck.sh';
const DEST = '/usr/local/libexec/healthcheck.sh';
const TEMP = '/usr/local/libexec/.healthcheck.sh.converge-c0ffee15f00d.tmp';
const V1 = '47295e5ee78338e6d96baac61c06bb0855d3db9bcfd82a694de10fac04940206';
const V2 = '3c7e3b6fcc918eed3502a57be97fae2a73621005f41b8e7a0df65fee8b643dc5';
const CURL = `sh -c out=$1; shift; umask 077; set -C; exec "$@" >"$out" sh ${TEMP} curl -fsSL --max-time 10 -K -`;
const sum = (hex: string, path: string) => ({ [`sha256sum -- ${path}`]: `${hex}  ${path}\n` });
const fetched = (text: string) => ({ rc: 0, stdout: '', stderr: '', sets: { [TEMP]: { content: text, mode: 0o600 } } });
const MV = `mv -fT -- ${TEMP} ${DEST}`;
const moved = (text: string) => ({ rc: 0, stdout: '', stderr: '', sets: { [DEST]: { content: text, mode: 0o755 } } });

planTable(getUrlModule, [
  {
    name: 'a new executable: downloaded next to dest, checked, made 0755, moved into place',
    params: { url: URL, dest: DEST, mode: '0755', checksum: `sha256:${V1}` },
    observed: {
      paths: { '/usr/local/libexec': { dir: true } },
      commands: { ...sum(V1, TEMP), ...sum(V1, DEST) },
      effects: { [CURL]: fetched('#!/bin/sh\necho node health ok\n'), [MV]: moved('#!/bin/sh\necho node health ok\n') },
    },
    changes: [
      { property: 'content', after: `sha256:${V1}`, summary: `would download ${URL} to ${DEST}` },
      { property: 'mode', after: '0755' },
    ],
    actions: [`run ${CURL}`, `chmod ${TEMP} 0755`, `run ${MV}`, `remove ${TEMP}`],
    stdin: { [CURL]: `url = "${URL}"\n` },
    after: { [DEST]: '#!/bin/sh\necho node health ok\n' },
  },
  {
    name: 'the file there has the checksum: in sync, nothing fetched',
    params: { url: URL, dest: DEST, mode: '0755', checksum: `sha256:${V1}` },
    observed: { paths: { [DEST]: { content: '#!/bin/sh\necho node health ok\n', mode: 0o755 } }, commands: sum(V1, DEST) },
    changes: [],
    actions: [],
  },
  {
    name: 'a new checksum: downloaded again, owner and mode of the old file kept',
    params: { url: URL, dest: DEST, mode: '0755', checksum: `sha256:${V2}` },
    observed: {
      paths: { [DEST]: { content: '#!/bin/sh\necho node health ok\n', mode: 0o755 } },
      commands: { ...sum(V2, TEMP), [`sha256sum -- ${DEST}`]: [`${V1}  ${DEST}\n`, `${V2}  ${DEST}\n`] },
      effects: { [CURL]: fetched('#!/bin/sh\necho node health ok\nexit 0\n'), [MV]: moved('#!/bin/sh\necho node health ok\nexit 0\n') },
    },
    changes: [{ property: 'content', before: `sha256:${V1}`, after: `sha256:${V2}`, summary: `would download ${URL} to ${DEST} (checksum differs)` }],
    actions: [`run ${CURL}`, `chown ${TEMP} 0:0`, `chmod ${TEMP} 0755`, `run ${MV}`, `remove ${TEMP}`],
    after: { [DEST]: '#!/bin/sh\necho node health ok\nexit 0\n' },
  },
  {
    name: 'an executable without a checksum is refused before anything is fetched',
    params: { url: URL, dest: DEST, mode: '0755' },
    observed: { paths: { '/usr/local/libexec': { dir: true } } },
    fails: /would be executable \(mode 0755\): give checksum: sha256:<hex>/,
  },
  {
    name: 'a destination directory that is not there fails',
    params: { url: URL, dest: DEST, checksum: `sha256:${V1}` },
    observed: {},
    fails: /destination directory \/usr\/local\/libexec does not exist/,
  },
]);
