// Issue 16, item 3: get_url downloading a secret into a directory another
// user owns. Before the fix the temp file was 0644 while it downloaded (that
// user read a 0600 keytab), its chmod followed a link swapped in for it, and
// the Authorization header was on curl's command line, visible in ps.
// Attackers, as nobody: one tries to read every temp file it sees and swaps two of every three, one scans
// every process's command line for the token. The server sends the body in
// slow pieces so that each download stays open long enough to be attacked.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import { tempDir } from './cli-process.js';
import { attackerDir, converge, convergeTemps, fingerprint, report, startRacer, sudoTarget, type SudoTarget } from './race-fixture.js';

const RUNS = 2;
const PER_RUN = 40;
const TOKEN = `tok-${process.pid}-QmVhcmVy`;
const SECRET = 'KEYTAB-SECRET-0600\n'.repeat(64);

let t: ReturnType<typeof tempDir>;
let server: http.Server;
let port = 0;
let unauthorized = 0;
let ssh: SudoTarget | undefined;

before(async () => {
  t = tempDir('geturlrace');
  fs.chmodSync(t.dir, 0o755);
  fs.mkdirSync(path.join(t.dir, 'victims'), { mode: 0o700 });
  server = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) { unauthorized++; res.writeHead(403).end(); return; }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(SECRET.length) });
    // Four pieces 20 ms apart: the temp file exists, partly written, for ~60 ms.
    const piece = SECRET.length / 4;
    let i = 0;
    const next = () => {
      res.write(SECRET.slice(i * piece, (i + 1) * piece));
      if (++i < 4) setTimeout(next, 20); else res.end();
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  // The token is in the playbook (root's file), not on converge's own command line.
  fs.writeFileSync(path.join(t.dir, 'local.yaml'), 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n');
  fs.writeFileSync(path.join(t.dir, 'site.yaml'), `- hosts: all
  gather_facts: false
  vars: { token: "${TOKEN}" }
  tasks:
    - get_url:
        url: "http://127.0.0.1:${port}/keytab"
        dest: "{{ u }}/keytab-{{ item }}"
        mode: "0600"
        headers: { Authorization: "Bearer {{ token }}" }
      loop: "{{ range(${PER_RUN}) | list }}"
      ignore_errors: true
`, { mode: 0o600 });
});
after(async () => {
  await ssh?.stop();
  server?.close();
  t?.remove();
});

async function raceDownloads(label: string, target: string[]): Promise<void> {
  const victim = path.join(t.dir, 'victims', `shadow-${label}`);
  // 0640: a chmod to the download's 0600 that followed a link would show.
  fs.writeFileSync(victim, 'root:secret\n', { mode: 0o640 });
  fs.chmodSync(victim, 0o640);
  const victimBefore = fingerprint(victim);
  let swaps = 0;
  let ok = 0;
  let reads = 0;
  const started = Date.now();
  for (let run = 0; run < RUNS; run++) {
    const u = attackerDir(t.dir, `${label}-u${run}`);
    const temps = await startRacer(120_000, ['temps', u, '.keytab-', victim]);
    const ps = await startRacer(120_000, ['ps', Buffer.from(TOKEN).toString('hex')]);
    const r = await converge(path.join(t.dir, 'site.yaml'), path.join(t.dir, 'state'), ['-e', `u=${u}`, ...target]);
    const seen = await temps.stop();
    const inPs = await ps.stop();
    const readLines = seen.filter((l) => l.startsWith('read '));
    reads += readLines.length + seen.filter((l) => l.startsWith('denied ')).length;
    swaps += seen.filter((l) => l.startsWith('swap ')).length;
    assert.deepEqual(readLines.filter((l) => l.includes('KEYTAB')), [], `run ${run}: the attacker read the secret from a temp file`);
    assert.deepEqual(inPs, [], `run ${run}: the token was visible in a command line`);
    assert.equal(fingerprint(victim), victimBefore, `run ${run}: the victim changed\n${r.stdout}${r.stderr}`);
    assert.deepEqual(convergeTemps(u), [], `run ${run}: temp files left`);
    for (let i = 0; i < PER_RUN; i++) {
      const dest = path.join(u, `keytab-${i}`);
      const st = fs.lstatSync(dest, { throwIfNoEntry: false });
      if (!st) continue; // refused: the attacker swapped its temp file
      assert.ok(st.isFile(), `${dest} is not a file`);
      assert.equal(st.mode & 0o7777, 0o600);
      assert.equal(st.uid, 0);
      assert.equal(fs.readFileSync(dest, 'utf8'), SECRET);
      ok++;
    }
    assert.match(r.stdout, /RECAP/, r.stderr);
  }
  assert.equal(unauthorized, 0, 'every request carried the header');
  // Two of every three of the 80 downloads: at least 50 swaps, or the race was not exercised as often as issue 16 asks.
  assert.ok(swaps >= 50, `the attacker swapped only ${swaps} temp files: the race was not exercised`);
  report(`get_url race (${label})`, [`${RUNS * PER_RUN} downloads: ${swaps} temp files swapped for a link to a root file while downloading, the reader tried ${reads} temp files and read 0 secret bytes, victim unchanged, token in 0 command lines, ${ok} downloads in place (0600 root), ${RUNS * PER_RUN - ok} failed, 0 temp files`, `${((Date.now() - started) / 1000).toFixed(1)} s`]);
}

it(`get_url: ${RUNS * PER_RUN} downloads of a 0600 secret raced by an unprivileged user: never readable, chmod never redirected, token never in ps`, { timeout: 300_000 }, async () => {
  await raceDownloads('local', ['-i', path.join(t.dir, 'local.yaml')]);
});

it('... nor over SSH with sudo', { timeout: 300_000 }, async () => {
  ssh = await sudoTarget('geturl', t.dir);
  await raceDownloads('ssh-sudo', ssh.args);
});
