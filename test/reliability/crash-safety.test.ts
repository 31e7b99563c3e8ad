// Crash safety: converge is killed with SIGKILL (its whole process group, as
// the OOM killer or a `systemctl kill` of the agent would) at 100+ random
// moments while it rewrites 50 files (25 copy, 25 template), changing their
// content, mode, owner and group, and notifying a restart handler. After every
// kill each managed file must be exactly its old state or exactly its new
// state (content, mode, owner, group together: never empty, never truncated,
// never new content with old permissions). Every few kills, and at the end, a
// run without a kill must converge with no manual step: exit 0, every file in
// its wanted state, no temp file left next to them, and the "service" (a
// handler that records a hash of the files it loaded) restarted with the files
// now on disk, also when the kill came between a file change and its handler.
// Each run after a kill asks for the other generation: a file whose write was
// killed is often already in the state the next run wants, so nothing writes
// it again, and its temp file must still go (swept through the state dir's
// journal of writes in progress, src/engine/write-journal.ts).
//
// Not a systemd service: the build machine has no systemd as PID 1, so the
// service module cannot restart a unit here; the handler is a shell command
// that records what a restart would have loaded.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, sleep, tempDir, type CliOptions, type CliResult } from './cli-process.js';

const FILES = 50;
const KILLS = Number(process.env.CVG_REL_KILLS ?? 100);
/** A run without a kill after every FULL_RUN_EVERY kills. */
const FULL_RUN_EVERY = 5;

interface FileState { content: string; mode: number; uid: number; gid: number }
type TreeState = Map<string, FileState>;

/** A small deterministic PRNG: a failing sequence can be replayed with CVG_REL_SEED. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function playbook(managed: string, restarts: string): string {
  const tasks: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const name = `f${String(i).padStart(2, '0')}.conf`;
    const attrs = [
      `        dest: ${managed}/${name}`,
      // Generation 1: 0640 root:root; generation 2: 0604 nobody:nogroup (and 0600 for a few "secrets").
      `        mode: "{{ '0640' if gen | int == 1 else ('0600' if ${i} % 10 == 0 else '0604') }}"`,
      `        owner: "{{ 'root' if gen | int == 1 else 'nobody' }}"`,
      `        group: "{{ 'root' if gen | int == 1 else 'nogroup' }}"`,
    ];
    if (i % 2 === 0) {
      tasks.push(`    - name: copy ${name}`, '      copy:', `        content: "# file ${i}\\ngeneration={{ gen }}\\n{{ pad }}\\nend of file ${i} generation {{ gen }}\\n"`, ...attrs);
    } else {
      tasks.push(`    - name: template ${name}`, '      template:', '        src: managed.conf.j2', ...attrs, `      vars:\n        index: ${i}`);
    }
    tasks.push('      notify: restart app');
  }
  return [
    '- hosts: localhost',
    '  gather_facts: false',
    '  vars:',
    "    pad: \"{{ 'generation ' ~ gen ~ ' padding line .......................................\\n' * 40 }}\"",
    '  tasks:',
    ...tasks,
    '  handlers:',
    '    - name: restart app',
    // What the "service" loaded: a hash of the managed files at restart time.
    `      shell: cat ${managed}/f*.conf | sha256sum >> ${restarts}`,
    '',
  ].join('\n');
}

const TEMPLATE = '# file {{ index }} (template)\ngeneration={{ gen }}\n{% for n in range(60) %}line {{ n }} of generation {{ gen }}\n{% endfor %}end of file {{ index }} generation {{ gen }}\n';

function snapshot(managed: string): TreeState {
  const out: TreeState = new Map();
  for (const n of fs.readdirSync(managed).sort()) {
    if (!/^f\d\d\.conf$/.test(n)) continue;
    const p = path.join(managed, n);
    const st = fs.statSync(p);
    out.set(n, { content: fs.readFileSync(p, 'utf8'), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
  }
  return out;
}

function same(a: FileState | undefined, b: FileState | undefined): boolean {
  return !!a && !!b && a.content === b.content && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid;
}

function tempFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => /\.converge-[0-9a-f]+\.tmp$/.test(n));
}

function filesHash(managed: string): string {
  const h = createHash('sha256');
  for (const n of fs.readdirSync(managed).filter((x) => /^f\d\d\.conf$/.test(x)).sort()) h.update(fs.readFileSync(path.join(managed, n)));
  return h.digest('hex');
}

describe('crash safety under SIGKILL', () => {
  let t: ReturnType<typeof tempDir>;
  let managed: string;
  let restarts: string;
  let pb: string;
  let state: string;
  const gens = new Map<number, TreeState>();

  const converge = (gen: number, onSpawn?: CliOptions['onSpawn']): Promise<CliResult> =>
    runCli([pb, '-e', `gen=${gen}`], { cwd: t.dir, env: { CONVERGE_STATE_DIR: state }, onSpawn, detached: true });

  before(() => {
    t = tempDir('crash');
    managed = path.join(t.dir, 'managed');
    restarts = path.join(t.dir, 'restarts');
    state = path.join(t.dir, 'state');
    fs.mkdirSync(managed);
    fs.mkdirSync(path.join(t.dir, 'templates'));
    fs.writeFileSync(path.join(t.dir, 'templates', 'managed.conf.j2'), TEMPLATE);
    pb = path.join(t.dir, 'site.yaml');
    fs.writeFileSync(pb, playbook(managed, restarts));
  });
  after(() => t.remove());

  /** A run without a kill: converges, leaves no temp file, and the service has loaded what is on disk. */
  async function fullRun(gen: number, why: string): Promise<number> {
    const start = Date.now();
    const r = await converge(gen);
    const ms = Date.now() - start;
    assert.equal(r.rc, 0, `${why}: run exits 0\n${r.stdout}${r.stderr}`);
    const now = snapshot(managed);
    const want = gens.get(gen);
    if (want) for (const [n, s] of want) assert.ok(same(now.get(n), s), `${why}: ${n} is in generation ${gen}`);
    assert.deepEqual(tempFiles(managed), [], `${why}: no temp file left`);
    const lines = fs.readFileSync(restarts, 'utf8').trim().split('\n');
    assert.equal(lines[lines.length - 1].split(/\s+/)[0], filesHash(managed), `${why}: the last restart loaded the files now on disk`);
    assert.deepEqual(fs.existsSync(path.join(state, 'pending-handlers')) ? fs.readdirSync(path.join(state, 'pending-handlers')).filter((n) => !n.startsWith('.')) : [], [], `${why}: no handler still owed`);
    return ms;
  }

  it('a temp file that a killed run left next to a target is removed by the next write of it', async () => {
    // Exactly what a SIGKILL between open and rename leaves (the random kills rarely hit that window).
    await fullRun(1, 'before planting');
    const stale = path.join(managed, '.f03.conf.converge-0123456789ab.tmp');
    const foreign = path.join(managed, '.f03.conf.converge-by-someone-else.tmp');
    fs.writeFileSync(stale, 'half a file');
    fs.writeFileSync(foreign, 'not ours');
    const r = await converge(2);
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.equal(fs.existsSync(stale), false, 'the stale temp file is gone');
    assert.equal(fs.existsSync(foreign), true, 'a name converge never makes is left alone');
    fs.rmSync(foreign);
    await fullRun(1, 'after planting');
  });

  it('a temp file next to a file that is already in sync is swept through the journal of writes in progress', async () => {
    // A run died writing f05; the next playbook wants f05 as it already is, so nothing rewrites it.
    await fullRun(1, 'before planting');
    const stale = path.join(managed, '.f05.conf.converge-00000000beef.tmp');
    fs.writeFileSync(stale, 'half');
    fs.mkdirSync(path.join(state, 'writes-in-progress'), { recursive: true });
    fs.writeFileSync(path.join(state, 'writes-in-progress', 'localhost.json'), JSON.stringify([path.join(managed, 'f05.conf')]));
    const r = await converge(1);
    assert.equal(r.rc, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /changed=0 /, 'nothing to write');
    assert.equal(fs.existsSync(stale), false, 'swept');
    assert.equal(fs.existsSync(path.join(state, 'writes-in-progress', 'localhost.json')), false, 'journal emptied');
  });

  it(`${KILLS} kills at random moments: every file old or new, then the next run converges`, async () => {
    // The two generations, and how long a run that rewrites everything takes.
    await fullRun(1, 'initial run');
    gens.set(1, snapshot(managed));
    const durations: number[] = [];
    durations.push(await fullRun(2, 'first rewrite'));
    gens.set(2, snapshot(managed));
    durations.push(await fullRun(1, 'second rewrite'));
    const T = Math.min(...durations);
    // Start-up and validation (nothing is written yet): most kills go after it, into the writing.
    const s0 = Date.now();
    assert.equal((await runCli(['validate', pb, '-e', 'gen=1'], { cwd: t.dir })).rc, 0);
    const S = Math.min(Date.now() - s0, T / 2);
    for (const [n, s1] of gens.get(1)!) {
      const s2 = gens.get(2)!.get(n)!;
      assert.notEqual(s1.content, s2.content);
      assert.notEqual(s1.mode, s2.mode);
      assert.notEqual(s1.uid, s2.uid);
    }

    const seed = Number(process.env.CVG_REL_SEED ?? Date.now() % 1e9);
    const random = prng(seed);
    const fig = { attempts: 0, kills: 0, finishedFirst: 0, mixed: 0, tempLeft: 0, tempFiles: 0, fullRuns: 0, owedRestarts: 0, filesChecked: 0 };
    let gen = 2;
    // Counted are kills that hit a running converge; a run that finished first is tried again.
    for (let k = 1; k <= KILLS && fig.attempts < 3 * KILLS; fig.attempts++) {
      // One kill in five anywhere in the run, the others after start-up.
      const delay = Math.round(k % 5 === 0 ? random() * T : 0.8 * S + random() * (T - 0.8 * S));
      const r = await converge(gen, (child) => {
        setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } }, delay);
      });
      if (r.signal !== 'SIGKILL') {
        fig.finishedFirst++;
        assert.equal(r.rc, 0, `a run that was not killed converges\n${r.stdout}${r.stderr}`);
      } else fig.kills++;
      // Every file is entirely one generation: content, mode and owner together.
      const now = snapshot(managed);
      assert.equal(now.size, FILES, `kill ${k} (seed ${seed}, ${delay} ms): every file still exists`);
      let inNew = 0;
      for (const [n, s] of now) {
        const old = gens.get(gen === 2 ? 1 : 2)!.get(n);
        const neu = gens.get(gen)!.get(n);
        assert.ok(same(s, old) || same(s, neu), `kill ${k} (seed ${seed}, ${delay} ms): ${n} is neither old nor new: ${JSON.stringify({ ...s, content: s.content.slice(0, 80) + `... (${s.content.length} bytes)` })}`);
        if (same(s, neu)) inNew++;
        fig.filesChecked++;
      }
      if (inNew > 0 && inNew < FILES) fig.mixed++;
      const temps = tempFiles(managed);
      if (temps.length) { fig.tempLeft++; fig.tempFiles += temps.length; }
      if (fs.existsSync(path.join(state, 'pending-handlers')) && fs.readdirSync(path.join(state, 'pending-handlers')).some((n) => n.endsWith('.json'))) fig.owedRestarts++;
      if (r.signal === 'SIGKILL' && (k % FULL_RUN_EVERY === 0 || k === KILLS)) {
        await fullRun(gen, `run after kill ${k} (seed ${seed})`);
        fig.fullRuns++;
      }
      gen = gen === 2 ? 1 : 2;
      if (r.signal === 'SIGKILL') k++;
      await sleep(0);
    }
    assert.equal(fig.kills, KILLS, `${KILLS} kills landed while converge ran`);
    // A second run with nothing to do changes nothing.
    const last = await converge(gen === 2 ? 1 : 2);
    assert.equal(last.rc, 0);
    assert.match(last.stdout, /changed=0 /, last.stdout);
    process.stdout.write(`# crash safety (seed ${seed}, run ${T} ms, start-up ${S} ms): ${JSON.stringify(fig)}\n`);
    assert.ok(fig.mixed > 0, 'some kills must land in the middle of the rewrite, or the test proves nothing');
  });
});
