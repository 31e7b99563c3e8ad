// command and shell: run something on the host. `command` splits its text
// into argv with shell-like quoting but runs no shell ($HOME, |, > stay
// literal); `shell` hands the text to /bin/sh -c. creates/removes make a
// command idempotent. In --check nothing runs (as in Ansible); creates and
// removes are still evaluated, against the ledger of earlier tasks too.
// Inline options in the free form (`command: make creates=/x`) are split
// off by the playbook loader (src/config/shorthand.ts), not here.

import type { ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { basename, dirname } from './common/paths.js';
import { quoteForDisplay, splitWords, WordSplitError } from './common/words.js';
import * as posix from 'node:path/posix';
import { expectedFrom } from './common/ledger-hints.js';

export interface CommandParams {
  cmd?: string;
  argv?: string[];
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline: boolean;
  strip_empty_ends: boolean;
  executable?: string;
}

interface CommandPlan { argv: string[]; display: string; cwd?: string }

function absolute(path: string, chdir: string | undefined, param: string): string {
  if (posix.isAbsolute(path)) return posix.normalize(path);
  if (chdir) return posix.join(chdir, path);
  throw new TaskFailedError(`${param} must be an absolute path (or relative to chdir): ${path}`);
}

/** Whether `path` exists; a glob in the last component (`/opt/*.rpm`) matches any entry, as in Ansible. */
async function pathExists(ctx: ModuleContext, path: string): Promise<boolean> {
  const name = basename(path);
  if (!/[*?[]/.test(name)) return (await ctx.host.stat(path)).exists;
  const dir = await ctx.host.stat(dirname(path));
  if (dir.type !== 'directory') return false;
  const re = new RegExp('^' + name.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return (await ctx.host.readdir(dirname(path))).some((n) => re.test(n) && (name.startsWith('.') || !n.startsWith('.')));
}

function makeModule(kind: 'command' | 'shell'): ModuleDefinition<CommandParams, CommandPlan> {
  return {
    name: kind,
    observedPaths: ['creates', 'removes'],
    verify: false,
    freeForm: 'cmd',
    checkSkipsUnless: ['creates', 'removes'],
    description: kind === 'command'
      ? 'Runs a command without a shell: the text is split into words with shell-like quoting, but $VARS, pipes, redirections and globs ' +
        'stay literal (use argv for exact words, or shell). creates/removes skip it when a path exists/is missing. Not run in --check. ' +
        'changed_when/failed_when decide the outcome; otherwise a run is "changed" and a non-zero exit code fails the task.'
      : 'Runs the text with /bin/sh -c (or executable), so pipes, redirections and $VARS work. creates/removes skip it when a path ' +
        'exists/is missing. Not run in --check. changed_when/failed_when decide the outcome; otherwise a run is "changed" and a non-zero exit fails.',
    schema: {
      properties: {
        cmd: { type: 'string', description: kind === 'command' ? 'The command line (also the free form `command: ls -l`).' : 'The shell script (also the free form `shell: ...`).' },
        ...(kind === 'command' ? { argv: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'The command as a list of words, passed as they are.' } } : {}),
        chdir: { type: 'string', description: 'Run in this directory.' },
        creates: { type: 'string', description: 'Skip when this path exists (a glob in the last component is allowed).' },
        removes: { type: 'string', description: 'Skip when this path does not exist.' },
        stdin: { type: 'string', description: 'Text fed to the command\'s standard input.' },
        stdin_add_newline: { type: 'boolean', default: true, description: 'Append a newline to stdin.' },
        strip_empty_ends: { type: 'boolean', default: true, description: 'Strip trailing newlines from stdout and stderr in the result.' },
        ...(kind === 'shell' ? { executable: { type: 'string', description: 'Shell to run the text with (default /bin/sh).' } } : {}),
      },
      ...(kind === 'command' ? { anyOf: [{ required: ['cmd'] }, { required: ['argv'] }], not: { required: ['cmd', 'argv'] } } : { required: ['cmd'] }),
    },

    async plan(params, ctx): Promise<PlanResult<CommandPlan>> {
      const p = params;
      let argv: string[];
      let display: string;
      if (kind === 'shell') {
        argv = [p.executable ?? '/bin/sh', '-c', p.cmd!];
        display = p.cmd!;
      } else {
        try {
          argv = p.argv ?? splitWords(p.cmd!);
        } catch (e) {
          if (e instanceof WordSplitError) throw new TaskFailedError(e.message);
          throw e;
        }
        if (argv.length === 0) throw new TaskFailedError('command is empty');
        display = quoteForDisplay(argv);
      }
      const result: Record<string, unknown> = { cmd: kind === 'shell' ? p.cmd : argv };
      const chdir = p.chdir !== undefined ? absolute(p.chdir, undefined, 'chdir') : undefined;
      if (p.creates !== undefined) {
        const creates = absolute(p.creates, chdir, 'creates');
        if (await pathExists(ctx, creates)) return { changes: [], skip: `${creates} exists`, result: { ...result, rc: 0, stdout: `skipped, since ${creates} exists` } };
        const task = ctx.check ? ctx.ledger.find('path', creates) : undefined;
        if (task !== undefined) return { changes: [], skip: `${creates} would exist after task ${task}`, result };
      }
      let afterTask: number | undefined;
      if (p.removes !== undefined) {
        const removes = absolute(p.removes, chdir, 'removes');
        if (!(await pathExists(ctx, removes))) {
          afterTask = ctx.check ? ctx.ledger.find('path', removes) : undefined;
          if (afterTask === undefined) return { changes: [], skip: `${removes} does not exist`, result: { ...result, rc: 0, stdout: `skipped, since ${removes} does not exist` } };
        }
      }
      if (chdir !== undefined && (await ctx.host.stat(chdir)).type !== 'directory') {
        const e = expectedFrom(ctx, chdir);
        if (e === undefined) throw new TaskFailedError(`chdir ${chdir} is not a directory`);
        afterTask = Math.max(afterTask ?? 0, e.task);
      }
      const change = { property: 'command', summary: `${ctx.check ? 'would run' : 'run'}: ${display}`, ...(afterTask !== undefined ? { afterTask } : {}) };
      const provides = p.creates !== undefined && !/[*?[]/.test(p.creates) ? [{ kind: 'path' as const, name: absolute(p.creates, chdir, 'creates') }] : undefined;
      return { changes: [change], provides, result, state: { argv, display, cwd: chdir } };
    },

    async apply(params, plan, ctx) {
      const p = params;
      const { argv, cwd } = plan.state!;
      const start = new Date();
      const stdin = p.stdin !== undefined ? p.stdin + (p.stdin_add_newline ? '\n' : '') : undefined;
      const r = await ctx.host.run(argv, { cwd, stdin });
      const end = new Date();
      const strip = (s: string) => (p.strip_empty_ends ? s.replace(/[\r\n]+$/, '') : s);
      const stdout = strip(r.stdout);
      const stderr = strip(r.stderr);
      const result = {
        cmd: kind === 'shell' ? p.cmd : argv,
        rc: r.rc, stdout, stderr,
        stdout_lines: stdout === '' ? [] : stdout.split(/\r?\n/),
        stderr_lines: stderr === '' ? [] : stderr.split(/\r?\n/),
        start: ansibleTime(start), end: ansibleTime(end), delta: ansibleDelta(end.getTime() - start.getTime()),
      };
      if (r.rc !== 0) {
        const first = (stderr || stdout).split('\n')[0];
        return { result, changed: true, failed: `non-zero return code ${r.rc}${first ? `: ${first}` : ''}` };
      }
      return { result, changed: true };
    },
  };
}

/** Ansible's timestamp format: 2024-05-01 12:00:00.123456 (local time). */
function ansibleTime(d: Date): string {
  const z = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())} ${z(d.getHours())}:${z(d.getMinutes())}:${z(d.getSeconds())}.${z(d.getMilliseconds(), 3)}000`;
}

function ansibleDelta(ms: number): string {
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const s = (ms % 60000) / 1000;
  return `${h}:${String(m).padStart(2, '0')}:${s.toFixed(6).padStart(9, '0')}`;
}

export const commandModule = makeModule('command');
export const shellModule = makeModule('shell');
