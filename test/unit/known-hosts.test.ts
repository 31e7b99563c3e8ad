// known_hosts: one host's key in a known_hosts file, found with ssh-keygen -F,
// planned from a scripted host. The keys are real (ssh-keygen -t ed25519 /
// ecdsa in a throwaway directory) and the ssh-keygen -F / -R answers were
// recorded with OpenSSH 9.2p1 (Debian 12) on that file: -F prints a
// "# Host NAME found: line N " note (with a trailing blank) before each line
// and answers rc 1 with no output for a host it does not find; -R prints its
// note and "FILE updated." / "Original contents retained as FILE.old".
// The file contents after a new key and a replaced key are what ansible-core
// 2.14's known_hosts wrote for the same tasks.

import { knownHostsModule } from '../../modules/known-hosts.js';
import { planTable } from './plan-table.js';

const PATH = '/etc/ssh/ssh_known_hosts';
const ED1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMYE5vucqeh2KQSb9aKMzpHX7+GNoXa6JSWo43ueIiha';
const ED2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPJ8pTkc+WiszDqRVkO/orTPVrfjn0T1Wg6tCdV9Lv83';
const ECDSA = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDikc5pEjpPvRTMuEHTTcfSFLx7rFq7bIZNEAGOFeQopEf7+qy5HGrbzJu7dnYwyg1/TTsk8FvAHlxYUZtWy9NA=';
const FILE = `head01 ${ED1}\nnode001 ${ECDSA}\n`;
const find = (host: string) => `ssh-keygen -F ${host} -f ${PATH}`;
const NOT_FOUND = { rc: 1, stdout: '', stderr: '' };

planTable(knownHostsModule, [
  {
    name: 'a new host is appended',
    params: { name: 'node002', key: `node002 ${ED2}`, path: PATH },
    observed: { paths: { [PATH]: { content: FILE } }, commands: { [find('node002')]: [NOT_FOUND, `# Host node002 found: line 3 \nnode002 ${ED2}\n`] } },
    changes: [{ property: 'content', summary: `update content of ${PATH}` }],
    actions: [`write ${PATH} 0644`],
    after: { [PATH]: `${FILE}node002 ${ED2}\n` },
  },
  {
    name: 'a missing file is created 0644',
    params: { name: 'head01', key: `head01 ${ED1}`, path: PATH },
    observed: { paths: { '/etc/ssh': { dir: true } }, commands: { [find('head01')]: `# Host head01 found: line 1 \nhead01 ${ED1}\n` } },
    changes: [{ property: 'content', summary: `create ${PATH}` }, { property: 'mode', after: '0644' }],
    actions: [`write ${PATH} 0644`],
    after: { [PATH]: `head01 ${ED1}\n` },
  },
  {
    name: 'the key already there: in sync',
    params: { name: 'head01', key: `head01 ${ED1}`, path: PATH },
    observed: { paths: { [PATH]: { content: FILE } }, commands: { [find('head01')]: `# Host head01 found: line 1 \nhead01 ${ED1}\n` } },
    changes: [],
    actions: [],
  },
  {
    name: 'a new key of the same type replaces the old line (moved to the end, as Ansible does)',
    params: { name: 'head01', key: `head01 ${ED2}`, path: PATH },
    observed: {
      paths: { [PATH]: { content: FILE } },
      commands: { [find('head01')]: [`# Host head01 found: line 1 \nhead01 ${ED1}\n`, `# Host head01 found: line 2 \nhead01 ${ED2}\n`] },
    },
    changes: [{ property: 'content', summary: `update content of ${PATH}` }],
    actions: [`write ${PATH} 0644`],
    after: { [PATH]: `node001 ${ECDSA}\nhead01 ${ED2}\n` },
  },
  {
    name: 'absent without a key removes every line of the host with ssh-keygen -R',
    params: { name: 'node001', path: PATH, state: 'absent' },
    observed: {
      paths: { [PATH]: { content: FILE } },
      commands: { [find('node001')]: [`# Host node001 found: line 2 \nnode001 ${ECDSA}\n`, NOT_FOUND] },
      effects: {
        [`ssh-keygen -R node001 -f ${PATH}`]: {
          rc: 0, stdout: `# Host node001 found: line 2\n${PATH} updated.\nOriginal contents retained as ${PATH}.old\n`, stderr: '',
          sets: { [PATH]: { content: `head01 ${ED1}\n` }, [`${PATH}.old`]: { content: FILE } },
        },
      },
    },
    changes: [{ property: 'content', summary: 'would remove every key of node001 (ssh-keygen -R)' }],
    actions: [`run ssh-keygen -R node001 -f ${PATH}`],
    after: { [PATH]: `head01 ${ED1}\n` },
  },
  {
    name: 'a key line for another host fails before the file is read',
    params: { name: 'head01', key: `node001 ${ECDSA}`, path: PATH },
    observed: {},
    fails: /Host parameter does not match hashed host field in supplied key/,
  },
]);
