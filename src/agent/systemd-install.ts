// `converge agent PLAYBOOK --install`: converge installs its own agent as a
// systemd service, with its own modules. It writes a tiny playbook for
// localhost into a temp directory (copy the unit, then enable and start it)
// and runs it through the normal engine, so the operator sees the same plan,
// diff and verification as for any other run (and --check works too).

import { mkdtempSync, realpathSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { runCommand } from '../cli/run-command.js';
import { UsageError } from '../config/errors.js';
import { findModule } from '../engine/registry.js';
import { checkSchedule, DEFAULT_SCHEDULE, parseSplay, type AgentOptions } from './agent-loop.js';
import { stateDirOf } from './run-guard.js';
import { checkMetricsDir } from '../metrics/textfile.js';
import { parseExtraVars } from '../cli/extra-vars.js';
import { noteSecretVars } from '../output/redact.js';

export const UNIT_NAME = 'converge-agent.service';
export const UNIT_PATH = `/etc/systemd/system/${UNIT_NAME}`;
/**
 * The agent's `-e KEY=VALUE` variables: a unit file is world-readable (0644) and
 * its ExecStart shows in `ps`, so values given inline go to this root-only file,
 * which the unit reads with `-e @FILE`.
 */
export const VARS_PATH = '/etc/converge/converge-agent.vars.json';

/** The inline -e values (merged, in order) and the place of their file among the -e @FILE ones. */
export function splitExtraVars(extraVars: string[]): { inline: Record<string, unknown>; argv: string[] } {
  const argv: string[] = [];
  const inline: string[] = [];
  let fileAfterInline = false;
  for (const e of extraVars) {
    if (e.startsWith('@')) {
      if (inline.length) fileAfterInline = true;
      argv.push(`@${path.resolve(e.slice(1))}`);
    } else {
      // Later -e override earlier ones: one vars file keeps that order only if no @FILE comes between.
      if (fileAfterInline) throw new UsageError('agent --install: put the -e KEY=VALUE (or JSON) arguments together, before or after the -e @FILE ones: they are kept in one root-only file, and their order among the files decides which value wins');
      if (!inline.length) argv.push(`@${VARS_PATH}`);
      inline.push(e);
    }
  }
  return { inline: parseExtraVars(inline), argv };
}

/** One ExecStart word, quoted for systemd: %-specifiers and $-variables are escaped, spaces quoted. */
export function systemdWord(s: string): string {
  if (/[\n\r]/.test(s)) throw new UsageError(`cannot put a line break into a systemd unit: ${JSON.stringify(s)}`);
  const escaped = s.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function absIfPath(p: string): string {
  return existsSync(p) ? path.resolve(p) : p;
}

/** The command line the service runs: absolute node, converge entry, playbook and files. */
export function agentArgv(playbookFile: string, o: AgentOptions, entry: string, node = process.execPath): string[] {
  const argv = [node, entry, 'agent', path.resolve(playbookFile)];
  if (o.inventory) argv.push('-i', absIfPath(o.inventory));
  argv.push('--schedule', o.schedule ?? DEFAULT_SCHEDULE);
  if (o.splay) argv.push('--splay', o.splay);
  if (o.checkOnly) argv.push('--check-only');
  argv.push('--state-dir', stateDirOf(o).dir);
  if (o.metricsDir) argv.push('--metrics-dir', path.resolve(o.metricsDir));
  for (const e of splitExtraVars(o.extraVars ?? []).argv) argv.push('-e', e);
  if (o.limit) argv.push('-l', o.limit);
  if (o.tags) argv.push('-t', o.tags);
  if (o.skipTags) argv.push('--skip-tags', o.skipTags);
  if (o.forks && o.forks !== '50') argv.push('-f', o.forks);
  if (o.knownHostsFile) argv.push('--known-hosts-file', path.resolve(o.knownHostsFile));
  if (o.acceptNewHostKeys) argv.push('--accept-new-host-keys');
  for (let i = 0; i < (o.verbose ?? 0); i++) argv.push('-v');
  return argv;
}

export function unitText(argv: string[], playbookFile: string): string {
  return [
    '# Written by `converge agent --install`; run it again to change it.',
    '[Unit]',
    `Description=converge agent: keeps this system converged to ${path.resolve(playbookFile).replace(/%/g, '%%')}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${argv.map(systemdWord).join(' ')}`,
    `WorkingDirectory=${systemdWord(path.dirname(path.resolve(playbookFile)))}`,
    'Environment=NO_COLOR=1',
    // SIGTERM goes to converge only: it stops after the current task. The package manager or
    // command it runs must not be killed mid-transaction with it (KillMode=control-group would).
    'KillMode=mixed',
    'TimeoutStopSec=30min',
    'Restart=on-failure',
    'RestartSec=30s',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * The install playbook: the unit (and the vars file) through `copy`, the service through `service`
 * (or systemctl through `command`). The texts come in as base64 variables (installVars), never in
 * the playbook file: the copy module renders `content` as a template, and the vars may be secret.
 */
export function installPlaybook(unitPath: string, withServiceModule: boolean, varsPath: string, withVars: boolean): unknown[] {
  const unitName = path.basename(unitPath);
  const service = unitName.replace(/\.service$/, '');
  const notify = ['systemd reads the changed unit', 'restart a running converge agent'];
  const tasks: unknown[] = [{ name: `${unitName} unit`, copy: { dest: unitPath, content: '{{ converge_agent_unit_b64 | b64decode }}', mode: '0644', owner: 'root', group: 'root' }, notify }];
  if (withVars) {
    tasks.push({ name: `${path.dirname(varsPath)} (root only)`, file: { path: path.dirname(varsPath), state: 'directory', mode: '0700', owner: 'root', group: 'root' } });
    tasks.push({ name: `the agent's -e variables (root only)`, copy: { dest: varsPath, content: '{{ converge_agent_vars_b64 | b64decode }}', mode: '0600', owner: 'root', group: 'root' }, no_log: true, notify: ['restart a running converge agent'] });
  } else {
    // An earlier install's variables, which the new unit no longer reads: no secret is left behind.
    tasks.push({ name: `no agent -e variables left in ${varsPath}`, file: { path: varsPath, state: 'absent' } });
  }
  const handlers: unknown[] = [];
  // Handlers through `command`, not `service: daemon_reload` / `state: restarted`: the engine does
  // not yet skip the service module's every-time actions (Change.repeats) in its verifying
  // re-plan, so those read as "not converged". try-restart: a running agent picks up the new
  // unit; a stopped one is left to the task below.
  handlers.push({ name: 'systemd reads the changed unit', command: { argv: ['systemctl', 'daemon-reload'] } });
  handlers.push({ name: 'restart a running converge agent', command: { argv: ['systemctl', 'try-restart', unitName] } });
  // Handlers first, so that a fresh install starts the agent once, after systemd has read the unit.
  tasks.push({ meta: 'flush_handlers' });
  if (withServiceModule) {
    tasks.push({ name: `${service} enabled and running`, service: { name: service, enabled: true, state: 'started' } });
  } else {
    // Until the service module exists: systemctl through the command module (reports changed every time).
    tasks.push({ name: `${service} enabled and running`, command: { argv: ['systemctl', 'enable', '--now', unitName] } });
  }
  return [{ name: 'converge agent service', hosts: 'localhost', gather_facts: false, tasks, handlers }];
}

export async function installAgentService(playbookFile: string, o: AgentOptions): Promise<number> {
  checkSchedule(o.schedule ?? DEFAULT_SCHEDULE);
  parseSplay(o.splay);
  if (o.metricsDir !== undefined) checkMetricsDir(o.metricsDir);
  if (!existsSync(playbookFile)) throw new UsageError(`playbook not found: ${playbookFile}`);
  const entry = realpathSync(process.argv[1]);
  const unit = unitText(agentArgv(playbookFile, o, entry), playbookFile);
  const { inline } = splitExtraVars(o.extraVars ?? []);
  const withVars = Object.keys(inline).length > 0;
  noteSecretVars(inline);
  const dir = mkdtempSync(path.join(tmpdir(), 'converge-install-'));
  try {
    const pb = path.join(dir, 'install-agent.yaml');
    writeFileSync(pb, stringify(installPlaybook(UNIT_PATH, !!findModule('service'), VARS_PATH, withVars)), { mode: 0o600 });
    writeFileSync(path.join(dir, 'inventory.ini'), 'localhost ansible_connection=local\n', { mode: 0o600 });
    // In memory only: the -e JSON form is parsed, never written.
    const texts = { converge_agent_unit_b64: Buffer.from(unit).toString('base64'), converge_agent_vars_b64: Buffer.from(JSON.stringify(inline, null, 1) + '\n').toString('base64') };
    return await runCommand(pb, {
      inventory: path.join(dir, 'inventory.ini'), check: o.check, diff: true, color: o.color, verbose: o.verbose, json: o.json,
      extraVars: [JSON.stringify(texts)],
    }, { guard: async () => undefined });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
