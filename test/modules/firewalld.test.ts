// firewalld offline (firewall-offline-cmd on a private copy of /etc: the
// host's /etc is an overlay whose upper layer is a temp dir, never the build
// machine's own /etc/firewalld) and online (a running firewalld in a test-bed
// container, over SSH: an enabled service really opens its port, checked with
// a connection attempt). Each case: --check predicts and changes nothing, the
// run makes it, a second plan is empty.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Ledger } from '../../src/engine/ledger.js';
import { firewalldModule } from '../../modules/firewalld.js';
import { observeZonesAhead } from '../../modules/firewalld-observe.js';
import { connectHost } from '../../src/host/connect.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { PrivateDirsHost } from './fixtures/private-dirs-host.js';
import { DAEMONS_FLAVOR, upTarget, type BedTarget } from './fixtures/bed-host.js';
import { mountImageTree, type ImageTree } from './fixtures/image-tree.js';
import { shapedDebsLayer } from '../bed/shaped/debs-layer.js';

describe('firewalld offline (firewall-offline-cmd)', () => {
  let tmp: string;
  let host: PrivateDirsHost;
  before(() => {
    tmp = mkdtempSync('/tmp/sysmod-fw-');
    host = new PrivateDirsHost('fw-offline', join(tmp, 'root'), ['/etc']);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const zoneXml = (z: string) => {
    const f = join(tmp, 'root', 'etc', 'firewalld', 'zones', `${z}.xml`);
    return existsSync(f) ? readFileSync(f, 'utf8') : null;
  };
  const conf = () => { const f = join(tmp, 'root', 'etc', 'firewalld', 'firewalld.conf'); return existsSync(f) ? readFileSync(f, 'utf8') : null; };
  const observe = () => [zoneXml('public'), zoneXml('cluster'), conf()];

  const cases: Array<{ title: string; params: Record<string, unknown>; expect: string[]; check?: () => void }> = [
    {
      title: 'services (one already there), a port and masquerade in the default zone',
      params: { service: ['http', 'ssh'], port: '8080/tcp', masquerade: true, state: 'enabled' },
      expect: ['service:http', 'port:8080/tcp', 'masquerade:masquerade'],
      check: () => {
        const xml = zoneXml('public')!;
        for (const re of [/<service name="http"\/>/, /<port port="8080" protocol="tcp"\/>/, /<masquerade\/>/]) assert.match(xml, re);
      },
    },
    {
      title: 'a rich rule',
      params: { rich_rule: 'rule family=ipv4 source address=10.0.0.0/8 service name=nfs accept', state: 'enabled' }, expect: ['rich_rule:rule family=ipv4 source address=10.0.0.0/8 service name=nfs accept'],
    },
    {
      title: 'disable a service (offline: --remove-service-from-zone), masquerade, and the rich rule in firewalld\'s own spelling',
      params: { zone: 'public', service: 'http', masquerade: false, rich_rule: 'rule family="ipv4" source address="10.0.0.0/8" service name="nfs" accept', state: 'disabled' },
      expect: ['service:http', 'masquerade:masquerade', 'rich_rule:rule family="ipv4" source address="10.0.0.0/8" service name="nfs" accept'],
      check: () => assert.doesNotMatch(zoneXml('public')!, /http|masquerade|rule/),
    },
    {
      title: 'create a zone and make it the default',
      params: { zone: 'cluster', state: 'present', default_zone: 'cluster' }, expect: ['zone:cluster', 'default_zone'],
      check: () => assert.match(conf()!, /^DefaultZone=cluster$/m),
    },
    {
      title: 'a source, an interface and services in the new zone',
      params: { zone: 'cluster', source: '192.168.50.0/24', interface: 'cvtest0', service: ['dhcp', 'tftp'], state: 'enabled' },
      expect: ['source:192.168.50.0/24', 'interface:cvtest0', 'service:dhcp', 'service:tftp'],
      check: () => assert.match(zoneXml('cluster')!, /<interface name="cvtest0"\/>/),
    },
    {
      title: 'default zone back, then delete the zone (in that order)',
      params: { zone: 'cluster', state: 'absent', default_zone: 'public' }, expect: ['zone:cluster', 'default_zone'],
      check: () => assert.equal(zoneXml('cluster'), null),
    },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      await checkRunReplan(firewalldModule, c.params, { host }, observe, c.expect);
      c.check?.();
    });
  }

  it('an unknown service fails in --check and in the run; a missing zone waits for the task that creates it', async () => {
    await assert.rejects(planModule(firewalldModule, { service: 'no-such-svc', state: 'enabled' }, { host }), /no service 'no-such-svc'/);
    const run = await runModule(firewalldModule, { zone: 'nosuchzone', port: '53/udp', state: 'enabled' }, { host });
    assert.equal(run.status, 'failed');
    assert.match(run.message ?? '', /zone nosuchzone does not exist/);
    const ledger = new Ledger();
    ledger.record(2, [{ kind: 'path', name: '/etc/firewalld/zones/nosuchzone.xml' }]);
    const p = await planModule(firewalldModule, { zone: 'nosuchzone', port: '53/udp', state: 'enabled' }, { host, ledger });
    assert.deepEqual(p.changes.map((c) => [c.property, c.afterTask]), [['port:53/udp', 2]]);
  });
});

/** 'open' when a TCP connection to address:port succeeds, else the error code. */
function tryConnect(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    // A safety net for a silently dropped SYN, not an assertion on time.
    s.setTimeout(5000, () => { s.destroy(); resolve('timeout'); });
    s.once('connect', () => { s.destroy(); resolve('open'); });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describe('firewalld online (running daemon in a test-bed container)', () => {
  let t: BedTarget;
  before(async () => {
    t = await upTarget(DAEMONS_FLAVOR);
    // Not is-system-running --wait: some of the layer's other daemons time out at boot (90 s).
    await t.bed.execOk(['systemctl', 'start', 'firewalld', 'nginx']);
    // firewalld is "active" once on the bus, "running" once its rules are loaded.
    for (let i = 0; (await t.bed.exec(['firewall-cmd', '--state'])).stdout.trim() !== 'running'; i++) {
      if (i === 100) throw new Error('firewalld did not reach the running state');
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  after(async () => { await t?.down(); });

  // Cheap to read (no Python start): the runtime is what nftables enforces, the permanent configuration is the zone files.
  const state = async () => (await t.host.run(['sh', '-c', 'nft list table inet firewalld; echo @@; cat /etc/firewalld/zones/*.xml 2>/dev/null; true'])).stdout;
  const services = async () => {
    const r = await t.host.run(['sh', '-c', 'firewall-cmd --list-services; firewall-cmd --permanent --list-services; firewall-cmd --list-ports; firewall-cmd --permanent --list-ports']);
    return r.stdout.split('\n').slice(0, 4);
  };

  it('enabling http opens port 80 now and permanently; disabling closes it', async () => {
    assert.notEqual(await tryConnect(t.bed.address, 80), 'open', 'port 80 is closed before');
    await checkRunReplan(firewalldModule, { service: 'http', state: 'enabled' }, { host: t.host }, state, ['service:http']);
    assert.deepEqual((await services()).slice(0, 2), ['dhcpv6-client http ssh', 'dhcpv6-client http ssh']);
    assert.equal(await tryConnect(t.bed.address, 80), 'open', 'nginx is reachable through the firewall');
    await checkRunReplan(firewalldModule, { zone: 'public', service: 'http', state: 'disabled' }, { host: t.host }, state, ['service:http']);
    assert.notEqual(await tryConnect(t.bed.address, 80), 'open', 'closed again');
  });

  it('immediate: false changes only the permanent configuration', async () => {
    await checkRunReplan(firewalldModule, { port: '8080/tcp', state: 'enabled', immediate: false }, { host: t.host }, state, ['port:8080/tcp']);
    assert.deepEqual((await services()).slice(2), ['', '8080/tcp']);
  });

  it('a runtime-only difference is repaired in the runtime only', async () => {
    const p = await planModule(firewalldModule, { port: '8080/tcp', state: 'enabled' }, { host: t.host });
    assert.deepEqual(p.changes.map((c) => c.summary), ['would enable port 8080/tcp in zone public (runtime)']);
    await checkRunReplan(firewalldModule, { port: '8080/tcp', state: 'enabled' }, { host: t.host }, state, ['port:8080/tcp']);
    assert.deepEqual((await services()).slice(2), ['8080/tcp', '8080/tcp']);
  });

  it('a new zone is usable at once (created permanently, then reloaded)', async () => {
    await checkRunReplan(firewalldModule, { zone: 'cvcluster', state: 'present' }, { host: t.host }, state, ['zone:cvcluster']);
    await checkRunReplan(firewalldModule, { zone: 'cvcluster', source: '192.168.77.0/24', service: 'tftp', state: 'enabled' }, { host: t.host },
      state, ['source:192.168.77.0/24', 'service:tftp']);
    assert.match((await t.host.run(['firewall-cmd', '--zone=cvcluster', '--list-sources'])).stdout, /192\.168\.77\.0\/24/, 'the runtime has the new zone');
  });

  it('zones read ahead for a play without default_zone are asked again by a task that sets the default zone', async () => {
    const run = connectHost(t.bed.name, t.vars, { knownHostsFile: t.bed.knownHostsPath, rememberObservations: true });
    try {
      await observeZonesAhead(run, [{ zone: 'public' }, { zone: 'cvcluster' }]);
      const same = await planModule(firewalldModule, { zone: 'public', state: 'present', default_zone: 'public' }, { host: run });
      assert.deepEqual(same.changes, [], 'public is already the default zone');
      const other = await planModule(firewalldModule, { zone: 'cvcluster', state: 'present', default_zone: 'cvcluster' }, { host: run });
      assert.deepEqual(other.changes.map((c) => [c.property, c.before, c.after]), [['default_zone', 'public', 'cvcluster']]);
    } finally {
      await run.close();
    }
  });
});

describe('firewalld on a chroot host (a compute-image tree)', () => {
  let image: ImageTree;
  before(async () => { image = await mountImageTree(shapedDebsLayer, 'fw-image'); });
  after(() => image?.cleanup());

  it('edits the tree\'s permanent configuration with the tree\'s firewall-offline-cmd', async () => {
    const xml = () => { const f = join(image.tree, 'etc/firewalld/zones/public.xml'); return existsSync(f) ? readFileSync(f, 'utf8') : null; };
    await checkRunReplan(firewalldModule, { service: ['nfs', 'mountd'], port: '2049/udp', state: 'enabled' }, { host: image.host }, xml, ['service:nfs', 'service:mountd', 'port:2049/udp']);
    assert.match(xml()!, /<service name="nfs"\/>/);
    assert.equal(existsSync('/etc/firewalld/zones/public.xml') && readFileSync('/etc/firewalld/zones/public.xml', 'utf8').includes('mountd'), false, 'the build machine\'s own firewalld is untouched');
  });
});
