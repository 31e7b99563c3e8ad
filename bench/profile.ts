// `node dist/bench/profile.js`: where converge's 30-task no-change run spends
// its time. Prints and writes bench/profile.json:
//  - floors: `node -e 0`, `converge --help` (startup: Node + the module graph),
//    `converge validate` (+ parse and validate), the no-change run (+ the run);
//  - the import cost of each dependency in a fresh process;
//  - a CPU profile of one local no-change run (node --cpu-prof), split into
//    startup and run, by what code was on top of the stack;
//  - over SSH to one host: the requests converge makes (exec channels, SFTP
//    requests by kind, counted by a preloaded wrapper around ssh2), and the
//    cost of one bare round trip on the same sshd for comparison.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import ssh2 from 'ssh2';
import { analyzeCpuProfile, type ProfileBreakdown } from './cpu-profile.js';
import { measure } from './measure.js';
import { median } from './stats.js';
import { startBenchSshd, type BenchSshd } from './sshd.js';
import * as tools from './tools.js';
import { convergeArgv, REPO_ROOT } from './tools.js';
import { localInventory, sshInventory, writePlaybook } from './workload.js';

const { values: opt } = parseArgs({ options: { runs: { type: 'string', default: '7' }, snapshot: { type: 'boolean', default: false }, out: { type: 'string', default: path.join(REPO_ROOT, 'bench') } } });
const RUNS = Number(opt.runs);
const log = (s: string) => process.stdout.write(s + '\n');

interface Timing { wallMs: number; cpuMs: number }

async function timed(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, check?: (out: string) => void): Promise<Timing> {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const m = await measure(argv, { cwd, env, sampleMs: 1000 });
    if (m.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${m.exitCode}: ${m.stderr}`);
    check?.(m.stdout);
    walls.push(m.wallMs);
    cpus.push((m.userS + m.sysS) * 1000);
  }
  return { wallMs: median(walls), cpuMs: median(cpus) };
}

const noChange = (out: string) => {
  if (!/changed=0 failed=0/.test(out)) throw new Error(`not a no-change run:\n${out.slice(-500)}`);
};

/** Median wall of one exec round trip and one SFTP stat on an open connection. */
async function roundTrips(sshd: BenchSshd, n: number): Promise<{ execMs: number; sftpStatMs: number; connectMs: number }> {
  const t0 = performance.now();
  const c = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    c.on('ready', () => resolve()).on('error', reject)
      .connect({ host: '127.0.0.1', port: sshd.port, username: 'root', privateKey: fs.readFileSync(sshd.keyFile) });
  });
  const connectMs = performance.now() - t0;
  const execs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await new Promise<void>((resolve, reject) => c.exec('true', (err, ch) => {
      if (err) return reject(err);
      ch.on('close', () => resolve()).resume();
      ch.stderr.resume();
    }));
    execs.push(performance.now() - t);
  }
  const sftp = await new Promise<ssh2.SFTPWrapper>((resolve, reject) => c.sftp((e, s) => (e ? reject(e) : resolve(s))));
  const stats: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await new Promise<void>((resolve) => sftp.stat('/etc/hostname', () => resolve()));
    stats.push(performance.now() - t);
  }
  c.end();
  return { execMs: median(execs), sftpStatMs: median(stats), connectMs };
}

async function main(): Promise<void> {
  if (opt.snapshot) tools.useSnapshotOfHead(log);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cvgb-prof-'));
  // Not the machine's /var/lib/converge, whose lock another run may hold (see run.ts).
  process.env.CONVERGE_STATE_DIR = path.join(work, 'converge-state');
  let sshd: BenchSshd | undefined;
  try {
    const pb = writePlaybook(work, 5);
    const inv = path.join(work, 'inventory-local.ini');
    fs.writeFileSync(inv, localInventory(path.join(work, 'targets-local')));
    const run = convergeArgv(pb, inv);
    spawnSync(run[0], run.slice(1), { cwd: work }); // converge the targets first

    log(`timing (median of ${RUNS}):`);
    const floors: Record<string, Timing> = {};
    floors['node -e 0'] = await timed([process.execPath, '-e', '0'], work);
    floors['converge --help (startup)'] = await timed([process.execPath, tools.CONVERGE_CLI, '--help'], work);
    floors['converge validate (startup + parse + validate)'] = await timed([process.execPath, tools.CONVERGE_CLI, 'validate', pb, '-i', inv], work);
    floors['converge run, 30 tasks no-change, local'] = await timed(run, work, process.env, noChange);
    for (const [k, t] of Object.entries(floors)) log(`  ${k.padEnd(50)} ${t.wallMs.toFixed(0).padStart(5)} ms wall ${t.cpuMs.toFixed(0).padStart(5)} ms cpu`);

    log('import cost of each dependency (fresh process, minus an empty ESM script):');
    const emptyEsm = await timed([process.execPath, '--input-type=module', '-e', '0'], REPO_ROOT);
    const imports: Record<string, Timing> = {};
    for (const dep of ['ssh2', 'ajv', 'ajv-formats', 'yaml', 'nunjucks', 'node-cron', 'commander', 'diff', 'chalk']) {
      const t = await timed([process.execPath, '--input-type=module', '-e', `await import(${JSON.stringify(dep)})`], REPO_ROOT);
      imports[dep] = { wallMs: t.wallMs - emptyEsm.wallMs, cpuMs: t.cpuMs - emptyEsm.cpuMs };
      log(`  ${dep.padEnd(12)} ${imports[dep].wallMs.toFixed(0).padStart(5)} ms wall ${imports[dep].cpuMs.toFixed(0).padStart(5)} ms cpu`);
    }

    const profDir = path.join(work, 'cpuprof');
    const runs: ProfileBreakdown[] = [];
    for (let i = 0; i < 3; i++) {
      fs.rmSync(profDir, { recursive: true, force: true });
      spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval', '250', ...run.slice(1)], { cwd: work });
      runs.push(analyzeCpuProfile(path.join(profDir, fs.readdirSync(profDir)[0])));
    }
    // The run whose total is the median of three.
    const profile = runs.sort((a, b) => a.totalMs - b.totalMs)[1];
    log(`cpu profile of a local no-change run (sampling adds overhead): ${profile.totalMs.toFixed(0)} ms = startup ${profile.startupMs.toFixed(0)} + run ${profile.runMs.toFixed(0)}`);
    for (const phase of ['startup', 'run'] as const) {
      for (const [k, v] of Object.entries(profile[phase]).sort((a, b) => b[1] - a[1])) if (v >= 1) log(`  ${phase.padEnd(8)} ${v.toFixed(0).padStart(5)} ms  ${k}`);
    }

    log('over SSH, one host:');
    sshd = await startBenchSshd(fs.mkdtempSync(path.join(work, 'sshd-')));
    const sinv = path.join(work, 'inventory-ssh1.ini');
    fs.writeFileSync(sinv, sshInventory(1, { port: sshd.port, user: 'root', keyFile: sshd.keyFile }, path.join(work, 'targets-ssh'), path.join(work, 'cp')));
    const srun = convergeArgv(pb, sinv, sshd.knownHosts);
    spawnSync(srun[0], srun.slice(1), { cwd: work });
    const countFile = path.join(work, 'ssh-counts.json');
    const counter = path.join(REPO_ROOT, 'dist', 'bench', 'ssh-counter.js');
    spawnSync(srun[0], ['--import', counter, ...srun.slice(1)], { cwd: work, env: { ...process.env, CVGB_COUNT_FILE: countFile } });
    const counted = JSON.parse(fs.readFileSync(countFile, 'utf8')) as { counts: Record<string, number>; marks: Record<string, number> };
    const sshCounts = counted.counts;
    const requests = Object.values(sshCounts).reduce((a, b) => a + b, 0);
    log(`  requests for 30 tasks: ${requests} (${(requests / 30).toFixed(1)} per task): ${JSON.stringify(sshCounts)}`);
    log(`  timeline (ms since process start): ${JSON.stringify(counted.marks)}`);
    const sshRun = await timed(srun, work, process.env, noChange);
    log(`  converge no-change run over SSH: ${sshRun.wallMs.toFixed(0)} ms wall, ${sshRun.cpuMs.toFixed(0)} ms cpu (client side)`);
    const rt = await roundTrips(sshd, 30);
    log(`  bare ssh2 on the same sshd: connect ${rt.connectMs.toFixed(1)} ms, exec 'true' ${rt.execMs.toFixed(2)} ms, sftp stat ${rt.sftpStatMs.toFixed(2)} ms (medians of 30)`);

    const out = {
      date: new Date().toISOString(), runs: RUNS, floors, imports, emptyEsm, cpuProfile: profile,
      ssh: { counts: sshCounts, marks: counted.marks, requests, perTask: requests / 30, run: sshRun, bare: rt },
      loadavg: fs.readFileSync('/proc/loadavg', 'utf8').trim(),
    };
    fs.writeFileSync(path.join(opt.out!, 'profile.json'), JSON.stringify(out, (_k, v) => (typeof v === 'number' ? +v.toFixed(2) : v), 2) + '\n');
    log(`wrote ${path.join(opt.out!, 'profile.json')}`);
  } finally {
    await sshd?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`profile failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
