// SshHost against a test-bed host: a Debian 12 systemd container on its own
// network, reached over its own sshd, as root, as a passwordless-sudo user and
// as a user whose sudo asks for a password. This is the "real remote host"
// case: facts from a running systemd, files owned by root through sudo.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectHost } from '../../src/host/connect.js';
import type { Host } from '../../src/host/host.js';
import { upHost, type BedHost } from '../bed/index.js';

let bed: BedHost;
const open: Host[] = [];

before(async () => { bed = await upHost('debian12'); });
after(async () => {
  for (const h of open) await h.close().catch(() => {});
  await bed?.down();
});

function connect(user: string, extra: Record<string, unknown> = {}): Host {
  const h = connectHost(bed.name, {
    ansible_host: bed.address, ansible_port: bed.port, ansible_user: user,
    ansible_ssh_private_key_file: bed.privateKeyPath, ...extra,
  }, { knownHostsFile: bed.knownHostsPath, sshConfigFile: '/nonexistent/cvg-ssh-config' });
  open.push(h);
  return h;
}

describe('SshHost on a test-bed Debian 12 host', () => {
  it('as a sudo user with become: facts from a running systemd, root-owned files, services', async () => {
    const h = connect(bed.user, { ansible_become: true });
    const f = await h.facts();
    assert.equal(f.os_family, 'Debian');
    assert.equal(f.distribution_major_version, '12');
    assert.equal(f.pkg_mgr, 'apt');
    assert.equal(f.service_mgr, 'systemd');
    assert.equal(f.systemd_running, true);
    assert.ok(Object.values(f.ipv4).flat().some((a) => a.startsWith(bed.address + '/')), JSON.stringify(f.ipv4));
    await h.writeFile('/etc/cvg-bed.conf', 'key=value\n', { mode: 0o640, owner: 'root', group: bed.user });
    const seen = await bed.execOk(['stat', '-c', '%a %U %G', '/etc/cvg-bed.conf']);
    assert.equal(seen.stdout.trim(), `640 root ${bed.user}`);
    const st = await h.stat('/etc/cvg-bed.conf');
    assert.deepEqual([st.type, st.mode, st.uid], ['file', 0o640, 0]);
    assert.equal((await h.readFile('/etc/cvg-bed.conf'))!.toString(), 'key=value\n');
    assert.equal((await h.run(['systemctl', 'is-active', 'ssh'])).stdout.trim(), 'active');
    assert.equal((await h.run(['id', '-u'])).stdout.trim(), '0');
  });

  it('as a user whose sudo needs a password, given as ansible_become_password', async () => {
    const h = connect(bed.passwordSudoUser, { ansible_become: true, ansible_become_password: bed.sudoPassword });
    assert.equal((await h.run(['id', '-u'])).stdout.trim(), '0');
    await h.writeFile('/root/cvg-bed-pw', 'secret\n', { mode: 0o600 });
    assert.equal((await bed.execOk(['cat', '/root/cvg-bed-pw'])).stdout, 'secret\n');
    const wrong = connect(bed.passwordSudoUser, { ansible_become: true, ansible_become_password: 'wrong' });
    await assert.rejects(wrong.run(['true']), /incorrect sudo password/);
  });

  it('as root over SFTP, reading what the sudo user wrote', async () => {
    const h = connect(bed.rootUser);
    const st = await h.stat('/etc/cvg-bed.conf');
    assert.equal(st.exists, true);
    assert.equal(await h.userName(st.uid!), 'root');
    assert.equal(await h.groupName(st.gid!), bed.user);
    await h.remove('/etc/cvg-bed.conf');
    assert.equal((await bed.exec(['test', '-e', '/etc/cvg-bed.conf'])).rc, 1);
  });
});
