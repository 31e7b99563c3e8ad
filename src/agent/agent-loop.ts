// `converge agent PLAYBOOK`: converge at once, then on a cron schedule, never
// two runs at a time. A tick that comes while a run (or its splay delay) is
// going is skipped and logged. SIGTERM/SIGINT stop the agent after the
// current task; between runs they stop it at once.

import cron from 'node-cron';
import type { RunCliOptions } from '../cli/run-options.js';
import { loadAndValidate, runCommand } from '../cli/run-command.js';
import { ConfigError, ConfigErrors, UsageError } from '../config/errors.js';
import { EXIT } from '../cli/exit-codes.js';
import { AgentTaskLog, recordLines, stderrSay, type Say } from './agent-log.js';
import { LockBusyError, describeOwner, processStartTicks } from './lock.js';
import { lockAndRecord, stateDirOf, writeAgentInfo, type StateDirOptions } from './run-guard.js';
import { recordRunMetrics } from './run-metrics.js';
import { checkMetricsDir } from '../metrics/textfile.js';

export const DEFAULT_SCHEDULE = '*/30 * * * *';

export interface AgentOptions extends RunCliOptions, StateDirOptions {
  schedule?: string;
  /** Largest random delay before a scheduled run, in seconds. */
  splay?: string;
  checkOnly?: boolean;
  /** node_exporter textfile directory for converge_agent.prom. */
  metricsDir?: string;
}

export function parseSplay(s: string | undefined): number {
  if (s === undefined) return 0;
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--splay must be a number of seconds (0 or more), got '${s}'`);
  return n;
}

export function checkSchedule(expr: string): void {
  if (!cron.validate(expr)) {
    throw new UsageError(`--schedule '${expr}' is not a cron expression (5 fields, or 6 with seconds first: '*/30 * * * *', '0 */5 * * * *')`);
  }
}

function errorText(e: unknown): string {
  if (e instanceof ConfigErrors) return e.errors.map((x) => x.located).join('\n');
  if (e instanceof ConfigError) return e.located;
  return e instanceof Error ? e.message : String(e);
}

/** Runs until SIGTERM/SIGINT; returns the exit code. */
export async function runAgent(playbookFile: string, o: AgentOptions, say: Say = stderrSay): Promise<number> {
  const schedule = o.schedule ?? DEFAULT_SCHEDULE;
  checkSchedule(schedule);
  const splayS = parseSplay(o.splay);
  const { dir } = stateDirOf(o);
  const check = !!(o.checkOnly || o.check);
  const metricsDir = o.metricsDir === undefined ? undefined : checkMetricsDir(o.metricsDir);
  const runOpts: AgentOptions = { ...o, check };
  // A broken playbook at start-up is the operator's mistake now: fail at once (later ticks log and go on).
  const first = loadAndValidate(playbookFile, runOpts);
  try {
    writeAgentInfo(dir, { pid: process.pid, startTicks: processStartTicks(process.pid), started: new Date().toISOString(), playbook: first.playbook.file, schedule, splay: splayS, check_only: check });
  } catch (e) {
    throw new UsageError(`cannot write to the state directory ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): run as root or choose another --state-dir`);
  }
  say(`started: ${first.playbook.file} on schedule '${schedule}'${splayS ? ` with up to ${splayS}s splay` : ''}` +
    `${check ? ', check only (drift is recorded, not corrected)' : ''}, state in ${dir}`);

  let stopping = false;
  let busySince: string | null = null;
  let skipped = 0;
  let wake: (() => void) | null = null;
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });

  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    say(busySince ? `${sig}: stopping after the current task` : `${sig}: stopping`);
    wake?.();
    if (!busySince) done();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const pause = (ms: number) => new Promise<void>((r) => {
    const t = setTimeout(() => { wake = null; r(); }, ms);
    wake = () => { clearTimeout(t); wake = null; r(); };
  });

  const runOnce = async (reason: 'start' | 'schedule') => {
    if (stopping) return;
    if (busySince) {
      skipped++;
      say(`tick at ${new Date().toISOString()} skipped: the run started at ${busySince} is still going`);
      return;
    }
    busySince = new Date().toISOString();
    try {
      if (reason === 'schedule' && splayS > 0) await pause(Math.random() * splayS * 1000);
      if (stopping) return;
      const skippedTicks = skipped;
      await runCommand(playbookFile, runOpts, {
        mainReporter: new AgentTaskLog(say, o.verbose ?? 0),
        stopRequested: () => stopping,
        guard: (loaded, ro) => lockAndRecord(loaded, ro, {
          dir, source: 'agent', check, skippedTicks,
          lock: { command: 'agent', playbook: loaded.playbook.file, wait: false, say },
          onRecord: (rec) => { skipped -= skippedTicks; recordRunMetrics(metricsDir, rec, say); for (const l of recordLines(rec)) say(l); },
        }),
      });
    } catch (e) {
      if (e instanceof LockBusyError) {
        skipped++;
        say(`run skipped: the lock is held by ${describeOwner(e.owner)}`);
      } else say(`run failed: ${errorText(e)}`);
    } finally {
      busySince = null;
      if (stopping) done();
    }
  };

  const task = cron.schedule(schedule, () => { void runOnce('schedule'); }, {
    name: 'converge-agent',
    // node-cron's own notes (missed ticks while the event loop was busy) go to the same log.
    logger: { info: () => {}, debug: () => {}, warn: (m) => say(`scheduler: ${m}`), error: (m) => say(`scheduler: ${m instanceof Error ? m.message : m}`) },
  });
  void runOnce('start');
  await finished;
  await task.destroy();
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  say('stopped');
  return EXIT.ok;
}
