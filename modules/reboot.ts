// reboot: restarts the host and waits until it is back: a new boot id
// (/proc/sys/kernel/random/boot_id), a connection, and test_command passing.
// The connection is dropped by the reboot and opened afresh (Host.reconnect);
// hosts without one (the machine converge runs on, a directory tree) are refused.

import type { ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';

interface RebootParams {
  pre_reboot_delay: number; post_reboot_delay: number; reboot_timeout: number;
  test_command: string; msg: string; reboot_command?: string; boot_time_command: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A command given as words: run as argv, so quotes (which only a shell would read) are refused. */
function argv(cmd: string, what: string): string[] {
  if (/["'\\$`;|&<>]/.test(cmd)) throw new TaskFailedError(`${what} is run without a shell: give plain words (no quotes or shell characters), got '${cmd}'`);
  const words = cmd.trim().split(/\s+/).filter(Boolean);
  if (!words.length) throw new TaskFailedError(`${what} is empty`);
  return words;
}

async function bootId(ctx: ModuleContext, cmd: string[]): Promise<string> {
  const r = await ctx.host.run(cmd, { env: { LC_ALL: 'C' }, timeoutMs: 10_000 });
  if (r.rc !== 0 || !r.stdout.trim()) throw new TaskFailedError(`${cmd.join(' ')} failed (rc ${r.rc}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

async function plan(p: RebootParams, ctx: ModuleContext): Promise<PlanResult<void>> {
  if (!ctx.host.reconnect) throw new TaskFailedError(`reboot needs a host reached over SSH: ${ctx.host.name} is ${ctx.host.kind === 'local' ? 'the machine converge runs on' : 'a directory tree'}`);
  argv(p.test_command, 'test_command');
  argv(p.boot_time_command, 'boot_time_command');
  if (p.reboot_command !== undefined) argv(p.reboot_command, 'reboot_command');
  // Under --check Ansible registers what a reboot would: rebooted, after 0 s.
  return {
    changes: [{ property: 'reboot', summary: `${ctx.check ? 'would reboot' : 'reboot'} ${ctx.host.name} and wait up to ${p.reboot_timeout} s for it`, repeats: true }],
    ...(ctx.check ? { result: { rebooted: true, elapsed: 0 } } : {}),
  };
}

async function apply(p: RebootParams, _planned: PlanResult<void>, ctx: ModuleContext) {
  const host = ctx.host;
  const started = Date.now();
  const timeCmd = argv(p.boot_time_command, 'boot_time_command');
  const before = await bootId(ctx, timeCmd);
  if (p.pre_reboot_delay > 0) await sleep(p.pre_reboot_delay * 1000);
  const cmd = p.reboot_command !== undefined ? argv(p.reboot_command, 'reboot_command') : ['shutdown', '-r', 'now', p.msg];
  // The connection may go before the command answers: either is fine, the new boot id decides.
  const r = await host.run(cmd, { env: { LC_ALL: 'C' }, timeoutMs: 15_000 }).catch(() => undefined);
  if (r && r.rc !== 0 && r.rc !== 124) throw new TaskFailedError(`${cmd.join(' ')} failed (rc ${r.rc}): ${(r.stdout + r.stderr).trim()}`);
  const deadline = started + p.reboot_timeout * 1000;
  let last = 'the host did not answer';
  for (;;) {
    if (Date.now() > deadline) throw new TaskFailedError(`Timed out waiting for ${host.name} to come back after ${p.reboot_timeout} s (${last})`, { rebooted: false, elapsed: Math.round((Date.now() - started) / 1000) });
    await sleep(1000);
    try {
      await host.reconnect!();
      const now = await bootId(ctx, timeCmd);
      if (now === before) { last = 'it still runs the boot it had'; continue; }
      const t = await host.run(argv(p.test_command, 'test_command'), { timeoutMs: 10_000 });
      if (t.rc !== 0) { last = `test_command failed (rc ${t.rc})`; continue; }
      break;
    } catch (e) {
      last = e instanceof Error ? e.message.split('\n')[0] : String(e);
    }
  }
  if (p.post_reboot_delay > 0) await sleep(p.post_reboot_delay * 1000);
  return { changed: true, result: { rebooted: true, elapsed: Math.round((Date.now() - started) / 1000) } };
}

export const rebootModule: ModuleDefinition<RebootParams, void> = {
  name: 'reboot',
  description:
    'Reboots an SSH host (shutdown -r now, or reboot_command) and waits until it is back: a new boot id, a fresh connection and test_command ' +
    'passing, within reboot_timeout. Reports changed every time it runs; refused on the machine converge runs on and on directory trees. ' +
    'Returns rebooted and elapsed (seconds).',
  verify: false,
  schema: {
    properties: {
      pre_reboot_delay: { type: 'integer', minimum: 0, default: 0, description: 'Seconds to wait before rebooting.' },
      post_reboot_delay: { type: 'integer', minimum: 0, default: 0, description: 'Seconds to wait after the host is back, before the next task.' },
      reboot_timeout: { type: 'integer', minimum: 1, default: 600, description: 'Seconds to wait for the host to come back (reboot and test_command).' },
      test_command: { type: 'string', default: 'whoami', description: 'A command (plain words, run without a shell) that must succeed once the host is back.' },
      msg: { type: 'string', default: 'Reboot initiated by converge', description: 'The message shutdown broadcasts to logged-in users.' },
      reboot_command: { type: 'string', description: 'Another command that reboots (plain words, run without a shell). Default: shutdown -r now MSG.' },
      boot_time_command: { type: 'string', default: 'cat /proc/sys/kernel/random/boot_id', description: 'A command whose output changes with every boot.' },
    },
  },
  plan,
  apply,
};
