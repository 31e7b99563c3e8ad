// `npm run bench`: converge against ansible-playbook on this machine, same
// playbook file, same hosts, tools taking turns. Writes bench/results.json,
// bench/RESULTS.md and bench/scaling.svg.
//
//   node dist/bench/run.js [--runs N] [--warmup N] [--many-hosts-runs N]
//                          [--only ID,ID] [--skip-ansible] [--out DIR] [--keep] [--snapshot]
//                          [--merge] [--no-many-hosts-first]
//
// --snapshot measures a build of the committed HEAD made in /tmp (for a
// checkout others are editing); BENCH_CONVERGE_CLI names any other build.
// --merge keeps the scenarios of the existing
// results.json that this run does not repeat (the report says which ran when).
// --no-many-hosts-first measures the 50-host first run with converge only
// (ansible needs many minutes for it on two cores: for a quick partial run).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { killTrackedProcesses, removeTrackingCgroups, trackingCgroup } from './measure.js';
import { runScenario, type Scenario, type ScenarioResult, type ToolRun } from './scenario.js';
import { startBenchSshd, type BenchSshd } from './sshd.js';
import {
  ansibleArgv, ansibleVersion, closeAnsibleMasters, convergeArgv, convergeCommit, cpuModel, ensurePrerequisites,
  memTotalMiB, REPO_ROOT, CONVERGE_CLI, useSnapshotOfHead,
} from './tools.js';
import { ansibleCfg, localInventory, sshInventory, writePlaybook } from './workload.js';
import { headnodeScenarios, type HeadnodeSetup } from './headnode.js';
import { writeReport, type BenchResults } from './report.js';

const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    'many-hosts-runs': { type: 'string', default: '1' },
    'no-many-hosts-first': { type: 'boolean', default: false },
    only: { type: 'string' },
    'skip-ansible': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(REPO_ROOT, 'bench') },
    keep: { type: 'boolean', default: false },
    snapshot: { type: 'boolean', default: false },
    merge: { type: 'boolean', default: false },
  },
});

const RUNS = Number(opt.runs);
const WARMUP = Number(opt.warmup);
const MANY_RUNS = Number(opt['many-hosts-runs']);
const ONLY = opt.only ? new Set(opt.only.split(',')) : undefined;
const FORKS = 50;

function log(s: string): void {
  process.stdout.write(s + '\n');
}

function rmTargets(dir: string): () => void {
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

interface Ctx {
  work: string;
  controlDir: string;
  sshd?: BenchSshd;
  ansibleEnv: NodeJS.ProcessEnv;
  convergeEnv: NodeJS.ProcessEnv;
}

/** The side-by-side pair (first run, no-change run) for one inventory shape. */
function pairScenarios(c: Ctx, group: string, hosts: number, connection: 'local' | 'ssh', playbook: string, many: boolean): Scenario[] {
  const groups = 5;
  const out: Scenario[] = [];
  const inv = (tool: string): { file: string; targets: string } => {
    const targets = path.join(c.work, 'targets', `${group}-${tool}`);
    const file = path.join(c.work, `inventory-${group}-${tool}.ini`);
    fs.writeFileSync(file, connection === 'local'
      ? localInventory(targets)
      : sshInventory(hosts, { port: c.sshd!.port, user: 'root', keyFile: c.sshd!.keyFile }, targets, c.controlDir));
    return { file, targets };
  };
  const ci = inv('converge');
  const ai = inv('ansible');
  const kh = connection === 'ssh' ? c.sshd!.knownHosts : undefined;
  for (const kind of ['first', 'no-change'] as const) {
    const tools: ToolRun[] = [{
      tool: 'converge',
      argv: convergeArgv(playbook, ci.file, kh),
      env: c.convergeEnv,
      cwd: c.work,
      cgroup: trackingCgroup(`converge-${group}`),
      serverCpuMs: connection === 'ssh' ? () => c.sshd!.serverCpuMs() : undefined,
      prepare: kind === 'first' ? rmTargets(ci.targets) : undefined,
      needsPrime: kind === 'no-change' ? () => !fs.existsSync(ci.targets) : undefined,
      expect: { hosts, changed: kind === 'first' ? groups * 5 * hosts : 0 },
    }];
    if (!opt['skip-ansible'] && !(many && kind === 'first' && opt['no-many-hosts-first'])) {
      tools.push({
        tool: 'ansible',
        argv: ansibleArgv(playbook, ai.file, FORKS),
        env: c.ansibleEnv,
        cwd: c.work,
        cgroup: trackingCgroup(`ansible-${group}`),
        serverCpuMs: connection === 'ssh' ? () => c.sshd!.serverCpuMs() : undefined,
        prepare: kind === 'first' ? rmTargets(ai.targets) : undefined,
        needsPrime: kind === 'no-change' ? () => !fs.existsSync(ai.targets) : undefined,
        // Converged by converge from ansible's own inventory: ansible's no-change run then
        // also checks that converge left exactly the state ansible would have.
        primeArgv: convergeArgv(playbook, ai.file, kh),
        expect: { hosts, changed: kind === 'first' ? groups * 5 * hosts : 0 },
        // 50 hosts with ansible take many minutes per run on two cores: fewer runs, no
        // warm-up (the first-run scenario warms it up, unless --no-many-hosts-first).
        ...(many ? { runs: MANY_RUNS, warmup: 0 } : {}),
      });
    }
    const where = connection === 'local' ? 'local' : hosts === 1 ? 'SSH, 1 host' : `SSH, ${hosts} hosts`;
    out.push({
      id: `${group}-30-${kind}`,
      title: `30 tasks, ${kind === 'first' ? 'first run (empty targets)' : 'no-change run'}, ${where}`,
      tasks: 30, hosts, connection, kind, tools,
    });
  }
  return out;
}

function scalingScenarios(c: Ctx): Scenario[] {
  const out: Scenario[] = [];
  for (const tasks of [30, 300, 3000]) {
    const pb = writePlaybook(c.work, tasks / 6);
    const targets = path.join(c.work, 'targets', `tasks-${tasks}`);
    const file = path.join(c.work, `inventory-tasks-${tasks}.ini`);
    fs.writeFileSync(file, localInventory(targets));
    out.push({
      id: `scale-tasks-${tasks}`, title: `converge alone: ${tasks} tasks, no-change run, local`,
      tasks, hosts: 1, connection: 'local', kind: 'no-change',
      tools: [{
        tool: 'converge', argv: convergeArgv(pb, file), env: c.convergeEnv, cwd: c.work,
        cgroup: trackingCgroup('converge-scale'), needsPrime: () => !fs.existsSync(targets), expect: { hosts: 1, changed: 0 },
      }],
    });
  }
  const pb30 = path.join(c.work, 'playbook-30.yaml');
  for (const hosts of [1, 10, 50, 200]) {
    const targets = path.join(c.work, 'targets', `hosts-${hosts}`);
    const file = path.join(c.work, `inventory-hosts-${hosts}.ini`);
    fs.writeFileSync(file, sshInventory(hosts, { port: c.sshd!.port, user: 'root', keyFile: c.sshd!.keyFile }, targets, c.controlDir));
    out.push({
      id: `scale-hosts-${hosts}`, title: `converge alone: 30 tasks, no-change run, SSH, ${hosts} host(s), --forks 50`,
      tasks: 30, hosts, connection: 'ssh', kind: 'no-change',
      tools: [{
        tool: 'converge', argv: convergeArgv(pb30, file, c.sshd!.knownHosts), env: c.convergeEnv, cwd: c.work,
        cgroup: trackingCgroup('converge-scale'), needsPrime: () => !fs.existsSync(targets), expect: { hosts, changed: 0 },
        serverCpuMs: () => c.sshd!.serverCpuMs(),
      }],
    });
  }
  return out;
}

async function main(): Promise<void> {
  const started = new Date();
  ensurePrerequisites(log);
  if (opt.snapshot) useSnapshotOfHead(log);
  if (!fs.existsSync(CONVERGE_CLI)) throw new Error(`${CONVERGE_CLI} is missing: build first (npx tsc -p .)`);
  // Short path: ssh control sockets live under it (108-byte limit).
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cvgb-'));
  const controlDir = path.join(work, 'cp');
  fs.mkdirSync(controlDir);
  const results: ScenarioResult[] = [];
  const skipped: Array<{ id: string; reason: string }> = [];
  const ansibleV = ansibleVersion();
  let headnodePrime: HeadnodeSetup['prime'];
  // --merge: keep the scenarios of an earlier results.json that this run does not repeat.
  const earlier: BenchResults | undefined = opt.merge && fs.existsSync(path.join(opt.out!, 'results.json'))
    ? JSON.parse(fs.readFileSync(path.join(opt.out!, 'results.json'), 'utf8')) : undefined;
  const report = (): BenchResults => ({
    date: started.toISOString(),
    durationS: (Date.now() - started.getTime()) / 1000,
    machine: { cpu: cpuModel(), memTotalMiB: memTotalMiB(), kernel: os.release(), node: process.version },
    versions: { converge: convergeCommit(), ansible: ansibleV },
    options: { runs: RUNS, warmup: WARMUP, manyHostsRuns: MANY_RUNS, manyHostsFirst: !opt['no-many-hosts-first'], forks: FORKS, only: opt.only ?? null },
    scenarios: [...(earlier?.scenarios ?? []).filter((e) => !results.some((r) => r.id === e.id)), ...results],
    skipped: [...(earlier?.skipped ?? []).filter((e) => !skipped.some((r) => r.id === e.id) && !results.some((r) => r.id.startsWith(e.id))), ...skipped],
    headnodePrime: headnodePrime ?? earlier?.headnodePrime,
    merged: earlier ? { earlierDate: earlier.date, earlierConverge: earlier.versions.converge, ids: results.map((r) => r.id) } : earlier,
    notes: earlier?.notes,
  });
  let sshd: BenchSshd | undefined;
  // Interrupted: the tools' processes, ansible's masters, sshd and the cgroups go too.
  const onSignal = () => {
    log('\ninterrupted: cleaning up');
    killTrackedProcesses();
    sshd?.kill();
    setTimeout(() => {
      removeTrackingCgroups();
      if (!opt.keep) fs.rmSync(work, { recursive: true, force: true });
      process.exit(130);
    }, 300);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    sshd = await startBenchSshd(fs.mkdtempSync(path.join(work, 'sshd-')));
    const cfg = path.join(work, 'ansible.cfg');
    fs.writeFileSync(cfg, ansibleCfg(sshd.knownHosts, controlDir, FORKS));
    const ctx: Ctx = {
      work, controlDir, sshd,
      ansibleEnv: { ...process.env, ANSIBLE_CONFIG: cfg, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0' },
      // A state directory of the bench's own: the machine's /var/lib/converge may hold another
      // converge run's lock (tests, an agent), which would refuse or delay the bench's runs.
      // With an explicit state directory every run takes its lock and appends its history
      // record, as on a machine where the agent runs: a few ms, included in the figures.
      convergeEnv: { ...process.env, NO_COLOR: '1', CONVERGE_STATE_DIR: path.join(work, 'converge-state') },
    };
    const pb30 = writePlaybook(work, 5);
    // The 50-host pair last: with ansible it takes longest, and the report is
    // rewritten after every scenario, so what ran before it is kept.
    const scenarios: Scenario[] = [
      ...pairScenarios(ctx, 'local', 1, 'local', pb30, false),
      ...pairScenarios(ctx, 'ssh1', 1, 'ssh', pb30, false),
      ...scalingScenarios(ctx),
      ...pairScenarios(ctx, 'ssh50', 50, 'ssh', pb30, true),
    ];
    let lastGroup = '';
    for (const s of scenarios) {
      if (ONLY && !ONLY.has(s.id) && !ONLY.has(s.id.split('-')[0])) continue;
      const group = s.id.split('-').slice(0, 2).join('-');
      // Each group starts without ansible masters left from another group.
      if (group !== lastGroup) closeAnsibleMasters(controlDir);
      lastGroup = group;
      results.push(await runScenario(s, { runs: RUNS, warmup: WARMUP }, log));
      writeReport(report(), opt.out!);
    }
    if (!ONLY || ONLY.has('headnode')) {
      const head = await headnodeScenarios(ctx, log);
      skipped.push(...head.skipped);
      if (head.prime) headnodePrime = head.prime;
      try {
        for (const s of head.scenarios) {
          results.push(await runScenario(s, { runs: RUNS, warmup: WARMUP }, log));
          writeReport(report(), opt.out!);
        }
      } finally {
        await head.cleanup();
      }
    }
  } finally {
    closeAnsibleMasters(controlDir);
    await sshd?.stop();
    removeTrackingCgroups();
    if (!opt.keep) fs.rmSync(work, { recursive: true, force: true });
    else log(`work directory kept: ${work}`);
  }
  const bench = report();
  writeReport(bench, opt.out!);
  log(`\nwrote ${path.join(opt.out!, 'results.json')}, RESULTS.md, scaling.svg (${bench.durationS.toFixed(0)} s)`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
