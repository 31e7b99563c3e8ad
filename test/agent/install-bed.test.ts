// `converge agent --install` on the debian12 test bed host (systemd running):
// converge, copied into the host, writes and enables its own unit with its
// own modules; the agent then installs and starts nginx, and a stopped nginx
// is started again by the next scheduled run and recorded as drift.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { downHost, upHost, type BedHost } from '../bed/index.js';
import { CLI_IN_HOST, copyConvergeInto, NODE } from './converge-in-host.js';

const PLAYBOOK = `
- hosts: localhost
  gather_facts: true
  tasks:
    - name: nginx installed
      apt:
        name: nginx
        update_cache: true
        cache_valid_time: 3600
    - name: nginx running
      service:
        name: nginx
        state: started
        enabled: true
`;

let h: BedHost;
before(async () => { h = await upHost('debian12'); });
after(() => downHost(h.name));

async function converge(args: string[]): Promise<{ rc: number; stdout: string; stderr: string }> {
  return h.exec([NODE, CLI_IN_HOST, ...args], { timeoutMs: 300_000 });
}

async function until(what: string, cond: () => Promise<boolean>, guardMs = 300_000): Promise<void> {
  const deadline = Date.now() + guardMs;
  while (!(await cond())) {
    if (Date.now() > deadline) {
      const log = await h.exec(['journalctl', '-u', 'converge-agent', '--no-pager', '-n', '60']);
      throw new Error(`gave up waiting for ${what}; agent journal:\n${log.stdout}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function history(): Promise<any[]> {
  const r = await converge(['history', '--json']);
  assert.equal(r.rc, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('agent --install leaves an active, enabled unit that starts a stopped nginx again on schedule', async () => {
  copyConvergeInto(h.rootDir);
  mkdirSync(path.join(h.rootDir, 'opt/site'), { recursive: true });
  writeFileSync(path.join(h.rootDir, 'opt/site/site.yaml'), PLAYBOOK);

  const install = await converge(['agent', '/opt/site/site.yaml', '--install', '--schedule', '*/3 * * * * *']);
  assert.equal(install.rc, 0, install.stdout + install.stderr);
  assert.equal((await h.exec(['systemctl', 'is-enabled', 'converge-agent'])).stdout.trim(), 'enabled');
  assert.equal((await h.exec(['systemctl', 'is-active', 'converge-agent'])).stdout.trim(), 'active');
  const unit = await h.execOk(['systemctl', 'cat', 'converge-agent']);
  assert.match(unit.stdout, new RegExp(`^ExecStart=${NODE} ${CLI_IN_HOST} agent /opt/site/site.yaml --schedule "\\*/3 \\* \\* \\* \\* \\*" --state-dir /var/lib/converge$`, 'm'));

  // Installing again with the same settings changes nothing.
  const again = await converge(['agent', '/opt/site/site.yaml', '--install', '--schedule', '*/3 * * * * *']);
  assert.equal(again.rc, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /localhost +ok=\d+ changed=0 failed=0/);

  // The agent's first run installs and starts nginx (apt through the bed's NAT: the slow part).
  await until('nginx to be installed and active', async () => (await h.exec(['systemctl', 'is-active', 'nginx'])).stdout.trim() === 'active');
  await until('a run that found the host in sync', async () => (await history()).some((r) => r.hosts.localhost?.status === 'in_sync'));

  await h.execOk(['systemctl', 'stop', 'nginx']);
  await until('nginx to be started again by the agent', async () => (await h.exec(['systemctl', 'is-active', 'nginx'])).stdout.trim() === 'active');
  await until('the correction to be in the history', async () => (await history()).some((r) => (r.hosts.localhost?.changes ?? []).some((c: any) => c.resource === 'service nginx')));
  const corrected = (await history()).flatMap((r) => r.hosts.localhost.changes).filter((c: any) => c.resource === 'service nginx');
  assert.equal(corrected[corrected.length - 1].kind, 'drift');
  assert.equal(corrected[corrected.length - 1].corrected, true);

  const status = JSON.parse((await converge(['status', '--json'])).stdout);
  assert.ok(status.hosts.localhost.resources.some((r: any) => r.resource === 'service nginx' && r.drift >= 1));

  // The journal has the agent's lines.
  const journal = await h.exec(['journalctl', '-u', 'converge-agent', '--no-pager']);
  assert.match(journal.stdout, /corrected drift in service nginx/);
});
