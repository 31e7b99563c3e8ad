// results.json, RESULTS.md and scaling.svg from one bench run.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ScenarioResult, ToolResult } from './scenario.js';
import { scalingSvg, type Series } from './plot.js';
import type { Summary } from './stats.js';

export interface BenchResults {
  date: string;
  durationS: number;
  machine: { cpu: string; memTotalMiB: number; kernel: string; node: string };
  versions: { converge: string; ansible: string };
  options: Record<string, unknown>;
  scenarios: ScenarioResult[];
  skipped: Array<{ id: string; reason: string }>;
  headnodePrime?: { wallMs: number; exitCode: number; recap: { changed: number; failed: number } };
  merged?: { earlierDate: string; earlierConverge?: string; ids: string[] };
  /** Remarks added after the run (what was measured how, what went wrong). */
  notes?: string[];
}

/** Issue 9's targets, per scenario id. */
const TARGETS: Record<string, { speedup?: number; maxWallS?: number; lessMemory?: boolean }> = {
  'local-30-no-change': { speedup: 15, maxWallS: 0.5 },
  'ssh1-30-no-change': { speedup: 20 },
  'ssh50-30-no-change': { speedup: 20, lessMemory: true },
};

const s3 = (ms: number) => (ms / 1000).toFixed(3);
const mib = (kb: number) => (kb / 1024).toFixed(0);

function wallCell(t: ToolResult | undefined): string {
  if (!t) return '—';
  if (t.wallMs.n === 0) return `no valid run (${t.invalidRuns} invalid)`;
  const range = t.wallMs.n > 1 ? ` (${s3(t.wallMs.min)}–${s3(t.wallMs.max)})` : '';
  const bad = t.invalidRuns ? `, ${t.invalidRuns} invalid` : '';
  return `${s3(t.wallMs.median)}${range} n=${t.wallMs.n}${bad}`;
}

function cpuCell(t: ToolResult | undefined): string {
  if (!t || t.wallMs.n === 0) return '—';
  const server = t.serverCpuS && t.serverCpuS.n > 0 ? ` + ${t.serverCpuS.median.toFixed(2)} srv` : '';
  return `${t.cpuS.median.toFixed(2)}${server}`;
}

function memCell(t: ToolResult | undefined): string {
  if (!t || t.wallMs.n === 0) return '—';
  return `${mib(t.treePeakPssKb.median)} / ${mib(t.treePeakRssKb.median)}`;
}

function verdict(r: ScenarioResult): string {
  const t = TARGETS[r.id];
  if (!t) return '';
  const c = r.tools.converge, a = r.tools.ansible;
  const parts: string[] = [];
  if (t.maxWallS !== undefined && c) {
    parts.push(`< ${t.maxWallS} s: ${c.wallMs.median / 1000 < t.maxWallS ? 'met' : 'NOT met'}`);
  }
  if (t.speedup !== undefined && r.speedup !== undefined) parts.push(`>= ${t.speedup}x: ${r.speedup >= t.speedup ? 'met' : 'NOT met'}`);
  if (t.lessMemory && r.memoryRatio !== undefined) parts.push(`less memory: ${r.memoryRatio > 1 ? 'met' : 'NOT met'}`);
  return parts.join('; ');
}

interface ScalePoint { n: number; wall: Summary; cpu: Summary; server?: Summary }

function scaleTable(points: ScalePoint[], unit: string): string[] {
  const rows = [`| ${unit}s | median wall (s) | min–max (s) | wall per ${unit} (ms) | marginal wall per ${unit} (ms) | step vs previous marginal | CPU (s) | marginal CPU per ${unit} (ms) | server CPU (s) |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  let prevMarginal: number | undefined;
  points.forEach((p, i) => {
    const per = p.wall.median / p.n;
    let marginal = '—', step = '—', cpuMarginal = '—';
    if (i > 0) {
      cpuMarginal = ((p.cpu.median - points[i - 1].cpu.median) * 1000 / (p.n - points[i - 1].n)).toFixed(2);
      const m = (p.wall.median - points[i - 1].wall.median) / (p.n - points[i - 1].n);
      marginal = m.toFixed(2);
      if (prevMarginal !== undefined && prevMarginal > 0) step = `${(m / prevMarginal).toFixed(2)}x`;
      prevMarginal = m;
    }
    const server = p.server && p.server.n ? p.server.median.toFixed(2) : '—';
    rows.push(`| ${p.n} | ${s3(p.wall.median)} | ${s3(p.wall.min)}–${s3(p.wall.max)} | ${per.toFixed(2)} | ${marginal} | ${step} | ${p.cpu.median.toFixed(2)} | ${cpuMarginal} | ${server} |`);
  });
  return rows;
}

function points(b: BenchResults, prefix: string): ScalePoint[] {
  return b.scenarios.filter((s) => s.id.startsWith(prefix) && s.tools.converge && s.tools.converge.wallMs.n > 0)
    .map((s) => ({ n: Number(s.id.slice(prefix.length)), wall: s.tools.converge!.wallMs, cpu: s.tools.converge!.cpuS, server: s.tools.converge!.serverCpuS }))
    .sort((x, y) => x.n - y.n);
}

function loadNote(b: BenchResults): string {
  const loads = b.scenarios.flatMap((s) => [s.loadavgBefore, s.loadavgAfter]).map((l) => Number(l.split(' ')[0])).filter(Number.isFinite);
  if (!loads.length) return '';
  return `The machine was shared with other work: the 1-minute load average was ${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)} ` +
    'across the scenarios (per scenario in results.json). Wall times are inflated by waiting for a CPU, the more so the more processes a ' +
    'tool starts; CPU times are the steadier figures.';
}

export function markdown(b: BenchResults): string {
  const side = b.scenarios.filter((s) => !s.id.startsWith('scale-') && !s.id.startsWith('headnode-'));
  const lines: string[] = [
    '# converge vs ansible-playbook: benchmark results',
    '',
    'Generated by `npm run bench` (bench/run.ts); the raw figures of every run are in `results.json`.',
    'Where the time goes in a no-change run, and what to do about it: `PROFILE.md`.',
    '',
    `- Date: ${b.date} (bench took ${b.durationS.toFixed(0)} s)`,
    `- Machine: ${b.machine.cpu}, ${b.machine.memTotalMiB} MiB, Linux ${b.machine.kernel}, Node ${b.machine.node}`,
    `- converge ${b.versions.converge}; ${b.versions.ansible}`,
    `- Runs: ${b.options.runs} per tool after ${b.options.warmup} warm-up, tools taking turns (A B A B); ` +
      `50-host ansible: ${b.options.manyHostsRuns} run(s), no warm-up${b.options.manyHostsFirst ? '' : ', first run measured with converge only'}`,
    '',
    loadNote(b),
    '',
    '## Side by side',
    '',
    'Wall time in seconds: median (min–max) over n valid runs. Memory: peak of the whole process tree, PSS / RSS in MiB (medians).',
    'Speed-up = ansible median / converge median. CPU: the tool\'s own processes, plus (`srv`) the SSH server side where measured.',
    '',
    '| scenario | converge wall (s) | ansible wall (s) | speed-up | converge CPU (s) | ansible CPU (s) | converge mem PSS/RSS | ansible mem PSS/RSS | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of side) {
    const c = r.tools.converge, a = r.tools.ansible;
    lines.push(`| ${r.title} | ${wallCell(c)} | ${wallCell(a)} | ${r.speedup !== undefined ? `${r.speedup.toFixed(1)}x` : '—'} | ` +
      `${cpuCell(c)} | ${cpuCell(a)} | ${memCell(c)} | ${memCell(a)} | ${verdict(r)} |`);
  }
  const tasks = points(b, 'scale-tasks-');
  const hosts = points(b, 'scale-hosts-');
  lines.push('', '## How converge scales', '', '![time against task and host count](scaling.svg)', '');
  if (tasks.length) lines.push('No-change run on localhost, 30 / 300 / 3000 tasks (the 30-task pattern repeated):', '', ...scaleTable(tasks, 'task'), '');
  if (hosts.length) lines.push('No-change run of the 30-task playbook over SSH, 1 / 10 / 50 / 200 inventory hosts (one sshd, own directory each), `--forks 50`:', '', ...scaleTable(hosts, 'host'), '');
  lines.push('Marginal cost = difference in medians divided by the difference in size; the startup cost is in the first row only.',
    'CPU = converge\'s own process (client side); server CPU = the SSH server side (sshd sessions and sftp-server, all on this',
    'same machine: with real hosts it would be spread over them). With the machine this loaded, the CPU columns are the steadier ones.', '');
  const head = b.scenarios.filter((s) => s.id.startsWith('headnode-'));
  if (head.length || b.headnodePrime) {
    lines.push('## Head node playbook (converge only)', '',
      'playbooks/headnode.yaml against a debian12 test-bed host (systemd container, over SSH with sudo). ansible-playbook is not',
      'run: the playbook uses firewalld (ansible.posix, not in ansible-core) and modules of converge\'s own.', '');
    if (b.headnodePrime) {
      lines.push(`First converge of a fresh host (packages, compute and failsafe images; not repeated): ${(b.headnodePrime.wallMs / 1000).toFixed(0)} s, ` +
        `exit ${b.headnodePrime.exitCode}, changed=${b.headnodePrime.recap.changed}, failed=${b.headnodePrime.recap.failed}.`, '');
    }
    if (head.length) {
      lines.push('| run | wall (s) | CPU (s) | mem PSS/RSS (MiB) |', '|---|---:|---:|---:|');
      for (const r of head) {
        const c = r.tools.converge;
        lines.push(`| ${r.title} | ${wallCell(c)} | ${c?.cpuS.median.toFixed(2) ?? '—'} | ${memCell(c)} |`);
      }
      lines.push('');
    }
  }
  if (b.merged) {
    lines.push(`Note: ${b.merged.ids.join(', ')} ran on ${b.date} with converge ${b.versions.converge}; the other scenarios come from the run of ` +
      `${b.merged.earlierDate}${b.merged.earlierConverge ? ` with converge ${b.merged.earlierConverge}` : ''} (\`--merge\`).`, '');
  }
  if (b.notes?.length) {
    lines.push('## Notes on this run', '');
    for (const n of b.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  if (b.skipped.length) {
    lines.push('## Not run', '');
    for (const s of b.skipped) lines.push(`- ${s.id}: ${s.reason}`);
    lines.push('');
  }
  lines.push(
    '## What is measured',
    '',
    '- The same playbook file (bench/workload.ts writes it: 5 each of `file` state=directory, `copy`, `template`, `lineinfile`,',
    '  `stat`, `command` with `creates`; `gather_facts: false`) is given to both tools. Each tool converges its own target',
    '  directories (`base_dir` host variable), so neither sees the other\'s files.',
    '- A run counts only if it exits 0 and its recap shows the expected hosts and changes (25 changed per host on a',
    '  first run, 0 on a no-change run, nothing failed or unreachable).',
    '- SSH: one OpenSSH server started by the bench on a loopback port with throwaway keys; every inventory host points',
    '  at it with its own directory. Host keys are checked by both tools against the same known_hosts file.',
    '  ansible: `pipelining = True`, `ControlMaster=auto`, `ControlPersist=120s`, a fixed interpreter (no discovery),',
    '  `--forks 50`, and a control socket per inventory host (`ansible_control_path`, ignored by converge), because',
    '  ansible would otherwise multiplex all 50 "hosts" over one ssh master, which 50 real hosts cannot do.',
    '- Wall: from spawn to exit. CPU: user+sys of the tool and the descendants it waited for (GNU time); the remote side',
    '  of an SSH run (sshd, ansible\'s remote python) is not in it for either tool; it is measured apart (`srv`: the',
    '  bench\'s sshd runs in a cpuacct cgroup, read before and after each run).',
    '- Memory: the run is placed in a cgroup of its own (name=systemd v1 hierarchy, membership only) and every ~10 ms',
    '  Rss and Pss from /proc/PID/smaps_rollup are summed over its processes; the peak is reported. The cgroup also',
    '  catches ansible\'s daemonised ssh ControlPersist masters. PSS shares copy-on-write pages of ansible\'s forked',
    '  workers fairly; RSS sums count them once per process. A peak shorter than the sampling interval can be missed.',
    '',
  );
  return lines.join('\n');
}

function series(b: BenchResults, prefix: string, name: string): Series {
  return { name, points: points(b, prefix).map((p) => ({ x: p.n, y: p.wall.median / 1000, lo: p.wall.min / 1000, hi: p.wall.max / 1000 })) };
}

function cpuSeries(b: BenchResults, prefix: string, name: string): Series {
  return { name, points: points(b, prefix).map((p) => ({ x: p.n, y: p.cpu.median, lo: p.cpu.min, hi: p.cpu.max })) };
}

function ansibleRef(b: BenchResults, ids: Record<string, number>): Series {
  const pts = [];
  for (const [id, x] of Object.entries(ids)) {
    const a = b.scenarios.find((s) => s.id === id)?.tools.ansible;
    if (a && a.wallMs.n) pts.push({ x, y: a.wallMs.median / 1000, lo: a.wallMs.min / 1000, hi: a.wallMs.max / 1000 });
  }
  return { name: 'ansible-playbook, wall (side-by-side runs)', points: pts };
}

export function writeReport(b: BenchResults, outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(b, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'RESULTS.md'), markdown(b));
  fs.writeFileSync(path.join(outDir, 'scaling.svg'), scalingSvg([
    { title: 'No-change run, localhost: time vs task count', xLabel: 'tasks', series: [series(b, 'scale-tasks-', 'converge, wall'), ansibleRef(b, { 'local-30-no-change': 30 }), cpuSeries(b, 'scale-tasks-', 'converge, CPU of its process')] },
    { title: 'No-change run, 30 tasks over SSH: time vs host count', xLabel: 'hosts', series: [series(b, 'scale-hosts-', 'converge, wall'), ansibleRef(b, { 'ssh1-30-no-change': 1, 'ssh50-30-no-change': 50 }), cpuSeries(b, 'scale-hosts-', 'converge, CPU of its process (client side)')] },
  ]));
}
