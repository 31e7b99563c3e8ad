// `converge agent`, `converge history`, `converge status`: registered here so
// main.ts stays a list of commands. The work is in src/agent/.

import { Command } from 'commander';
import type { AgentOptions } from '../agent/agent-loop.js';
import { readHistory, readState } from '../agent/history-store.js';
import { buildStatus, filterHistory, formatHistory, formatStatus, parseSince } from '../agent/history-view.js';
import { ownerAlive, readLockOwner } from '../agent/lock.js';
import { readAgentInfo, stateDirOf } from '../agent/run-guard.js';
import * as path from 'node:path';
import { printable, safeJson } from '../output/printable.js';

const STATE_DIR_HELP = 'state directory: lock, history.jsonl, state.json (default: $CONVERGE_STATE_DIR or /var/lib/converge)';

export function registerAgentCommands(program: Command, runOptions: (c: Command) => Command, setCode: (code: number) => void): void {
  // The manual run takes the agent's lock: its two options live with the run command.
  const run = program.commands.find((c) => c.name() === 'run');
  run?.option('--state-dir <dir>', `${STATE_DIR_HELP}; a manual run takes its lock when it exists or is given`)
    .option('--wait-lock', 'wait for a running agent (or another run) to finish instead of failing');

  runOptions(program.command('agent').description('stay converged: run now, then on a cron schedule; record drift in a history'))
    .argument('<playbook>', 'playbook file')
    .option('--schedule <cron>', "cron expression, 5 fields or 6 with seconds first (default: '*/30 * * * *')")
    .option('--splay <seconds>', 'random delay of up to this many seconds before each scheduled run')
    .option('--check-only', 'record drift without correcting it')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--metrics-dir <dir>', "node_exporter textfile directory: converge_agent.prom there describes the last run")
    .option('--install', 'write, enable and start a systemd unit (converge-agent.service) that runs this agent')
    .action(async (pb: string, o: AgentOptions & { install?: boolean }) => {
      // The agent's modules (node-cron) load only for the agent itself: a plain run starts faster.
      setCode(o.install
        ? await (await import('../agent/systemd-install.js')).installAgentService(pb, o)
        : await (await import('../agent/agent-loop.js')).runAgent(pb, o));
    });

  program.command('history')
    .description('the recorded runs: changes per host, drift or intended, with diffs on request')
    .option('--since <when>', 'only runs since a date (2026-01-31) or for a duration back (30m, 2h, 7d)')
    .option('--host <name>', 'only this host')
    .option('-D, --diff', 'show the diff (or before -> after) of each change')
    .option('--json', 'the records as a JSON array')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .action((o: { since?: string; host?: string; diff?: boolean; json?: boolean; stateDir?: string }) => {
      const { dir } = stateDirOf(o);
      const records = filterHistory(readHistory(dir), { since: o.since ? parseSince(o.since) : undefined, host: o.host });
      process.stdout.write((o.json ? safeJson(records, 2) : printable(formatHistory(records, !!o.diff))) + '\n');
    });

  program.command('status')
    .description('per host: last converged, in sync or not, drift found and corrected per resource')
    .option('--json', 'as a JSON document')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .action((o: { json?: boolean; stateDir?: string }) => {
      const { dir } = stateDirOf(o);
      const owner = readLockOwner(path.join(dir, 'lock'));
      const running = owner !== 'absent' && owner !== null && ownerAlive(owner) ? owner : null;
      const info = readAgentInfo(dir);
      const agent = info ? { ...info, running: ownerAlive({ pid: info.pid, startTicks: info.startTicks ?? null, since: info.started, command: 'agent' }) } : null;
      const report = buildStatus(dir, readState(dir), readHistory(dir), running, agent);
      process.stdout.write((o.json ? safeJson(report, 2) : printable(formatStatus(report))) + '\n');
    });
}
