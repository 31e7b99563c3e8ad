// Running one scenario: warm-up, then rounds in which the tools take turns
// (A B A B ...), each run checked against the changes it should report.

import * as fs from 'node:fs';
import { measure, parseRecap, type Measurement, type Recap } from './measure.js';
import { summarize, type Summary } from './stats.js';

export type ToolName = 'converge' | 'ansible';

export interface ToolRun {
  tool: ToolName;
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  cgroup?: string;
  serverCpuMs?: () => number | undefined;
  /** Before every run (warm-up included): e.g. remove the target directories for a first run. */
  prepare?: () => void;
  /** The recap this run must show; a run that differs is reported as invalid. */
  expect: { hosts: number; changed: number };
  /** True when the target is not converged yet: one unmeasured run first (a no-change scenario run on its own). */
  needsPrime?: () => boolean;
  /** The command that primes (default argv); ansible's targets can be primed by converge, which is much faster. */
  primeArgv?: string[];
  /** Runs for this tool (warm-up excluded); default the scenario's. */
  runs?: number;
  warmup?: number;
}

export interface Scenario {
  id: string;
  title: string;
  tasks: number;
  hosts: number;
  connection: 'local' | 'ssh';
  kind: 'first' | 'no-change' | 'check';
  tools: ToolRun[];
}

export type RunRecord = Omit<Measurement, 'stdout' | 'stderr'> & { recap: Recap; valid: boolean; problem?: string };

export interface ToolResult {
  tool: ToolName;
  runs: RunRecord[];
  wallMs: Summary;
  cpuS: Summary;
  /** CPU of the SSH server side during the runs (sshd sessions, remote commands). */
  serverCpuS: Summary;
  treePeakPssKb: Summary;
  treePeakRssKb: Summary;
  maxRssKb: Summary;
  invalidRuns: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  tasks: number;
  hosts: number;
  connection: string;
  kind: string;
  tools: Partial<Record<ToolName, ToolResult>>;
  /** ansible median wall / converge median wall. */
  speedup?: number;
  /** ansible median tree PSS / converge median tree PSS. */
  memoryRatio?: number;
  loadavgBefore: string;
  loadavgAfter: string;
}

function loadavg(): string {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '';
  }
}

async function runOnce(t: ToolRun, log: (s: string) => void, label: string): Promise<RunRecord> {
  t.prepare?.();
  const m = await measure(t.argv, { cwd: t.cwd, env: t.env, cgroup: t.cgroup, serverCpuMs: t.serverCpuMs });
  const recap = parseRecap(m.stdout);
  let problem: string | undefined;
  if (m.exitCode !== 0) problem = `exit ${m.exitCode}`;
  else if (recap.hosts !== t.expect.hosts) problem = `recap shows ${recap.hosts} hosts, expected ${t.expect.hosts}`;
  else if (recap.failed || recap.unreachable) problem = `failed=${recap.failed} unreachable=${recap.unreachable}`;
  else if (recap.changed !== t.expect.changed) problem = `changed=${recap.changed}, expected ${t.expect.changed}`;
  if (problem) {
    const tail = (m.stdout + '\n' + m.stderr).trim().split('\n').slice(-15).join('\n');
    log(`    ${label}: INVALID (${problem})\n${tail.replace(/^/gm, '      | ')}`);
  } else {
    const server = m.serverCpuS !== undefined ? ` + ${m.serverCpuS.toFixed(2)} s server` : '';
    log(`    ${label}: ${(m.wallMs / 1000).toFixed(3)} s wall, ${(m.userS + m.sysS).toFixed(2)} s cpu${server}, ` +
      `tree PSS ${(m.treePeakPssKb / 1024).toFixed(1)} MiB (${m.treePeakProcs} procs)`);
  }
  const { stdout: _o, stderr: _e, ...rest } = m;
  return { ...rest, recap, valid: !problem, problem };
}

function toolResult(tool: ToolName, runs: RunRecord[]): ToolResult {
  const ok = runs.filter((r) => r.valid);
  return {
    tool,
    runs,
    wallMs: summarize(ok.map((r) => r.wallMs)),
    cpuS: summarize(ok.map((r) => r.userS + r.sysS)),
    serverCpuS: summarize(ok.map((r) => r.serverCpuS ?? NaN)),
    treePeakPssKb: summarize(ok.map((r) => r.treePeakPssKb)),
    treePeakRssKb: summarize(ok.map((r) => r.treePeakRssKb)),
    maxRssKb: summarize(ok.map((r) => r.maxRssKb)),
    invalidRuns: runs.length - ok.length,
  };
}

export async function runScenario(s: Scenario, defaults: { runs: number; warmup: number }, log: (s: string) => void): Promise<ScenarioResult> {
  log(`\n== ${s.id}: ${s.title}`);
  const loadavgBefore = loadavg();
  const records = new Map<ToolName, RunRecord[]>(s.tools.map((t) => [t.tool, []]));
  for (const t of s.tools) {
    if (!t.needsPrime?.()) continue;
    t.prepare?.();
    const m = await measure(t.primeArgv ?? t.argv, { cwd: t.cwd, env: t.env, cgroup: t.cgroup });
    const by = t.primeArgv ? ` by ${t.primeArgv[0].endsWith('node') ? 'converge' : t.primeArgv[0]}` : '';
    log(`    ${t.tool} prime (its targets converged first${by}): exit ${m.exitCode}, ${(m.wallMs / 1000).toFixed(1)} s`);
  }
  const warm = Math.max(...s.tools.map((t) => t.warmup ?? defaults.warmup));
  for (let w = 0; w < warm; w++) {
    for (const t of s.tools) if (w < (t.warmup ?? defaults.warmup)) await runOnce(t, log, `${t.tool} warm-up`);
  }
  const rounds = Math.max(...s.tools.map((t) => t.runs ?? defaults.runs));
  for (let r = 0; r < rounds; r++) {
    for (const t of s.tools) {
      if (r >= (t.runs ?? defaults.runs)) continue;
      records.get(t.tool)!.push(await runOnce(t, log, `${t.tool} run ${r + 1}`));
    }
  }
  const tools: Partial<Record<ToolName, ToolResult>> = {};
  for (const [tool, runs] of records) tools[tool] = toolResult(tool, runs);
  const res: ScenarioResult = {
    id: s.id, title: s.title, tasks: s.tasks, hosts: s.hosts, connection: s.connection, kind: s.kind,
    tools, loadavgBefore, loadavgAfter: loadavg(),
  };
  const c = tools.converge, a = tools.ansible;
  if (c && a) {
    res.speedup = a.wallMs.median / c.wallMs.median;
    res.memoryRatio = a.treePeakPssKb.median / c.treePeakPssKb.median;
    log(`  median wall: converge ${(c.wallMs.median / 1000).toFixed(3)} s, ansible ${(a.wallMs.median / 1000).toFixed(3)} s: ${res.speedup.toFixed(1)}x; ` +
      `tree PSS converge ${(c.treePeakPssKb.median / 1024).toFixed(1)} MiB, ansible ${(a.treePeakPssKb.median / 1024).toFixed(1)} MiB`);
  } else if (c) {
    log(`  median wall: converge ${(c.wallMs.median / 1000).toFixed(3)} s (min ${(c.wallMs.min / 1000).toFixed(3)}, max ${(c.wallMs.max / 1000).toFixed(3)})`);
  }
  return res;
}
