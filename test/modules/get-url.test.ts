// get_url against a real nginx on a loopback port: each case checks --check
// (prediction, nothing changed), the run, an empty second plan, and from
// nginx's access log whether a download happened.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost } from '../../src/host/local-host.js';
import { getUrlModule } from '../../modules/get-url.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { checkRunReplan } from './fixtures/converge-case.js';
import { startNginx, type LocalNginx } from './fixtures/local-nginx.js';
import { DAEMONS_FLAVOR, upTarget, type BedTarget } from './fixtures/bed-host.js';

const host = new LocalHost('localhost');
let nginx: LocalNginx;
let dir: string;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const serve = (name: string, content: string) => writeFileSync(join(nginx.root, name), content);
const gets = (name: string) => nginx.requests().filter((l) => l.startsWith(`GET /${name} `)).length;
const observe = (path: string) => () => (existsSync(path) ? `${readFileSync(path, 'utf8')}:${(statSync(path).mode & 0o7777).toString(8)}` : 'absent');

before(async () => {
  nginx = await startNginx();
  dir = mkdtempSync('/tmp/sysmod-geturl-');
  mkdirSync(join(nginx.root, 'private'));
});
after(async () => {
  await nginx?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('get_url', () => {
  it('downloads a new executable file with its checksum and mode', async () => {
    serve('ipxe.efi', 'IPXE-BINARY-1');
    const dest = join(dir, 'ipxe.efi');
    const params = { url: `${nginx.url}/ipxe.efi`, dest, checksum: `sha256:${sha256('IPXE-BINARY-1')}`, mode: '0755' };
    await checkRunReplan(getUrlModule, params, { host }, observe(dest), ['content', 'mode']);
    assert.equal(readFileSync(dest, 'utf8'), 'IPXE-BINARY-1');
    assert.equal(statSync(dest).mode & 0o777, 0o755);
    assert.equal(gets('ipxe.efi'), 1, 'one download; the checks after it only hashed the present file');
  });

  it('a present file with the checksum is not downloaded again', async () => {
    const before = gets('ipxe.efi');
    const params = { url: `${nginx.url}/ipxe.efi`, dest: join(dir, 'ipxe.efi'), checksum: `sha256:${sha256('IPXE-BINARY-1')}`, mode: '0755' };
    await checkRunReplan(getUrlModule, params, { host }, observe(join(dir, 'ipxe.efi')), []);
    assert.equal(gets('ipxe.efi'), before);
  });

  it('a checksum mismatch fails and leaves the old file (and no temp file)', async () => {
    serve('ipxe.efi', 'IPXE-BINARY-TAMPERED');
    const dest = join(dir, 'ipxe.efi');
    const params = { url: `${nginx.url}/ipxe.efi`, dest, checksum: `sha256:${sha256('IPXE-BINARY-2')}`, mode: '0755' };
    const p = await planModule(getUrlModule, params, { host });
    assert.deepEqual(p.changes.map((c) => [c.property, c.before, c.after]), [['content', `sha256:${sha256('IPXE-BINARY-1')}`, `sha256:${sha256('IPXE-BINARY-2')}`]]);
    const run = await runModule(getUrlModule, params, { host });
    assert.equal(run.status, 'failed');
    assert.match(run.message ?? '', new RegExp(`checksum mismatch .*expected sha256:${sha256('IPXE-BINARY-2')}, got sha256:${sha256('IPXE-BINARY-TAMPERED')}; .* left unchanged`));
    assert.equal(readFileSync(dest, 'utf8'), 'IPXE-BINARY-1');
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('converge')), []);
  });

  it('the right new checksum replaces the file, keeping its mode', async () => {
    serve('ipxe.efi', 'IPXE-BINARY-2');
    const dest = join(dir, 'ipxe.efi');
    await checkRunReplan(getUrlModule, { url: `${nginx.url}/ipxe.efi`, dest, checksum: `sha256:${sha256('IPXE-BINARY-2')}` }, { host }, observe(dest), ['content']);
    assert.equal(readFileSync(dest, 'utf8'), 'IPXE-BINARY-2');
    assert.equal(statSync(dest).mode & 0o777, 0o755);
  });

  it('an executable file without checksum is refused', async () => {
    await assert.rejects(planModule(getUrlModule, { url: `${nginx.url}/ipxe.efi`, dest: join(dir, 'x'), mode: '0755' }, { host }), /would be executable .*give checksum/);
  });

  it('without checksum: downloads when missing, then keeps the present file', async () => {
    serve('motd', 'hello 1\n');
    const dest = join(dir, 'motd');
    await checkRunReplan(getUrlModule, { url: `${nginx.url}/motd`, dest }, { host }, observe(dest), ['content']);
    serve('motd', 'hello 2\n');
    const n = gets('motd');
    await checkRunReplan(getUrlModule, { url: `${nginx.url}/motd`, dest }, { host }, observe(dest), []);
    assert.equal(gets('motd'), n, 'force: false does not fetch');
    assert.equal(readFileSync(dest, 'utf8'), 'hello 1\n');
  });

  it('force: true fetches to compare and replaces changed content', async () => {
    const dest = join(dir, 'motd');
    await checkRunReplan(getUrlModule, { url: `${nginx.url}/motd`, dest, force: true }, { host }, observe(dest), ['content']);
    assert.equal(readFileSync(dest, 'utf8'), 'hello 2\n');
  });

  it('dest that is a directory gets the URL\'s file name; mode-only change', async () => {
    serve('busybox', 'BUSYBOX');
    const sub = join(dir, 'bin');
    mkdirSync(sub);
    await checkRunReplan(getUrlModule, { url: `${nginx.url}/busybox`, dest: sub, checksum: `sha256:${sha256('BUSYBOX')}` }, { host }, observe(join(sub, 'busybox')), ['content']);
    chmodSync(join(sub, 'busybox'), 0o600);
    await checkRunReplan(getUrlModule, { url: `${nginx.url}/busybox`, dest: sub, checksum: `sha256:${sha256('BUSYBOX')}`, mode: '0755' }, { host }, observe(join(sub, 'busybox')), ['mode']);
  });

  it('headers are sent; an HTTP error fails with curl\'s words', async () => {
    serve('private/key', 'KEY');
    const dest = join(dir, 'key');
    const no = await runModule(getUrlModule, { url: `${nginx.url}/private/key`, dest }, { host });
    assert.equal(no.status, 'failed');
    assert.match(no.message ?? '', /download of .* failed \(rc 22\): .*403/);
    assert.equal(existsSync(dest), false);
    await checkRunReplan(getUrlModule, { url: `${nginx.url}/private/key`, dest, headers: { 'X-Token': 'letmein' } }, { host }, observe(dest), ['content']);
    assert.deepEqual(readdirSync(dir).filter((n) => n.includes('converge')), []);
  });
});

describe('get_url on a remote host: the host fetches, not the controller', () => {
  let t: BedTarget;
  before(async () => {
    t = await upTarget(DAEMONS_FLAVOR); // nginx, and tftpd-hpa's /srv/tftp
    await t.bed.execOk(['systemctl', 'start', 'nginx']);
    await t.host.writeFile('/var/www/html/undionly.kpxe', 'UNDIONLY');
  });
  after(async () => { await t?.down(); });

  it('a URL on the host\'s own loopback (unreachable from here) is downloaded there, checked and put in place', async () => {
    const params = { url: 'http://127.0.0.1/undionly.kpxe', dest: '/srv/tftp/undionly.kpxe', checksum: `sha256:${sha256('UNDIONLY')}`, mode: '0644', owner: 'root' };
    const observe = async () => [(await t.host.readFile(params.dest))?.toString(), (await t.host.stat(params.dest)).mode];
    await checkRunReplan(getUrlModule, params, { host: t.host }, observe, ['content', 'mode', 'owner']);
    assert.deepEqual(await observe(), ['UNDIONLY', 0o644]);
    assert.deepEqual((await t.host.readdir('/srv/tftp')).filter((n) => n.includes('converge')), [], 'no temp file left');
  });
});
