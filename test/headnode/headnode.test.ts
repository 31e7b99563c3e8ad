// playbooks/headnode.yaml on a real Debian 12 host (a debian12 test-bed
// container with systemd, converged over SSH): the steps of issue 6 in the
// order they build on each other. One host for the whole file: a fresh
// converge costs a minute of apt; the compute tree comes from a cache after
// the first run on a machine (see fixture.ts).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { downHost, pxeBoot, upHost } from '../bed/index.js';
import { run } from '../bed/proc.js';
import {
  addBridgeAddress, converge, convergeNodes, sshToNode, signalConsole, describeRun, dhcpProbe, HEADNODE_IP, NODES, prepareHeadnode, saveComputeSeed, fetchPrivate, tasksOf,
  withStatus, writeInventory, type HeadnodeBed,
} from './fixture.js';
import { dhcpNameService, digPrivate } from './dns-probe.js';
import { modprobeOnNode, type NodeModprobeRuns } from './node-modprobe.js';

const UNITS = ['isc-dhcp-server', 'tftpd-hpa', 'nginx', 'nfs-ganesha', 'firewalld', 'named'];
const ZONES_TASK = 'DNS zones (checked by named-checkzone before they are installed)';
const BANNER = 'converge failsafe image';
const TREE = '/var/lib/converge-headnode/compute-tree';
const NFSROOT_BUILD = 'NFS-root image (kernel and ramdisk), built when its inputs change';

describe('headnode playbook on debian12 (real Debian packages, over SSH)', { timeout: 60 * 60_000 }, () => {
  let bed: HeadnodeBed;
  let predicted: string[] = [];
  let converged = false;
  let nfsrootStamp = '';
  let nodeModprobe: NodeModprobeRuns | undefined;
  let nodeModprobeError: Error | undefined;

  before(async () => {
    const h = await upHost('debian12');
    bed = await prepareHeadnode(h);
    process.stderr.write(`# headnode test host: ${h.name} (${bed.seeded ? 'compute tree from the cache' : 'no compute tree cache'})\n`);
  });

  after(async () => {
    if (bed) {
      await downHost(bed.host.name);
      rmSync(bed.tmp, { recursive: true, force: true });
    }
  });

  test('--check on a fresh host predicts the run without a failed task', async () => {
    const r = await converge(bed, ['--check']);
    assert.deepEqual(withStatus(r, bed, 'failed'), [], describeRun(r, bed));
    assert.equal(r.rc, 0, describeRun(r, bed));
    predicted = withStatus(r, bed, 'changed');
    assert.ok(predicted.includes('Head node packages'), `packages predicted: ${predicted.join('\n')}`);
    assert.ok(predicted.includes('DHCP server configuration (checked by the server before it is installed)'));
    // Nothing was touched.
    const conf = await bed.host.exec(['test', '-e', '/etc/dhcp/dhcpd.conf']);
    assert.notEqual(conf.rc, 0, 'dhcpd.conf exists after --check on a fresh host');
  });

  test('a fresh host converges; the services are active and enabled', async (t) => {
    const r = await converge(bed);
    t.diagnostic(`first run: ${(r.wallMs / 1000).toFixed(1)} s wall (${bed.seeded ? 'compute tree from the cache' : 'compute tree bootstrapped'})`);
    assert.equal(r.rc, 0, describeRun(r, bed));
    assert.deepEqual(withStatus(r, bed, 'failed'), []);
    // --check predicted every task the run changed, except what no dry run
    // can know: which files a package it would install ships (Debian's nginx
    // brings a default site that the playbook then removes).
    const unknowable = ['Distribution default sites that would listen on every address are removed (/etc/nginx/sites-enabled/default)'];
    const changed = withStatus(r, bed, 'changed');
    const unpredicted = changed.filter((c) => !predicted.includes(c) && !unknowable.includes(c));
    assert.deepEqual(unpredicted, [], 'changed in the run but not predicted by --check');
    for (const unit of UNITS) {
      const active = await bed.host.exec(['systemctl', 'is-active', unit]);
      const enabled = await bed.host.exec(['systemctl', 'is-enabled', unit]);
      assert.equal(active.stdout.trim(), 'active', `${unit} is ${active.stdout.trim()}`);
      assert.equal(enabled.stdout.trim(), 'enabled', `${unit} is ${enabled.stdout.trim()}`);
    }
    // nginx serves the node scripts on the private address.
    const script = await fetchPrivate(bed.host, `http://${HEADNODE_IP}/nodes/${NODES.failsafe.name}.ipxe`);
    assert.ok(script.equals(readFileSync(path.join(bed.host.rootDir, `srv/tftp/nodes/${NODES.failsafe.name}.ipxe`))), 'node script over HTTP');
    // node-003 (image: nfsroot) makes the playbook build the NFS-root image.
    assert.ok(changed.includes(NFSROOT_BUILD), `NFS-root image built: ${changed.join('\n')}`);
    nfsrootStamp = (await bed.host.execOk(['sh', '-c', 'stat -c "%n %i %Y %s" /srv/tftp/images/nfsroot-*/initrd.img'])).stdout;
    t.diagnostic(`NFS-root image: ${nfsrootStamp.trim()}`);
    converged = true;
    await saveComputeSeed(bed);
  });

  test('a second run changes nothing; --check predicts nothing', async (t) => {
    assert.ok(converged, 'needs the converged host of the previous test');
    const r = await converge(bed);
    t.diagnostic(`second run: ${(r.wallMs / 1000).toFixed(1)} s wall`);
    assert.equal(r.rc, 0, describeRun(r, bed));
    assert.deepEqual(withStatus(r, bed, 'changed'), []);
    assert.deepEqual(withStatus(r, bed, 'changed', true), [], 'no handler runs');
    const again = (await bed.host.execOk(['sh', '-c', 'stat -c "%n %i %Y %s" /srv/tftp/images/nfsroot-*/initrd.img'])).stdout;
    assert.equal(again, nfsrootStamp, 'the NFS-root image is not rebuilt');
    const c = await converge(bed, ['--check']);
    assert.equal(c.rc, 0, describeRun(c, bed));
    assert.deepEqual(withStatus(c, bed, 'changed'), []);
    assert.deepEqual(withStatus(c, bed, 'failed'), []);
  });

  /** The SOA serials of both zones, as named answers them. */
  async function serials(): Promise<string[]> {
    const out: string[] = [];
    for (const zone of ['cluster', '0.168.192.in-addr.arpa']) {
      const r = await digPrivate(bed.host, HEADNODE_IP, [zone, 'SOA']);
      out.push(r.stdout.trim().split(/\s+/)[2] ?? `no SOA for ${zone}: ${r.stdout}${r.stderr}`);
    }
    return out;
  }

  test('cluster DNS: forward and reverse names from the inventory on the private address only; DHCP hands out the head node and the domain', async () => {
    assert.ok(converged);
    const h = bed.host;
    const a = async (name: string) => (await digPrivate(h, HEADNODE_IP, [name, 'A'])).stdout.trim();
    const ptr = async (ip: string) => (await digPrivate(h, HEADNODE_IP, ['-x', ip])).stdout.trim();
    assert.equal(await a(`${NODES.compute.name}.cluster`), NODES.compute.ip);
    assert.equal(await a(`${NODES.failsafe.name}.cluster`), NODES.failsafe.ip);
    assert.equal(await ptr(NODES.compute.ip), `${NODES.compute.name}.cluster.`);
    assert.equal(await ptr(NODES.failsafe.ip), `${NODES.failsafe.name}.cluster.`);
    const headName = (await h.execOk(['hostname', '-s'])).stdout.trim();
    assert.equal(await a(`${headName}.cluster`), HEADNODE_IP);
    assert.equal(await ptr(HEADNODE_IP), `${headName}.cluster.`);
    assert.deepEqual(await serials(), ['1', '1'], 'a new zone starts at serial 1');
    // named binds the private address only, and the firewall opens dns on the cluster zone only.
    const sockets = (await h.execOk(['ss', '-Hlnu', 'sport = :53'])).stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)[3]);
    assert.deepEqual([...new Set(sockets)], [`${HEADNODE_IP}:53`], `named listens on: ${sockets.join(' ')}`);
    assert.match((await h.execOk(['firewall-cmd', '--zone=cluster', '--list-services'])).stdout, /\bdns\b/);
    assert.doesNotMatch((await h.execOk(['firewall-cmd', '--zone=public', '--list-services'])).stdout, /\bdns\b/);
    const pub = await run(['dig', `@${h.address}`, '+short', '+time=2', '+tries=1', `${NODES.compute.name}.cluster`], { timeoutMs: 30_000 });
    assert.notEqual(pub.rc, 0, `an answer on the public address ${h.address}: ${pub.stdout}`);
    assert.deepEqual(await dhcpNameService(h, NODES.compute.mac), { dns: HEADNODE_IP, domain: 'cluster' });
  });

  test('a zone named-checkzone refuses fails that task (in --check too); the old zones and the running named stay', async () => {
    assert.ok(converged);
    const h = bed.host;
    const files = ['etc/bind/cluster.zone', 'etc/bind/0.168.192.in-addr.arpa.zone'];
    const before = files.map((f) => readFileSync(path.join(h.rootDir, f)));
    const pidBefore = (await h.execOk(['systemctl', 'show', '-p', 'MainPID', '--value', 'named'])).stdout.trim();
    // An address in the network (the schema and the checks pass), a name that is no host name.
    const bad = ['-e', JSON.stringify({ dns_extra_hosts: { 'bmc_001': '192.168.0.50' } })];
    for (const mode of [['--check'], []]) {
      const r = await converge(bed, [...mode, ...bad]);
      assert.notEqual(r.rc, 0, `converge ${mode.join(' ')} must fail`);
      const failed = tasksOf(r, bed).filter((t) => t.status === 'failed');
      assert.deepEqual(failed.map((t) => `${t.name} (${t.item})`), [`${ZONES_TASK} (cluster)`, `${ZONES_TASK} (0.168.192.in-addr.arpa)`], describeRun(r, bed));
      assert.match(failed[0].message ?? '', /bmc_001\.cluster: bad owner name \(check-names\)/, 'named-checkzone\'s own message is shown');
      assert.deepEqual(withStatus(r, bed, 'changed', true), [], 'no handler runs');
    }
    files.forEach((f, i) => assert.ok(readFileSync(path.join(h.rootDir, f)).equals(before[i]), `${f} changed`));
    assert.equal((await h.execOk(['systemctl', 'show', '-p', 'MainPID', '--value', 'named'])).stdout.trim(), pidBefore, 'named was restarted');
    assert.equal((await digPrivate(h, HEADNODE_IP, [`${NODES.compute.name}.cluster`])).stdout.trim(), NODES.compute.ip);
    assert.deepEqual(await serials(), ['1', '1']);
  });

  test('a zone change raises the serial by one and named answers it after a reload; the same records keep the serial', async () => {
    assert.ok(converged);
    const h = bed.host;
    const pidBefore = (await h.execOk(['systemctl', 'show', '-p', 'MainPID', '--value', 'named'])).stdout.trim();
    // --tags dns: the zones' own tasks (the whole run's idempotence is the second-run test's).
    const added = await converge(bed, ['--tags', 'dns', '-e', JSON.stringify({ dns_extra_hosts: { 'bmc-001': '192.168.0.50' } })]);
    assert.equal(added.rc, 0, describeRun(added, bed));
    assert.deepEqual(withStatus(added, bed, 'changed'), [`${ZONES_TASK} (cluster)`, `${ZONES_TASK} (0.168.192.in-addr.arpa)`]);
    assert.deepEqual(withStatus(added, bed, 'changed', true), ['reload dns server']);
    assert.deepEqual(await serials(), ['2', '2']);
    assert.equal((await digPrivate(h, HEADNODE_IP, ['bmc-001.cluster'])).stdout.trim(), '192.168.0.50');
    assert.equal((await digPrivate(h, HEADNODE_IP, ['-x', '192.168.0.50'])).stdout.trim(), 'bmc-001.cluster.');
    // Back to the inventory's names: new content, so a new serial; then nothing changes.
    const back = await converge(bed, ['--tags', 'dns']);
    assert.equal(back.rc, 0, describeRun(back, bed));
    assert.deepEqual(withStatus(back, bed, 'changed'), [`${ZONES_TASK} (cluster)`, `${ZONES_TASK} (0.168.192.in-addr.arpa)`]);
    assert.deepEqual(await serials(), ['3', '3']);
    assert.equal((await digPrivate(h, HEADNODE_IP, ['bmc-001.cluster'])).stdout.trim(), '', 'bmc-001 is gone');
    // Forwarders change named.conf only, and named-checkconf accepts it (in --check, nothing written).
    const fwd = await converge(bed, ['--check', '--tags', 'dns', '-e', JSON.stringify({ dns_forwarders: ['192.168.0.254', '192.168.0.253'] })]);
    assert.equal(fwd.rc, 0, describeRun(fwd, bed));
    assert.deepEqual(withStatus(fwd, bed, 'changed'), ['DNS server configuration (checked by named-checkconf before it is installed)']);
    assert.doesNotMatch(readFileSync(path.join(h.rootDir, 'etc/bind/named.conf'), 'utf8'), /forwarders \{/);
    const again = await converge(bed, ['--tags', 'dns']);
    assert.equal(again.rc, 0, describeRun(again, bed));
    assert.deepEqual(withStatus(again, bed, 'changed'), []);
    assert.deepEqual(await serials(), ['3', '3']);
    assert.equal((await h.execOk(['systemctl', 'show', '-p', 'MainPID', '--value', 'named'])).stdout.trim(), pidBefore, 'reloaded, not restarted');
  });

  test('DHCP hands out the boot file by firmware; TFTP serves the distribution\'s iPXE', async () => {
    assert.ok(converged);
    const bios = await dhcpProbe(bed.host, NODES.failsafe.mac);
    assert.deepEqual(bios, { bound: true, ip: NODES.failsafe.ip, siaddr: HEADNODE_IP, bootFile: 'undionly.kpxe' });
    const uefi = await dhcpProbe(bed.host, NODES.compute.mac, { arch: 7 });
    assert.deepEqual(uefi, { bound: true, ip: NODES.compute.ip, siaddr: HEADNODE_IP, bootFile: 'ipxe.efi' });
    const ipxe = await dhcpProbe(bed.host, NODES.failsafe.mac, { ipxe: true });
    assert.equal(ipxe.bootFile, `http://${HEADNODE_IP}/nodes/${NODES.failsafe.name}.ipxe`);
    const served = await fetchPrivate(bed.host, `tftp://${HEADNODE_IP}/undionly.kpxe`);
    const packaged = readFileSync(path.join(bed.host.rootDir, 'usr/lib/ipxe/undionly.kpxe'));
    assert.ok(served.equals(packaged), 'undionly.kpxe over TFTP differs from the ipxe package\'s');
  });

  test('node-000 PXE-boots the failsafe image (BIOS)', async (t) => {
    assert.ok(converged);
    const r = await pxeBoot(bed.host.name, { mac: NODES.failsafe.mac, expect: BANNER, timeoutS: 240 });
    t.diagnostic(`BIOS boot to the banner: ${r.seconds.toFixed(1)} s`);
  });

  test('node-000 PXE-boots the failsafe image (UEFI)', async (t) => {
    assert.ok(converged);
    const r = await pxeBoot(bed.host.name, { mac: NODES.failsafe.mac, uefi: true, expect: BANNER, timeoutS: 300 });
    t.diagnostic(`UEFI boot to the banner: ${r.seconds.toFixed(1)} s`);
  });

  test('an unknown MAC gets an address but no boot file (unknown_clients: deny)', async () => {
    assert.ok(converged);
    for (const opts of [{}, { ipxe: true }, { arch: 7 }]) {
      const a = await dhcpProbe(bed.host, '52:54:00:c0:ff:ee', opts);
      assert.equal(a.bound, true, 'unknown clients still get an address from the dynamic range');
      assert.equal(a.bootFile, undefined, `boot file offered to an unknown client (${JSON.stringify(opts)})`);
      assert.equal(a.siaddr, undefined, 'next-server offered to an unknown client');
    }
  });

  test('converge nodes: node-000 booted with its image and stage times, node-001 no boot, an unknown PXE client at the DHCP stage; its metrics parse and follow a boot', async (t) => {
    assert.ok(converged);
    const stranger = '52:54:00:c0:ff:01';
    const probe = await dhcpProbe(bed.host, stranger, { vendorClass: 'PXEClient:Arch:00000:UNDI:002001' });
    assert.equal(probe.bound, true);
    const metrics = path.join(bed.tmp, 'metrics');
    mkdirSync(metrics, { recursive: true });
    const first = await convergeNodes(bed, ['--metrics-dir', metrics]);
    assert.equal(first.rc, 0, first.stderr);
    t.diagnostic(JSON.stringify(first.doc).slice(0, 3000));
    const byName = (doc: any, name: string) => doc.nodes.find((n: any) => n.name === name);
    const n0 = byName(first.doc, NODES.failsafe.name);
    assert.equal(n0.stage, 'booted', JSON.stringify(n0));
    assert.equal(n0.state, 'booted');
    assert.equal(n0.booted_image_kind, 'failsafe');
    assert.match(n0.booted_image, /^failsafe-[0-9a-f]{40}$/);
    assert.match(n0.summary, /^booted the failsafe image /);
    // qemu's NIC firmware is iPXE itself: it asks for its script straight away, no TFTP.
    const order = ['dhcp_offer', 'dhcp_ack', 'ipxe_script', 'kernel', 'initrd', 'booted'];
    const times = order.map((s) => Date.parse(n0.stages[s]));
    assert.ok(times.every((x) => Number.isFinite(x)), JSON.stringify(n0.stages));
    assert.deepEqual([...times].sort((a, b) => a - b), times, `stages out of order: ${JSON.stringify(n0.stages)}`);
    assert.ok(Date.now() - times[0] < 30 * 60_000, 'the last boot is from this test run');
    assert.ok(Date.parse(n0.last_seen) >= times[times.length - 1]);
    const n1 = byName(first.doc, NODES.compute.name);
    assert.equal(n1.stage, 'none', JSON.stringify(n1));
    assert.equal(n1.state, 'no_boot');
    const u = first.doc.unknown.find((n: any) => n.mac === stranger);
    assert.ok(u, `unknown MAC not listed: ${JSON.stringify(first.doc.unknown)}`);
    assert.equal(u.known, false);
    assert.equal(u.stage, 'dhcp_ack');
    assert.ok(u.stages.dhcp_offer && u.stages.dhcp_ack);
    assert.match(u.ip, /^192\.168\.0\.2\d\d$/);
    assert.match(u.summary, /not in the inventory, so it is offered nothing to boot/);

    // The metrics: Prometheus's parser accepts them, and a boot changes them.
    const prom = path.join(metrics, 'converge_nodes.prom');
    const check = await run(['promtool', 'check', 'metrics'], { input: readFileSync(prom) });
    assert.equal(check.rc, 0, `${check.stdout}${check.stderr}`);
    const bootedAt = (text: string) => {
      const m = new RegExp(`^converge_node_boot_stage_timestamp_seconds\\{node="${NODES.failsafe.name}",mac="${NODES.failsafe.mac}",stage="booted"\\} (\\S+)$`, 'm').exec(text);
      assert.ok(m, text);
      return Number(m[1]);
    };
    const before = bootedAt(readFileSync(prom, 'utf8'));
    assert.match(readFileSync(prom, 'utf8'), new RegExp(`^converge_node_boot_stage\\{node="${NODES.compute.name}",mac="${NODES.compute.mac}"\\} 0$`, 'm'));
    await pxeBoot(bed.host.name, { mac: NODES.failsafe.mac, expect: BANNER, timeoutS: 240 });
    const second = await convergeNodes(bed, ['--metrics-dir', metrics]);
    assert.equal(second.rc, 0, second.stderr);
    assert.ok(Date.parse(byName(second.doc, NODES.failsafe.name).stages.booted) > times[5], 'the new boot is the last boot');
    assert.ok(bootedAt(readFileSync(prom, 'utf8')) > before, 'the metrics follow the boot');
  });

  test('drift: exactly the four drifted things are reported, then corrected; node-000 boots again', async () => {
    assert.ok(converged);
    const h = bed.host;
    await h.execOk(['sh', '-c', 'echo "# drift-marker-4711" >> /etc/dhcp/dhcpd.conf']);
    await h.execOk(['systemctl', 'stop', 'nginx']);
    await h.execOk(['firewall-cmd', '--permanent', '--zone=cluster', '--remove-service=http']);
    await h.execOk(['firewall-cmd', '--zone=cluster', '--remove-service=http']);
    const image = (await h.execOk(['sh', '-c', 'ls -d /srv/tftp/images/failsafe-*/initrd.img'])).stdout.trim();
    await h.execOk(['chmod', '0600', image]);

    const expected = [
      'DHCP server configuration (checked by the server before it is installed)',
      'Images are world-readable and owned by root (nginx and tftpd serve them)',
      'The cluster zone allows the boot and file services',
      'nginx runs and starts at boot',
    ];
    const c = await converge(bed, ['--check']);
    assert.equal(c.rc, 0, describeRun(c, bed));
    assert.deepEqual(withStatus(c, bed, 'changed').sort(), expected);
    assert.deepEqual(withStatus(c, bed, 'failed'), []);

    const r = await converge(bed);
    assert.equal(r.rc, 0, describeRun(r, bed));
    assert.deepEqual(withStatus(r, bed, 'changed').sort(), expected);
    assert.deepEqual(withStatus(r, bed, 'changed', true), ['restart dhcp server'], 'only dhcpd restarts (its configuration changed)');

    assert.equal((await h.exec(['systemctl', 'is-active', 'nginx'])).stdout.trim(), 'active');
    assert.equal((await h.exec(['grep', '-c', 'drift-marker-4711', '/etc/dhcp/dhcpd.conf'])).stdout.trim(), '0');
    assert.match((await h.execOk(['firewall-cmd', '--zone=cluster', '--list-services'])).stdout, /\bhttp\b/);
    assert.equal((await h.execOk(['stat', '-c', '%a', image])).stdout.trim(), '644');
    await pxeBoot(h.name, { mac: NODES.failsafe.mac, expect: BANNER, timeoutS: 240 });
  });

  test('an inventory change that breaks dhcpd.conf fails at validation; the old config and dhcpd stay', async () => {
    assert.ok(converged);
    const h = bed.host;
    const before = readFileSync(path.join(h.rootDir, 'etc/dhcp/dhcpd.conf'));
    const pidBefore = (await h.execOk(['systemctl', 'show', '-p', 'MainPID', '--value', 'isc-dhcp-server'])).stdout.trim();
    // A valid MAC and address (the schema and the checks pass), but a host
    // name dhcpd cannot parse in a host declaration.
    const broken = writeInventory(path.join(bed.tmp, 'inventory-broken'), bed,
      readFileSync(bed.nodeKey + '.pub', 'utf8').trim(), { 'node@002': { mac: 'fc:ab:14:e8:66:03', ip: '192.168.0.102' } });
    const r = await converge(bed, [], broken);
    assert.notEqual(r.rc, 0, 'the run must fail');
    const failed = tasksOf(r, bed).filter((t) => t.status === 'failed');
    assert.deepEqual(failed.map((t) => t.name), ['DHCP server configuration (checked by the server before it is installed)'], describeRun(r, bed));
    assert.match(failed[0].message ?? '', /expecting left brace/, 'dhcpd\'s own message is shown');
    assert.ok(readFileSync(path.join(h.rootDir, 'etc/dhcp/dhcpd.conf')).equals(before), 'dhcpd.conf changed');
    assert.equal((await h.exec(['systemctl', 'is-active', 'isc-dhcp-server'])).stdout.trim(), 'active');
    const pidAfter = (await h.execOk(['systemctl', 'show', '-p', 'MainPID', '--value', 'isc-dhcp-server'])).stdout.trim();
    assert.equal(pidAfter, pidBefore, 'dhcpd was restarted');
  });

  test('node-001 boots the compute image into RAM and reaches multi-user (root over SSH with the inventory\'s key)', async (t) => {
    assert.ok(converged);
    const h = bed.host;
    const marker = `converge-compute-${process.pid}:multi-user`;
    // /home is exported with root_squash: the node's root writes as nobody
    // (65534, as the kernel server maps it), into a directory nobody owns. Not a
    // sticky 1777 one: with fs.protected_regular=2 (systemd's default) the node's
    // kernel refuses root an O_CREAT open of a file that nobody then owns there.
    await h.execOk(['install', '-d', '-o', 'nobody', '-g', 'nogroup', '-m', '0755', '/home/scratch']);
    const proof = `/home/scratch/written-by-${NODES.compute.name}-${process.pid}`;
    const removeAddress = await addBridgeAddress(h);
    let bootDone = false;
    try {
      const boot = pxeBoot(h.name, { mac: NODES.compute.mac, expect: marker, memoryMB: 2048, timeoutS: 1200 });
      boot.then(() => { bootDone = true; }, () => { bootDone = true; });
      // Once the node answers over SSH: wait for its boot to finish, try the
      // NFS write, then say so on the serial console (which is what the VM
      // above waits for; it is killed once the line appears).
      const script = [
        'systemctl is-system-running --wait >/dev/null 2>&1 || true',
        'systemctl is-active multi-user.target >/dev/null || { echo "multi-user not reached: $(systemctl is-system-running)"; exit 3; }',
        `if findmnt -n -o FSTYPE /home | grep -q "^nfs" && echo "from $(hostname)" > ${proof}; then echo nfs=ok; else echo "nfs=failed: $(systemctl status home.mount --no-pager 2>&1 | tail -2)"; fi`,
        // Names through the head node's DNS (the image's resolv.conf): short names, a full name, an address.
        `for n in ${NODES.failsafe.name} ${NODES.compute.name}.cluster ${NODES.failsafe.ip}; do echo "resolved $n: $(getent hosts $n | tr -s ' ')"; done`,
        'echo checks-done',
      ].join('\n');
      let last = '';
      while (!bootDone) {
        const r = await sshToNode(bed, NODES.compute.ip, script, 300_000);
        last = `rc ${r.rc}: ${r.stdout}${r.stderr}`;
        if (r.rc === 3) throw new Error(`node-001 booted but did not reach multi-user: ${r.stdout}`);
        if (r.stdout.includes('checks-done')) {
          // The node's kernel loads modules (the build machine's does not): modprobe for real, before the VM goes.
          try {
            nodeModprobe = await modprobeOnNode(bed, NODES.compute.ip);
          } catch (e) {
            nodeModprobeError = e as Error;
          } finally {
            await signalConsole(bed, NODES.compute.ip, marker);
          }
          break;
        }
        await new Promise((res) => setTimeout(res, 5000));
      }
      const result = await boot.catch((e: Error) => { throw new Error(`${e.message}\nlast ssh attempt: ${last}`); });
      assert.match(last, new RegExp(`^resolved ${NODES.failsafe.name}: ${NODES.failsafe.ip.replace(/\./g, '\\.')} ${NODES.failsafe.name}\\.cluster$`, 'm'), last);
      assert.match(last, new RegExp(`^resolved ${NODES.compute.name}\\.cluster: ${NODES.compute.ip.replace(/\./g, '\\.')} ${NODES.compute.name}\\.cluster$`, 'm'), last);
      assert.match(last, new RegExp(`^resolved ${NODES.failsafe.ip.replace(/\./g, '\\.')}: ${NODES.failsafe.ip.replace(/\./g, '\\.')} ${NODES.failsafe.name}\\.cluster$`, 'm'), last);
      t.diagnostic(`compute node at multi-user after ${result.seconds.toFixed(0)} s; ${last.replace(/\s+/g, ' ').slice(0, 300)}`);
    } finally {
      await removeAddress();
    }
  });

  // NFS-Ganesha in the bed host needs open_by_handle_at, which the bed allows
  // through nspawn's seccomp filter (test/bed/host.ts).
  test('node-001 writes to /home over NFS and the file appears on the head node, owned by nobody (root squashed)', async () => {
    assert.ok(converged);
    const listing = (await bed.host.exec(['sh', '-c', 'for f in /home/scratch/written-by-*; do stat -c "%U %n" "$f"; cat "$f"; done 2>&1'])).stdout;
    assert.match(listing, new RegExp(`^nobody /home/scratch/written-by-${NODES.compute.name}-\\d+\nfrom ${NODES.compute.name}$`, 'm'), listing);
  });

  test('node-001: modprobe loads dummy with a parameter and unloads it on the node\'s kernel; --check predicts, a second run changes nothing; ansible-playbook does the same', (t) => {
    if (nodeModprobeError) throw nodeModprobeError;
    assert.ok(nodeModprobe, 'the modprobe runs need the booted node of the previous test');
    const { converge: c, ansible: a, seconds } = nodeModprobe;
    t.diagnostic(`modprobe on node-001: converge ${seconds.converge.toFixed(1)} s (7 runs), ansible-playbook ${seconds.ansible.toFixed(1)} s (3 runs)`);
    const LOAD = 'load dummy with two interfaces, at boot too';
    const UNLOAD = 'unload dummy, not at boot';
    const none = '/etc/modules-load.d/dummy.conf absent\n/etc/modprobe.d/dummy.conf absent\nloaded: 0\nlinks: \n';
    const { before, loaded, unloaded, ...runs } = c;
    assert.deepEqual({ before, loaded, unloaded }, {
      before: none,
      loaded: '/etc/modules-load.d/dummy.conf 644\ndummy\n/etc/modprobe.d/dummy.conf 644\noptions dummy numdummies=2\nloaded: 1\nlinks: dummy0 dummy1 \n',
      unloaded: '/etc/modules-load.d/dummy.conf 644\n#dummy\n/etc/modprobe.d/dummy.conf 644\n#options dummy numdummies=2\nloaded: 0\nlinks: \n',
    }, 'the node after converge');
    assert.deepEqual(runs, {
      checkLoad: [{ name: LOAD, status: 'changed' }, { name: 'show load', status: 'skipped' }],
      load: [{ name: LOAD, status: 'changed' }, { name: 'show load', status: 'ok', msg: 'True dummy numdummies=2 present' }],
      loadAgain: [{ name: LOAD, status: 'ok' }, { name: 'show load', status: 'ok', msg: 'False dummy numdummies=2 present' }],
      checkLoadAgain: [{ name: LOAD, status: 'ok' }, { name: 'show load', status: 'skipped' }],
      checkUnload: [{ name: UNLOAD, status: 'changed' }, { name: 'show unload', status: 'skipped' }],
      unload: [{ name: UNLOAD, status: 'changed' }, { name: 'show unload', status: 'ok', msg: 'True dummy  absent' }],
      unloadAgain: [{ name: UNLOAD, status: 'ok' }, { name: 'show unload', status: 'ok', msg: 'False dummy  absent' }],
    }, 'converge: --check, runs, second runs');
    // Ansible, from the same starting point: the same statuses, registered values and node.
    assert.deepEqual(a, { before: none, load: c.load, loaded: c.loaded, loadAgain: c.loadAgain, unload: c.unload, unloaded: c.unloaded }, 'ansible-playbook');
  });

  test('node-003 (image: nfsroot) boots to multi-user with / an overlay of the head node\'s tree over NFS (read-only) and a tmpfs; what it writes under /etc stays in its RAM', async (t) => {
    assert.ok(converged);
    const h = bed.host;
    const node = NODES.nfsroot;
    const marker = `converge-nfsroot-${process.pid}:multi-user`;
    const written = `/etc/converge-written-by-${node.name}-${process.pid}`;
    // Anything in the tree modified or changed after this file would have been written through NFS.
    const since = `/run/converge-nfsroot-test-${process.pid}`;
    await h.execOk(['touch', since]);
    const removeAddress = await addBridgeAddress(h);
    let bootDone = false;
    let out = '';
    try {
      const boot = pxeBoot(h.name, { mac: node.mac, expect: marker, timeoutS: 1200 });
      boot.then(() => { bootDone = true; }, () => { bootDone = true; });
      const script = [
        'systemctl is-system-running --wait >/dev/null 2>&1 || true',
        'systemctl is-active multi-user.target >/dev/null || { echo "multi-user not reached: $(systemctl is-system-running)"; exit 3; }',
        'echo "state=$(systemctl is-system-running)"',
        'echo "root=$(findmnt -n -o FSTYPE,SOURCE /)"',
        'echo "lower=$(findmnt -n -o FSTYPE,SOURCE,OPTIONS /run/converge-nfsroot/lower)"',
        'echo "upperfs=$(findmnt -n -o FSTYPE /run/converge-nfsroot/rw)"',
        `echo "from $(hostname)" > ${written} && echo "written=$(cat ${written})"`,
        `test -f /run/converge-nfsroot/rw/upper${written} && echo "in-upper=yes"`,
        // The export itself refuses writes, whatever the node's root asks for.
        'mkdir -p /run/converge-rw-probe',
        `mount -t nfs -o vers=3,nolock,nosharecache,rw ${HEADNODE_IP}:${TREE} /run/converge-rw-probe && { echo "rw-probe=$(touch /run/converge-rw-probe/rw-probe 2>&1)"; umount /run/converge-rw-probe; }`,
        'echo checks-done',
      ].join('\n');
      while (!bootDone) {
        const r = await sshToNode(bed, node.ip, script, 300_000);
        out = `rc ${r.rc}: ${r.stdout}${r.stderr}`;
        if (r.rc === 3) throw new Error(`${node.name} booted but did not reach multi-user: ${r.stdout}`);
        if (r.stdout.includes('checks-done')) { await signalConsole(bed, node.ip, marker); break; }
        await new Promise((res) => setTimeout(res, 5000));
      }
      const result = await boot.catch((e: Error) => { throw new Error(`${e.message}\nlast ssh attempt: ${out}`); });
      t.diagnostic(`nfsroot node at multi-user after ${result.seconds.toFixed(0)} s (PXE to the console marker); ${out.replace(/\s+/g, ' ').slice(0, 600)}`);
      // What the ramdisk said on the serial console before it handed over.
      const consoleText = readFileSync(result.logPath, 'latin1');
      assert.ok(consoleText.includes(`converge: / is an overlay of ${HEADNODE_IP}:${TREE} (read-only) and a tmpfs`), 'the ramdisk\'s line on the console');
    } finally {
      await removeAddress();
    }
    // findmnt pads its columns.
    assert.match(out, /^root=overlay\s+overlay$/m, out);
    const lower = /^lower=(\S+)\s+(\S+)\s+(\S+)$/m.exec(out);
    assert.ok(lower, out);
    assert.equal(lower[1], 'nfs');
    assert.equal(lower[2], `${HEADNODE_IP}:${TREE}`);
    assert.match(lower[3], /^ro,/);
    assert.match(lower[3], /(^|,)vers=3(,|$)/);
    assert.match(out, /^upperfs=tmpfs$/m, out);
    assert.match(out, new RegExp(`^written=from ${node.name}$`, 'm'), out);
    assert.match(out, /^in-upper=yes$/m, out);
    assert.match(out, /^rw-probe=.*Read-only file system/m, out);
    // The head node's tree: not the node's file, and nothing in it touched since the boot began.
    assert.notEqual((await h.exec(['test', '-e', TREE + written])).rc, 0, `${written} appeared in the head node's tree`);
    const touched = (await h.execOk(['find', TREE, '-xdev', '(', '-newer', since, '-o', '-cnewer', since, ')', '-print'])).stdout.trim();
    assert.equal(touched, '', `files of the tree modified while the node ran: ${touched.slice(0, 1000)}`);
    await h.exec(['rm', '-f', since]);
  });
});
