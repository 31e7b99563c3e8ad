// file: directories, modes, owners, links and absence, planned from a scripted host.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileModule } from '../../modules/file.js';
import { planTable } from './plan-table.js';

test('file: parameter combinations are checked without a host (validate)', () => {
  const base = { recurse: false, force: false, follow: true };
  assert.throws(() => fileModule.validate!({ ...base, path: '/srv/tftp/ipxe.efi', state: 'link' }), /state: link requires src/);
  assert.throws(() => fileModule.validate!({ ...base, path: '/etc/x', src: '/etc/y', state: 'file' }), /src is only used with state: link or state: hard/);
  assert.doesNotThrow(() => fileModule.validate!({ ...base, path: '/etc/x', src: '/etc/y', state: 'link' }));
});

planTable(fileModule, [
  {
    name: 'a missing directory is created with its mode',
    params: { path: '/srv/tftp', state: 'directory', mode: '0755' },
    observed: { paths: { '/srv': { dir: true } } },
    changes: [{ property: 'state', before: 'absent', after: 'directory' }, { property: 'mode', after: '0755' }],
    actions: ['mkdir /srv/tftp 0755'],
  },
  {
    name: 'an existing directory with its mode is in sync',
    params: { path: '/srv/tftp', state: 'directory', mode: '0755' },
    observed: { paths: { '/srv/tftp': { dir: true, mode: 0o755 } } },
    changes: [],
    actions: [],
  },
  {
    name: 'mode and owner of a file are changed together',
    params: { path: '/etc/exports', mode: '0600', owner: 'nobody' },
    observed: { paths: { '/etc/exports': { content: '/home *(rw)\n', mode: 0o644 } }, users: { nobody: 65534 } },
    changes: [{ property: 'owner', before: 'root', after: 'nobody' }, { property: 'mode', before: '0644', after: '0600' }],
    actions: ['chown /etc/exports nobody:', 'chmod /etc/exports 0600'],
  },
  {
    name: 'a symbolic link is made',
    params: { path: '/srv/tftp/ipxe.efi', src: '/usr/lib/ipxe/ipxe.efi', state: 'link' },
    observed: { paths: { '/srv/tftp': { dir: true }, '/usr/lib/ipxe/ipxe.efi': { content: 'efi' } } },
    changes: [{ property: 'state', before: 'absent', after: 'link -> /usr/lib/ipxe/ipxe.efi' }],
    actions: ['symlink /srv/tftp/ipxe.efi -> /usr/lib/ipxe/ipxe.efi'],
  },
  {
    name: 'absent removes a file, and a missing one is in sync',
    params: { path: '/etc/motd', state: 'absent' },
    observed: { paths: { '/etc/motd': { content: 'hi\n' } } },
    changes: [{ property: 'state', before: 'file', after: 'absent' }],
    actions: ['remove /etc/motd'],
  },
  {
    name: 'absent of a missing path changes nothing',
    params: { path: '/etc/motd', state: 'absent' },
    observed: { paths: { '/etc': { dir: true } } },
    changes: [],
  },
  {
    name: 'state link without src fails',
    params: { path: '/srv/tftp/ipxe.efi', state: 'link' },
    observed: {},
    fails: /state: link requires src/,
  },
  {
    name: 'a file that is not there fails (state file does not create)',
    params: { path: '/etc/nothere', state: 'file' },
    observed: { paths: { '/etc': { dir: true } } },
    fails: /nothere/,
  },
]);
