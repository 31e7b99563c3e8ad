// Crash safety with a real service: a systemd unit in a test-bed container
// (Debian 12, systemd as PID 1, reached over SSH like any managed host). The
// unit records, each time it starts, a hash of the config files it loaded.
// converge rewrites 12 config files (content, mode, owner) that notify a
// handler `service: state=restarted`, and is SIGKILLed on the controller at
// random moments (the SSH connection dies with it). After each kill every file
// is entirely old or new; the run after it converges, leaves no temp file, and
// the service is running with the files on disk: the restart owed by a killed
// run is never lost.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { upTarget, type BedTarget } from '../modules/fixtures/bed-host.js';
import { runCli, tempDir, type CliResult } from './cli-process.js';

const FILES = 12;
const KILLS = Number(process.env.CVG_REL_SYSTEMD_KILLS ?? 12);
const DIR = '/etc/cvg-rel-app';
// Restarted many times in a few seconds on purpose: systemd's default start
// limit (5 starts in 10 s) would refuse the sixth, which is not what is tested.
const UNIT = `[Unit]
Description=converge reliability test service: records what it loaded
StartLimitIntervalSec=0
[Service]
ExecStart=/bin/sh -c 'cat ${DIR}/f*.conf | sha256sum > /run/cvg-rel-app.loaded; exec sleep infinity'
`;

function playbook(): string {
  const tasks: string[] = [];
  for (let i = 0; i < FILES; i++) {
    tasks.push(`    - copy:
        content: "file ${i} generation {{ gen }}\\n{{ pad }}"
        dest: ${DIR}/f${String(i).padStart(2, '0')}.conf
        mode: "{{ '0640' if gen | int == 1 else '0600' }}"
        owner: "{{ 'root' if gen | int == 1 else 'nobody' }}"
      notify: restart app`);
  }
  return `- hosts: bed
  gather_facts: false
  vars:
    pad: "{{ ('generation ' ~ gen ~ ' ......................................\\n') * 40 }}"
  tasks:
    - file: { path: ${DIR}, state: directory, mode: "0755" }
${tasks.join('\n')}
  handlers:
    - name: restart app
      service: { name: cvg-rel-app, state: restarted }
`;
}

describe('crash safety with a systemd service (test bed)', () => {
  let bed: BedTarget;
  let t: ReturnType<typeof tempDir>;
  let args: string[];

  before(async () => {
    bed = await upTarget('debian12');
    await bed.host.writeFile('/etc/systemd/system/cvg-rel-app.service', UNIT);
    await bed.host.run(['systemctl', 'daemon-reload']);
    t = tempDir('crashsd');
    fs.writeFileSync(path.join(t.dir, 'site.yaml'), playbook());
    const v = bed.vars;
    fs.writeFileSync(path.join(t.dir, 'hosts.yaml'), `all:\n  hosts:\n    bed: { ansible_host: ${v.ansible_host}, ansible_port: ${v.ansible_port}, ansible_user: ${v.ansible_user}, ansible_ssh_private_key_file: ${v.ansible_ssh_private_key_file} }\n`);
    args = [path.join(t.dir, 'site.yaml'), '-i', path.join(t.dir, 'hosts.yaml'), '--known-hosts-file', bed.bed.knownHostsPath];
  });

  after(async () => {
    await bed?.down();
    t?.remove();
  });

  const converge = (gen: number, killAfterMs?: number): Promise<CliResult> =>
    runCli([...args, '-e', `gen=${gen}`], {
      cwd: t.dir, env: { CONVERGE_STATE_DIR: path.join(t.dir, 'state') }, detached: true,
      onSpawn: killAfterMs === undefined ? undefined : (child) => {
        setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* finished */ } }, killAfterMs);
      },
    });

  const sh = async (script: string) => (await bed.host.run(['sh', '-c', script])).stdout.trim();

  async function files(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const n of (await bed.host.readdir(DIR)).filter((x) => /^f\d\d\.conf$/.test(x))) {
      const st = await bed.host.stat(`${DIR}/${n}`);
      out.set(n, `${(await bed.host.readFile(`${DIR}/${n}`))!.toString('utf8')}|${st.mode!.toString(8)}|${st.uid}`);
    }
    return out;
  }

  const gens = new Map<number, Map<string, string>>();

  async function fullRun(gen: number, why: string): Promise<number> {
    const start = Date.now();
    const r = await converge(gen);
    const ms = Date.now() - start;
    assert.equal(r.rc, 0, `${why}: exit 0\n${r.stdout}${r.stderr}`);
    const now = await files();
    if (gens.has(gen)) assert.deepEqual(now, gens.get(gen), `${why}: every file in generation ${gen}`);
    assert.equal(await sh(`ls -A ${DIR} | grep -c converge- || true`), '0', `${why}: no temp file`);
    assert.equal(await sh('systemctl is-active cvg-rel-app'), 'active', `${why}: the service runs`);
    assert.equal(await sh('cat /run/cvg-rel-app.loaded'), await sh(`cat ${DIR}/f*.conf | sha256sum`), `${why}: the service loaded the files on disk`);
    return ms;
  }

  it(`${KILLS} kills: files old or new, the service always ends up running the files on disk`, async () => {
    await fullRun(1, 'initial run');
    gens.set(1, await files());
    const d2 = await fullRun(2, 'first rewrite');
    gens.set(2, await files());
    const d1 = await fullRun(1, 'second rewrite');
    const T = Math.min(d1, d2);
    // Start-up and validation write nothing: the kills go after them.
    const s0 = Date.now();
    assert.equal((await runCli(['validate', ...args.slice(0, 3), '-e', 'gen=1'], { cwd: t.dir })).rc, 0);
    const S = Math.min(Date.now() - s0, T / 2);
    const fig = { attempts: 0, kills: 0, mixed: 0, restartsOwed: 0, fullRuns: 0 };
    let gen = 2;
    while (fig.kills < KILLS && fig.attempts < 3 * KILLS) {
      fig.attempts++;
      const r = await converge(gen, Math.round(S + Math.random() * (T - S)));
      if (r.signal !== 'SIGKILL') { assert.equal(r.rc, 0, r.stdout + r.stderr); gen = gen === 2 ? 1 : 2; continue; }
      fig.kills++;
      const now = await files();
      let inNew = 0;
      for (const [n, s] of now) {
        const isNew = s === gens.get(gen)!.get(n);
        assert.ok(isNew || s === gens.get(gen === 2 ? 1 : 2)!.get(n), `kill ${fig.kills}: ${n} is neither old nor new`);
        if (isNew) inNew++;
      }
      if (inNew > 0 && inNew < FILES) fig.mixed++;
      const pendingDir = path.join(t.dir, 'state', 'pending-handlers');
      if (fs.existsSync(pendingDir) && fs.readdirSync(pendingDir).some((n) => n.endsWith('.json'))) fig.restartsOwed++;
      // Every other kill, the same playbook runs to the end: files the killed run already wrote are
      // in sync, so only the recorded notification can bring the restart they need.
      if (fig.kills % 2 === 0) { await fullRun(gen, `run after kill ${fig.kills}`); fig.fullRuns++; }
      gen = gen === 2 ? 1 : 2;
    }
    process.stdout.write(`# crash with systemd (run ${T} ms, start-up ${S} ms): ${JSON.stringify(fig)}\n`);
    assert.equal(fig.kills, KILLS);
  });
});
