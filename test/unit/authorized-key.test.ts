// authorized_key: keys in ~alice/.ssh/authorized_keys, planned from a scripted
// host. The passwd line is what `getent passwd alice` printed in a Debian 12
// test-bed host after `useradd -m alice` (rc 2, no output, for a user that is
// not there); the keys were made with ssh-keygen -t ed25519 in a throwaway
// directory. The files after key_options, absent and exclusive are what
// ansible.posix.authorized_key (Debian 12's ansible-core 2.14) wrote for the
// same tasks on the same file.

import { authorizedKeyModule } from '../../modules/authorized-key.js';
import { planTable } from './plan-table.js';

const PASSWD = { 'getent passwd alice': 'alice:x:1002:1002::/home/alice:/bin/sh\n' };
const HOME = { '/home/alice': { dir: true as const, mode: 0o755, uid: 1002, gid: 1002 } };
const FILE = '/home/alice/.ssh/authorized_keys';
const K1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMYE5vucqeh2KQSb9aKMzpHX7+GNoXa6JSWo43ueIiha alice@laptop';
const K2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPJ8pTkc+WiszDqRVkO/orTPVrfjn0T1Wg6tCdV9Lv83 alice@desk';
const withKeys = (text: string) => ({ ...HOME, '/home/alice/.ssh': { dir: true as const, mode: 0o700, uid: 1002, gid: 1002 }, [FILE]: { content: text, mode: 0o600, uid: 1002, gid: 1002 } });

planTable(authorizedKeyModule, [
  {
    name: 'the first key: .ssh made 0700 and the file 0600, owned by the user',
    params: { user: 'alice', key: K1 },
    observed: { commands: PASSWD, paths: HOME, users: { alice: 1002 }, groups: { alice: 1002 } },
    changes: [
      { property: 'state:/home/alice/.ssh', before: 'absent', after: 'directory', summary: 'create /home/alice/.ssh (0700)' },
      { property: 'content', summary: `create ${FILE}` },
      { property: 'owner', after: '1002' },
      { property: 'group', after: '1002' },
      { property: 'mode', after: '0600' },
    ],
    actions: ['mkdir /home/alice/.ssh 0700', 'chown /home/alice/.ssh 1002:1002', 'chmod /home/alice/.ssh 0700', `write ${FILE} 0600`],
    after: { [FILE]: `${K1}\n` },
  },
  {
    name: 'the key already there: in sync',
    params: { user: 'alice', key: K1 },
    observed: { commands: PASSWD, paths: withKeys(`${K1}\n${K2}\n`) },
    changes: [],
    actions: [],
  },
  {
    name: 'new key_options rewrite the key at the end of the file',
    params: { user: 'alice', key: K1, key_options: 'from="10.0.0.0/24",no-pty' },
    observed: { commands: PASSWD, paths: withKeys(`${K1}\n${K2}\n`) },
    changes: [{ property: 'content', summary: `update content of ${FILE}` }],
    actions: ['chown /home/alice/.ssh 1002:1002', 'chmod /home/alice/.ssh 0700', `write ${FILE} 0600`],
    after: { [FILE]: `${K2}\nfrom="10.0.0.0/24",no-pty ${K1}\n` },
  },
  {
    name: 'absent removes the key and keeps the others',
    params: { user: 'alice', key: K2, state: 'absent' },
    observed: { commands: PASSWD, paths: withKeys(`# laptop and desk\n${K1}\n${K2}\n`) },
    changes: [{ property: 'content', summary: `update content of ${FILE}` }],
    actions: ['chown /home/alice/.ssh 1002:1002', 'chmod /home/alice/.ssh 0700', `write ${FILE} 0600`],
    after: { [FILE]: `# laptop and desk\n${K1}\n` },
  },
  {
    name: 'exclusive keeps only the keys given (comment lines go too)',
    params: { user: 'alice', key: K2, exclusive: true },
    observed: { commands: PASSWD, paths: withKeys(`# laptop and desk\n${K1}\n${K2}\n`) },
    changes: [{ property: 'content', summary: `update content of ${FILE}` }],
    actions: ['chown /home/alice/.ssh 1002:1002', 'chmod /home/alice/.ssh 0700', `write ${FILE} 0600`],
    after: { [FILE]: `${K2}\n` },
  },
  {
    name: 'a line that is not a public key fails before anything is written',
    params: { user: 'alice', key: 'AAAAC3NzaC1lZDI1NTE5AAAAIMYE5vucqeh2KQSb9aKMzpHX7 alice@laptop' },
    observed: { commands: PASSWD, paths: HOME },
    fails: /invalid key specified: AAAAC3NzaC1lZDI1NTE5AAAAIMYE5vucqeh2KQSb9aKMzpHX7 alice@laptop/,
  },
]);
