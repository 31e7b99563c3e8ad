// Tests of the test bed itself: hosts come up with systemd and SSH, have the
// os-release of their flavor, two private networks that carry no DHCP and do
// not see each other, and leave nothing behind after `down`.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { downHost, upHost, type BedHost } from './index.js';
import { run, runOk } from './proc.js';
import { sshRun } from './ssh-probe.js';

/** Sends DHCP discovers on a host's private bridge; true when any offer came back. */
async function dhcpOfferSeen(h: BedHost): Promise<boolean> {
  const r = await run(['ip', 'netns', 'exec', h.switchNetns, 'udhcpc', '-f', '-q', '-n', '-t', '2', '-T', '1',
    '-i', h.bridge, '-s', '/bin/true']);
  return r.rc === 0;
}

describe('test bed: debian12 host', () => {
  let h: BedHost;
  before(async () => { h = await upHost('debian12'); });
  after(() => downHost(h.name));

  it('answers SSH as root and as the sudo user, checking the generated host key', async () => {
    const root = await sshRun(h.sshConfigFor('root'), 'id -un');
    assert.equal(root.stdout.trim(), 'root');
    const user = await sshRun(h.sshConfig, 'id -un; sudo -n id -u');
    assert.deepEqual(user.stdout.trim().split('\n'), [h.user, '0']);
  });

  it('rejects a host key other than the generated one', async () => {
    const cfg = { ...h.sshConfig, hostVerifier: () => false };
    await assert.rejects(sshRun(cfg, 'true'));
  });

  it("asks the password sudo user for the bed's sudo password", async () => {
    const noPw = await sshRun(h.sshConfigFor(h.passwordSudoUser), 'sudo -n true');
    assert.notEqual(noPw.rc, 0);
    const withPw = await sshRun(h.sshConfigFor(h.passwordSudoUser), `echo '${h.sudoPassword}' | sudo -S -p '' id -u`);
    assert.equal(withPw.stdout.trim(), '0');
  });

  it('runs systemd and reports Debian 12', async () => {
    const s = await h.exec(['systemctl', 'is-system-running', '--wait']);
    assert.match(s.stdout, /^(running|degraded)/);
    const osr = await h.execOk(['cat', '/etc/os-release']);
    assert.match(osr.stdout, /^ID=debian$/m);
    assert.match(osr.stdout, /^VERSION_ID="12"$/m);
  });

  it('has a private interface with no address and no DHCP server on its network', async () => {
    const a = await h.execOk(['ip', '-o', '-4', 'addr', 'show', 'dev', h.privateInterface]);
    assert.equal(a.stdout.trim(), '');
    assert.equal(await dhcpOfferSeen(h), false);
  });

  it('reaches the Debian mirror through the NAT', async () => {
    const r = await h.exec(['apt-get', 'update', '-qq']);
    assert.equal(r.rc, 0, r.stderr);
  });
});

describe('test bed: two hosts at once', () => {
  let a: BedHost;
  let b: BedHost;
  before(async () => { [a, b] = await Promise.all([upHost('debian12'), upHost('debian12')]); });
  after(async () => { await downHost(a.name); await downHost(b.name); });

  it('do not share a private network', async () => {
    await a.execOk(['ip', 'addr', 'add', '192.168.77.1/24', 'dev', a.privateInterface]);
    await b.execOk(['ip', 'addr', 'add', '192.168.77.2/24', 'dev', b.privateInterface]);
    const ping = await b.exec(['ping', '-c', '1', '-W', '1', '192.168.77.1']);
    assert.notEqual(ping.rc, 0, 'b reached a over the private network');
    // ...while the same address on b's own switch answers (the check can succeed)
    await runOk(['ip', '-n', b.switchNetns, 'addr', 'add', '192.168.77.3/24', 'dev', b.bridge]);
    const own = await b.exec(['ping', '-c', '1', '-W', '2', '192.168.77.3']);
    assert.equal(own.rc, 0, own.stdout);
  });

  it('do not reach each other over the management network', async () => {
    const r = await a.exec(['curl', '-sS', '--max-time', '2', `telnet://${b.address}:22`]);
    assert.notEqual(r.rc, 0);
  });

  it('have different host keys and machine ids', async () => {
    assert.notEqual(a.hostKeyFingerprint, b.hostKeyFingerprint);
    assert.notEqual(readFileSync(`${a.rootDir}/etc/machine-id`, 'utf8'), readFileSync(`${b.rootDir}/etc/machine-id`, 'utf8'));
  });
});

describe('test bed: down', () => {
  it('leaves no process, namespace, link, mount, nft table or state', async () => {
    const h = await upHost('debian12');
    const pids = [h.leaderPid];
    await downHost(h.name);
    for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`) && !/ [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')), false);
    assert.doesNotMatch((await runOk(['ip', 'netns', 'list'])).stdout, new RegExp(`^(${h.netns}|${h.switchNetns})( |$)`, 'm'));
    assert.doesNotMatch((await runOk(['ip', '-o', 'link'])).stdout, new RegExp(`cvbed\\d+-m`.replace('\\d+', h.netns.split('-')[1])));
    assert.doesNotMatch(readFileSync('/proc/mounts', 'utf8'), new RegExp(h.rootDir));
    assert.doesNotMatch((await runOk(['nft', 'list', 'tables'])).stdout, new RegExp(`cvbed_${h.netns.split('-')[1]}\\b`));
    assert.equal(existsSync(`/run/converge-testbed/${h.name}.json`), false);
    assert.equal(existsSync(h.rootDir), false);
  });
});
