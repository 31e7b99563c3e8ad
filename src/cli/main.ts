#!/usr/bin/env node
// The converge command line. Errors become exit codes here and only here.

// First: masks inline -e values in what ps shows (before anything else loads).
import './hide-argv.js';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, ConfigErrors, UsageError } from '../config/errors.js';
import { ConnectionConfigError } from '../host/connect.js';
import { EXIT } from './exit-codes.js';
import { loadAndValidate, printWarnings, runCommand, type RunCliOptions } from './run-command.js';
import { docCommand } from './doc.js';
import { registerAgentCommands } from './agent-commands.js';
import { isSecretName, redactText } from '../output/redact.js';
import { inlineExtraVars } from './hide-argv.js';
import { parseExtraVars } from './extra-vars.js';
import { StateWriteError } from '../state/state-write-error.js';
import { printable } from '../output/printable.js';
import type { NodesOptions } from '../nodes/nodes-command.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function runOptions(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <path>', 'inventory file, directory or comma-separated host list (default: ./inventory, else localhost)')
    .option('-C, --check', 'report what would change, with diffs; change nothing')
    .option('-D, --diff', 'show diffs of changed files')
    .option('-l, --limit <pattern>', 'only hosts matching this pattern (names, groups, globs)')
    .option('-t, --tags <tags>', 'only tasks with these tags (comma-separated)')
    .option('--skip-tags <tags>', 'skip tasks with these tags')
    .option('-e, --extra-vars <vars>', 'KEY=VALUE, @FILE or JSON; repeatable', collect, [])
    .option('-f, --forks <n>', 'hosts converged at once', '50')
    .option('--json', 'print one JSON document describing the run')
    .addOption(new Option('--color <when>', 'colour output').choices(['auto', 'always', 'never']).default('auto'))
    .option('--detailed-exitcodes', "Puppet's exit codes: 0 no changes, 2 changes, 4 failures, 6 both")
    .option('--accept-new-host-keys', 'record the keys of hosts not yet in known_hosts (never a changed key)')
    .option('--known-hosts-file <path>', 'known_hosts file to check and record host keys in')
    .option('-v, --verbose', 'more output (repeatable)', (_v, prev: number) => prev + 1, 0);
}

/** Error text may quote a variable's value or a host's output: masked and made printable like all output. */
function say(line: string): void {
  process.stderr.write(printable(redactText(line)));
}

/** The code-cache training run's use (src/cli/launcher.ts). */
export { warmSsh2ForCodeCache } from '../host/ssh-connect.js';

/** Prints an error the way its kind should be printed and returns the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof ConfigErrors) {
    for (const err of e.errors) say(`error: ${err.located}\n`);
    return EXIT.parseError;
  }
  if (e instanceof ConfigError) {
    say(`error: ${e.located}\n`);
    return EXIT.parseError;
  }
  if (e instanceof ConnectionConfigError) {
    say(`error: host '${e.host}': ${e.message}\n`);
    return EXIT.parseError;
  }
  if (e instanceof StateWriteError) {
    say(`error: ${e.message}\n`);
    return e.runExitCode || EXIT.notRecorded;
  }
  if (e instanceof UsageError) {
    say(`error: ${e.message}\n`);
    return EXIT.badOptions;
  }
  say(`unexpected error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  return EXIT.unexpected;
}

/**
 * A secret typed as `-e db_password=...` was readable in ps from converge's
 * start until node ran its first line: say so once, and what avoids it.
 */
function warnInlineSecrets(argv: string[]): void {
  let names: string[];
  try {
    names = Object.keys(parseExtraVars(inlineExtraVars(argv))).filter(isSecretName);
  } catch { return; /* a malformed -e is reported by the run itself */ }
  if (names.length === 0) return;
  say(`warning: -e ${names.map((n) => `${n}=...`).join(' ')}: a value on the command line can be read by every local user (ps) `
    + 'until converge has started and masked it; pass secrets with -e @FILE (mode 0600) or -e @/dev/stdin instead\n');
}

async function main(argv: string[]): Promise<number> {
  warnInlineSecrets(argv);
  let code: number = EXIT.ok;
  const program = new Command('converge')
    .description('Declarative reconciler for Linux hosts: Ansible-shaped playbooks, planned, applied and verified.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  runOptions(program.command('run', { isDefault: true }).description('converge the hosts to the playbook (the default command)'))
    .argument('<playbook>', 'playbook file')
    .action(async (pb: string, o: RunCliOptions) => { code = await runCommand(pb, o); });

  program.command('validate')
    .description('every static check (YAML, schemas, variables, templates, inventory); no host is contacted')
    .argument('<playbook>', 'playbook file')
    .option('-i, --inventory <path>', 'inventory')
    .option('-e, --extra-vars <vars>', 'KEY=VALUE, @FILE or JSON; repeatable', collect, [])
    .action((pb: string, o: RunCliOptions) => {
      const { playbook, inventory } = loadAndValidate(pb, o);
      printWarnings(playbook);
      const tasks = playbook.plays.reduce((n, p) => n + p.tasks.length + p.handlers.length, 0);
      process.stdout.write(`${pb}: valid (${playbook.plays.length} play(s), ${tasks} task(s), ${inventory.hosts.size || 1} host(s))\n`);
    });

  program.command('doc')
    .description('module documentation, generated from the module schemas')
    .argument('[module]', 'module name')
    .option('--markdown', 'all modules as Markdown (for the README)')
    .action((name: string | undefined, o: { markdown?: boolean }) => { process.stdout.write(docCommand(name, !!o.markdown) + '\n'); });

  registerAgentCommands(program, runOptions, (c) => { code = c; });

  program.command('nodes')
    .description("per compute node (and unknown MAC): how far its last boot got and when, from the head node's logs")
    .option('-i, --inventory <path>', 'inventory with the headnode and compute groups (default: ./inventory)')
    .option('--json', 'one JSON document (one per line with --watch)')
    .option('--watch [seconds]', 'read again every few seconds (default 5) until interrupted')
    .option('--metrics-dir <dir>', 'node_exporter textfile directory: converge_nodes.prom there describes each boot')
    .option('--sources <path>', 'where the head node playbook recorded its log locations (default /var/lib/converge-headnode/boot-log-sources.json)')
    .option('--accept-new-host-keys', 'record the keys of hosts not yet in known_hosts (never a changed key)')
    .option('--known-hosts-file <path>', 'known_hosts file to check and record host keys in')
    .action(async (o: NodesOptions) => { code = await (await import('../nodes/nodes-command.js')).nodesCommand(o); });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT.ok;
      return EXIT.badOptions;
    }
    return reportError(e);
  }
  return code;
}

// `converge ... | head` closes our stdout early: the run goes on (it may be
// changing a host), only its output is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

main(process.argv).then((code) => { process.exitCode = code; }, (e) => { process.exitCode = reportError(e); });
