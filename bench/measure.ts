// One timed run of a command, with the peak memory of its whole process tree.
//
// What is measured, and why this way:
// - wall: monotonic clock from spawn to exit, in the bench process (the
//   wrapper's own fork/exec, a few ms, is in it for both tools alike).
// - user/sys CPU: GNU time's %U %S, which include every descendant the tool
//   waited for. A daemonised ssh ControlPersist master is not waited for, and
//   the remote side of an SSH run (sshd, the remote python) runs under sshd:
//   neither is in these figures, for either tool. The server side is
//   measured apart (serverCpuS): the bench's sshd runs in a cpuacct cgroup
//   and its CPU counter is read before and after the run. Work a persistent
//   ansible master's session does after the run ends is not in it.
// - maxRss: GNU time's %M, the largest resident set of any single process of
//   the tree (the kernel's ru_maxrss), not a sum.
// - tree peak RSS / PSS: sampled every few ms. The run is started inside a
//   cgroup of its own on the name=systemd v1 hierarchy (no controller: it only
//   tracks membership), so every descendant is found, even ssh masters that
//   daemonise and leave the process tree. Each sample sums Rss and Pss from
//   /proc/PID/smaps_rollup over the cgroup's processes. PSS divides shared
//   pages among the processes sharing them, so ansible's forked workers are
//   not charged several times for the same copy-on-write pages; RSS sums
//   overcount them. PSS is the figure to compare; RSS is shown for reference.
//   Sampling (every 10 ms, less often when a sample itself takes long) can
//   miss a peak shorter than the interval.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Measurement {
  wallMs: number;
  userS: number;
  sysS: number;
  maxRssKb: number;
  treePeakRssKb: number;
  treePeakPssKb: number;
  treePeakProcs: number;
  samples: number;
  /** CPU used meanwhile by the SSH server side (sshd sessions and their commands), when known. */
  serverCpuS?: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface MeasureOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** A cgroup directory (created if missing) to run in; processes already in it are counted too. */
  cgroup?: string;
  sampleMs?: number;
  /** Reads the SSH server side's CPU counter (ms); measured as a difference over the run. */
  serverCpuMs?: () => number | undefined;
}

const CGROUP_ROOT = '/sys/fs/cgroup/systemd';
/** Per bench process, so that two benches (or a profile run) never touch each other's. */
const BENCH_CGROUP = `converge-bench-${process.pid}`;

/** The tracking cgroup for a name, or undefined where this machine has none we may use. */
export function trackingCgroup(name: string): string | undefined {
  if (!fs.existsSync(path.join(CGROUP_ROOT, 'cgroup.procs'))) return undefined;
  const dir = path.join(CGROUP_ROOT, BENCH_CGROUP, name);
  try {
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return undefined;
  }
}

/** Moves what is left in the bench's cgroups back to the root and removes them. */
export function removeTrackingCgroups(): void {
  const top = path.join(CGROUP_ROOT, BENCH_CGROUP);
  if (!fs.existsSync(top)) return;
  for (const d of fs.readdirSync(top, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const dir = path.join(top, d.name);
    try {
      for (const pid of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        try { fs.writeFileSync(path.join(CGROUP_ROOT, 'cgroup.procs'), pid); } catch { /* exited */ }
      }
      fs.rmdirSync(dir);
    } catch { /* busy or gone */ }
  }
  try { fs.rmdirSync(top); } catch { /* busy */ }
}

/** Kills (SIGKILL) every process left in the bench's cgroups: an interrupted bench's tool runs and ssh masters. */
export function killTrackedProcesses(): void {
  const top = path.join(CGROUP_ROOT, BENCH_CGROUP);
  if (!fs.existsSync(top)) return;
  for (const d of fs.readdirSync(top, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const pid of cgroupPids(path.join(top, d.name))) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

export function cgroupPids(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Descendants of root by parent PID (the fallback without a cgroup; misses daemonised processes). */
function treePids(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(e), ppid);
    } catch { /* exited */ }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  return out;
}

function memoryOf(pid: number): { rss: number; pss: number } {
  try {
    const s = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const rss = /^Rss:\s+(\d+)/m.exec(s);
    const pss = /^Pss:\s+(\d+)/m.exec(s);
    return { rss: rss ? Number(rss[1]) : 0, pss: pss ? Number(pss[1]) : 0 };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

export async function measure(argv: string[], o: MeasureOptions): Promise<Measurement> {
  const timeFile = path.join(o.cwd, `.bench-time-${process.pid}`);
  fs.rmSync(timeFile, { force: true });
  // The shell joins the cgroup, then becomes GNU time, which runs the tool.
  const script = o.cgroup
    ? 'echo $$ > "$0/cgroup.procs" && exec /usr/bin/time -f "%U %S %M" -o "$1" "${@:2}"'
    : 'exec /usr/bin/time -f "%U %S %M" -o "$1" "${@:2}"';
  const server0 = o.serverCpuMs?.();
  const start = process.hrtime.bigint();
  const child = spawn('/bin/bash', ['-c', script, o.cgroup ?? '-', timeFile, ...argv], {
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });

  let peakRss = 0;
  let peakPss = 0;
  let peakProcs = 0;
  let samples = 0;
  const sample = () => {
    const pids = o.cgroup ? cgroupPids(o.cgroup) : treePids(child.pid!);
    let rss = 0;
    let pss = 0;
    for (const p of pids) {
      const m = memoryOf(p);
      rss += m.rss;
      pss += m.pss;
    }
    samples++;
    peakRss = Math.max(peakRss, rss);
    peakPss = Math.max(peakPss, pss);
    peakProcs = Math.max(peakProcs, pids.length);
  };
  // Reading smaps_rollup of 150 processes takes a while: keep the sampler
  // under about a tenth of one CPU so that it does not slow the tool it watches.
  let timer: NodeJS.Timeout | undefined;
  let running = true;
  const tick = () => {
    if (!running) return;
    const t0 = performance.now();
    sample();
    const cost = performance.now() - t0;
    timer = setTimeout(tick, Math.max(o.sampleMs ?? 10, 9 * cost));
  };
  timer = setTimeout(tick, 1);

  const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 128)));
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const server1 = o.serverCpuMs?.();
  running = false;
  clearTimeout(timer);

  let userS = NaN, sysS = NaN, maxRssKb = NaN;
  try {
    // GNU time writes "Command exited with non-zero status N" before the figures.
    const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    [userS, sysS, maxRssKb] = last;
  } catch { /* time did not run */ }
  fs.rmSync(timeFile, { force: true });
  const serverCpuS = server0 !== undefined && server1 !== undefined ? (server1 - server0) / 1000 : undefined;
  return { serverCpuS, wallMs, userS, sysS, maxRssKb, treePeakRssKb: peakRss, treePeakPssKb: peakPss, treePeakProcs: peakProcs, samples, exitCode, stdout, stderr };
}

export interface Recap {
  hosts: number;
  changed: number;
  failed: number;
  unreachable: number;
}

/** Sums the per-host recap lines; both tools print `changed=N failed=N unreachable=N` per host. */
export function parseRecap(stdout: string): Recap {
  const r: Recap = { hosts: 0, changed: 0, failed: 0, unreachable: 0 };
  for (const line of stdout.split('\n')) {
    const ch = /\bchanged=(\d+)/.exec(line);
    const ok = /\bok=(\d+)/.exec(line);
    if (!ch || !ok) continue;
    r.hosts++;
    r.changed += Number(ch[1]);
    r.failed += Number(/\bfailed=(\d+)/.exec(line)?.[1] ?? 0);
    r.unreachable += Number(/\bunreachable=(\d+)/.exec(line)?.[1] ?? 0);
  }
  return r;
}
