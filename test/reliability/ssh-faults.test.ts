// Connection faults: two real OpenSSH servers on loopback ports, one per SSH
// host, plus a local host. While converge rewrites 20 files on each host, the
// SSH session of the host "faulty" is killed (its per-connection sshd and
// everything under it, SIGKILL: the connection drops mid-operation) at a random
// moment. Then: faulty is reported unreachable or failed with a clear message,
// its files are each entirely old or entirely new, the two other hosts finish
// the run untouched by the fault, and the next run converges everything and
// leaves no temp file.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { killTree, startSshd, type Sshd } from '../host/sshd-fixture.js';
import { runCli, sleep, tempDir, type CliOptions, type CliResult } from './cli-process.js';

const FILES = 20;
const FAULTS = Number(process.env.CVG_REL_FAULTS ?? 20);
const HOSTS = ['faulty', 'steady', 'local'];

interface FileState { content: string; mode: number }

function playbook(): string {
  const tasks: string[] = [];
  for (let i = 0; i < FILES; i++) {
    tasks.push(`    - copy:
        content: "file ${i} generation {{ gen }}\\n{{ pad }}end {{ gen }}\\n"
        dest: "{{ d }}/f${String(i).padStart(2, '0')}.conf"
        mode: "{{ '0640' if gen | int == 1 else '0604' }}"`);
  }
  return `- hosts: all
  gather_facts: false
  vars:
    pad: "{{ ('generation ' ~ gen ~ ' ........................................\\n') * 50 }}"
  tasks:
${tasks.join('\n')}
`;
}

function snapshot(dir: string): Map<string, FileState> {
  const out = new Map<string, FileState>();
  for (const n of fs.readdirSync(dir).filter((x) => /^f\d\d\.conf$/.test(x)).sort()) {
    const p = path.join(dir, n);
    out.set(n, { content: fs.readFileSync(p, 'utf8'), mode: fs.statSync(p).mode & 0o7777 });
  }
  return out;
}

const temps = (dir: string) => fs.readdirSync(dir).filter((n) => /\.converge-[0-9a-f]+\.tmp$/.test(n));

describe('connection faults over SSH', () => {
  let a: Sshd;
  let b: Sshd;
  let t: ReturnType<typeof tempDir>;
  const dirs: Record<string, string> = {};
  let args: string[];

  before(async () => {
    [a, b] = await Promise.all([startSshd(), startSshd()]);
    t = tempDir('sshfault');
    fs.chmodSync(t.dir, 0o755);
    for (const h of HOSTS) { dirs[h] = path.join(t.dir, h); fs.mkdirSync(dirs[h]); }
    const known = path.join(t.dir, 'known_hosts');
    fs.writeFileSync(known, fs.readFileSync(a.knownHosts, 'utf8') + fs.readFileSync(b.knownHosts, 'utf8'));
    fs.writeFileSync(path.join(t.dir, 'site.yaml'), playbook());
    const ssh = (s: Sshd) => `ansible_host: 127.0.0.1, ansible_port: ${s.port}, ansible_user: root, ansible_ssh_private_key_file: ${s.clientKey}`;
    fs.writeFileSync(path.join(t.dir, 'hosts.yaml'), [
      'all:', '  hosts:',
      `    faulty: { ${ssh(a)}, d: ${dirs.faulty} }`,
      `    steady: { ${ssh(b)}, d: ${dirs.steady} }`,
      `    local: { ansible_connection: local, d: ${dirs.local} }`, '',
    ].join('\n'));
    args = [path.join(t.dir, 'site.yaml'), '-i', path.join(t.dir, 'hosts.yaml'), '--known-hosts-file', known, '--json'];
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    t?.remove();
  });

  const converge = (gen: number, onSpawn?: CliOptions['onSpawn']): Promise<CliResult> =>
    runCli([...args, '-e', `gen=${gen}`], { cwd: t.dir, env: { CONVERGE_STATE_DIR: path.join(t.dir, 'state') }, onSpawn });

  const gens = new Map<number, Record<string, Map<string, FileState>>>();

  async function fullRun(gen: number, why: string): Promise<number> {
    const start = Date.now();
    const r = await converge(gen);
    const ms = Date.now() - start;
    assert.equal(r.rc, 0, `${why}: exit 0\n${r.stdout.slice(0, 3000)}${r.stderr}`);
    for (const h of HOSTS) {
      const want = gens.get(gen)?.[h];
      const now = snapshot(dirs[h]);
      assert.equal(now.size, FILES, `${why}: ${h} has every file`);
      if (want) for (const [n, s] of want) assert.deepEqual(now.get(n), s, `${why}: ${h}/${n} in generation ${gen}`);
      assert.deepEqual(temps(dirs[h]), [], `${why}: no temp file on ${h}`);
    }
    return ms;
  }

  it(`${FAULTS} connections cut at random moments: the host fails clearly, files old or new, the others finish, re-run converges`, async () => {
    await fullRun(1, 'initial run');
    gens.set(1, Object.fromEntries(HOSTS.map((h) => [h, snapshot(dirs[h])])));
    const d2 = await fullRun(2, 'first rewrite');
    gens.set(2, Object.fromEntries(HOSTS.map((h) => [h, snapshot(dirs[h])])));
    const d1 = await fullRun(1, 'second rewrite');
    const T = Math.min(d1, d2);

    const fig = { attempts: 0, faults: 0, missed: 0, unreachable: 0, failed: 0, mixed: 0, tempLeft: 0, reruns: 0, filesChecked: 0, messages: new Set<string>() };
    let gen = 2;
    while (fig.faults < FAULTS && fig.attempts < 3 * FAULTS) {
      fig.attempts++;
      let cut = false;
      const r = await converge(gen, (child) => {
        // Once faulty's session exists, cut it at a random moment of the rest of the run.
        void (async () => {
          const t0 = Date.now();
          let pids: number[] = [];
          while (child.exitCode === null && (pids = await a.sessionPids()).length === 0) await sleep(5);
          if (child.exitCode !== null) return;
          await sleep(Math.random() * Math.max(50, T - (Date.now() - t0)));
          if (child.exitCode !== null) return;
          cut = true;
          for (const p of await a.sessionPids()) await killTree(p);
        })();
      });
      const doc = JSON.parse(r.stdout);
      const faulty = doc.hosts.faulty;
      const hit = cut && (faulty.unreachable !== undefined || faulty.summary.failed > 0);
      if (!hit) {
        fig.missed++;
        assert.equal(r.rc, 0, `a run the cut missed converges\n${JSON.stringify(faulty)}`);
      } else {
        fig.faults++;
        assert.ok(r.rc === 2 || r.rc === 3, `exit 2 or 3 after a cut connection, got ${r.rc}`);
        const msg = String(faulty.unreachable ?? faulty.tasks.find((x: { status: string }) => x.status === 'failed')?.message ?? '');
        assert.match(msg, /connection|closed|lost|reset|EOF|unreachable/i, `a clear message: ${msg}`);
        fig.messages.add(msg.replace(/\d+/g, 'N').slice(0, 120));
        if (faulty.unreachable !== undefined) fig.unreachable++; else fig.failed++;
      }
      // The other hosts finished the run, all files in the wanted generation.
      for (const h of ['steady', 'local']) {
        const s = doc.hosts[h].summary;
        assert.equal(s.failed + s.unreachable, 0, `${h} is not affected by faulty's fault: ${JSON.stringify(doc.hosts[h])}`);
        const now = snapshot(dirs[h]);
        for (const [n, st] of gens.get(gen)![h]) assert.deepEqual(now.get(n), st, `${h}/${n} finished`);
      }
      // faulty: every file entirely old or entirely new.
      const now = snapshot(dirs.faulty);
      assert.equal(now.size, FILES);
      let inNew = 0;
      for (const [n, st] of now) {
        const isNew = JSON.stringify(st) === JSON.stringify(gens.get(gen)!.faulty.get(n));
        const isOld = JSON.stringify(st) === JSON.stringify(gens.get(gen === 2 ? 1 : 2)!.faulty.get(n));
        assert.ok(isNew || isOld, `faulty/${n} is neither old nor new after the cut: ${st.content.length} bytes, mode ${st.mode.toString(8)}`);
        if (isNew) inNew++;
        fig.filesChecked++;
      }
      if (inNew > 0 && inNew < FILES) fig.mixed++;
      if (temps(dirs.faulty).length) fig.tempLeft++;
      if (hit) { await fullRun(gen, `re-run after fault ${fig.faults}`); fig.reruns++; }
      gen = gen === 2 ? 1 : 2;
    }
    process.stdout.write(`# ssh faults (run ${T} ms): ${JSON.stringify({ ...fig, messages: [...fig.messages] })}\n`);
    assert.equal(fig.faults, FAULTS, `${FAULTS} cuts landed while faulty was being converged`);
    assert.ok(fig.mixed > 0, 'some cuts must land between the files, or the test proves little');
  });
});
