// apt_key: a key in apt's keyrings (apt-key add / del), judged from apt-key's
// long listing, planned from a scripted host. Everything under
// recorded/apt-key/ and every answer below was recorded in a Debian 12
// test-bed host (`npm run testbed -- up debian12`, gpg and gpg-agent
// installed) with LANG=C: a throwaway rsa2048 key (cluster-repo.asc), gpg's
// colon listing of it, `apt-key adv --list-public-keys --keyid-format=long`
// before and after `apt-key add -` (which prints "OK"), and the same for a
// keyring file of its own (apt-key --keyring ... add FILE; after `del` the
// listing is the "Executing" line alone).

import { readFileSync } from 'node:fs';
import { aptKeyModule } from '../../modules/apt-key.js';
import { planTable } from './plan-table.js';

const recorded = (name: string) => readFileSync(new URL(`../../../test/unit/recorded/apt-key/${name}`, import.meta.url), 'utf8');
const KEY = recorded('cluster-repo.asc');
const COLONS = 'pub:-:2048:1:018CCB0837BF9ADD:1796387983:::-:\nuid:::::::::Cluster Repo <repo@cluster.example>:\n';
const LIST = 'apt-key adv --list-public-keys --keyid-format=long';
const KEYRING = '/etc/apt/trusted.gpg.d/cluster.gpg';
const LIST_KEYRING = `apt-key --keyring ${KEYRING} adv --list-public-keys --keyid-format=long`;

planTable(aptKeyModule, [
  {
    name: 'inline data: the id from gpg, added with apt-key add - (the key on stdin)',
    params: { data: KEY },
    observed: {
      commands: { 'gpg --no-tty --batch --with-colons -': COLONS, [LIST]: [recorded('trusted-before.txt'), recorded('trusted-after.txt')] },
      effects: { 'apt-key add -': 'OK\n' },
    },
    changes: [{ property: 'key:018CCB0837BF9ADD', before: 'absent', after: 'present', summary: "would add key 018CCB0837BF9ADD to apt's keyrings" }],
    actions: ['run apt-key add -'],
    stdin: { 'apt-key add -': KEY },
  },
  {
    name: 'an id apt already lists (Debian 12 archive key, by fingerprint): in sync',
    params: { id: 'B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8' },
    observed: { commands: { [LIST]: recorded('trusted-before.txt') } },
    changes: [],
    actions: [],
  },
  {
    name: 'a file on the host into a keyring that is not there yet',
    params: { file: '/root/cluster-repo.asc', keyring: KEYRING },
    observed: {
      paths: { '/root/cluster-repo.asc': { content: KEY } },
      commands: { 'gpg --no-tty --batch --with-colons /root/cluster-repo.asc': COLONS, [LIST_KEYRING]: recorded('keyring-after.txt') },
      effects: { [`apt-key --keyring ${KEYRING} add /root/cluster-repo.asc`]: { rc: 0, stdout: 'OK\n', stderr: '', sets: { [KEYRING]: { content: 'keyring' } } } },
    },
    changes: [{ property: 'key:018CCB0837BF9ADD', before: 'absent', after: 'present', summary: `would add key 018CCB0837BF9ADD to ${KEYRING}` }],
    actions: [`run apt-key --keyring ${KEYRING} add /root/cluster-repo.asc`],
  },
  {
    name: 'absent removes the key by its short id',
    params: { id: '018CCB0837BF9ADD', keyring: KEYRING, state: 'absent' },
    observed: {
      paths: { [KEYRING]: { content: 'keyring' } },
      commands: { [LIST_KEYRING]: [recorded('keyring-after.txt'), 'Executing: /tmp/apt-key-gpghome.1KBfKHreUL/gpg.1.sh --list-public-keys --keyid-format=long\n'] },
      effects: { [`apt-key --keyring ${KEYRING} del 37BF9ADD`]: 'OK\n' },
    },
    changes: [{ property: 'key:018CCB0837BF9ADD', before: 'present', after: 'absent', summary: `would remove key 018CCB0837BF9ADD from ${KEYRING}` }],
    actions: [`run apt-key --keyring ${KEYRING} del 37BF9ADD`],
  },
  {
    name: 'an id that is neither 8 nor 16 or more hex digits fails before apt-key is asked',
    params: { id: '37BF9AD' },
    observed: {},
    fails: /Invalid key_id/,
  },
]);
