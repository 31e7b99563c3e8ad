// service (aliases systemd, systemd_service): a systemd unit's run state,
// enablement and mask. Online (systemd running) one `systemctl show` observes
// every property; offline (a chroot host, a tree given with root:, a host
// without systemd) enabled/masked work through `systemctl --root=DIR` and a
// requested state is ignored with a note, since nothing runs there.
//
// restarted/reloaded act every time the task runs (handlers decide when): a
// running unit gets a restart/reload change marked `repeats`, which the
// engine's verifying re-plan ignores; a stopped one is simply started, which
// does converge.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import type { Host } from '../src/host/host.js';

export interface ServiceParams {
  name?: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  masked?: boolean;
  daemon_reload: boolean;
  root?: string;
  // systemd_service's own parameters (the service module has none of them).
  scope?: 'system' | 'user' | 'global';
  no_block?: boolean;
  force?: boolean;
  daemon_reexec?: boolean;
}

export const serviceSchema = {
  properties: {
    name: { type: 'string', pattern: '^[^-/\\s][^/\\s]*$', description: 'Unit name; ".service" is implied when no unit type is given (nginx = nginx.service).' },
    state: { type: 'string', enum: ['started', 'stopped', 'restarted', 'reloaded'], description: 'started/stopped: the unit runs or not. restarted/reloaded: restart/reload it every time the task runs (start it when stopped); use them in handlers.' },
    enabled: { type: 'boolean', description: 'Start the unit at boot (systemctl enable/disable).' },
    masked: { type: 'boolean', description: 'Mask the unit (it cannot be started at all) or unmask it.' },
    daemon_reload: { type: 'boolean', default: false, description: 'Reload systemd\'s unit files first: when systemd says the unit changed on disk (NeedDaemonReload), or every time when no name is given.' },
    root: { type: 'string', description: 'Operate offline on the unit files of this directory tree (systemctl --root): enabled and masked only. For compute-node images.' },
  },
  anyOf: [{ required: ['name'] }, { required: ['daemon_reload'] }],
};

const UNIT_TYPES = /\.(service|socket|target|timer|mount|automount|path|swap|slice|scope|device)$/;

export function unitName(name: string): string {
  return UNIT_TYPES.test(name) ? name : `${name}.service`;
}

interface Observed {
  found: boolean;
  active?: string;
  sub?: string;
  /** enabled, disabled, static, masked, indirect ... ('' when unknown). */
  fileState: string;
  needReload: boolean;
  canReload: boolean;
  status?: Record<string, string>;
}

const RUNNING = new Set(['active', 'activating', 'reloading']);
/** States that count as "starts at boot" for enabled: true, or cannot be changed at all. */
const ENABLED_LIKE = new Set(['enabled', 'static', 'indirect', 'generated', 'alias', 'transient']);
const DISABLE_NEEDED = new Set(['enabled', 'enabled-runtime', 'linked', 'linked-runtime', 'alias']);
const MASKED = new Set(['masked', 'masked-runtime']);

const SHOWN = 'LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload,CanReload';
/** Where a unit's `systemctl show` (the properties above) is remembered on the host. */
const shownKey = (unit: string) => `systemctl-show:${unit}`;

/**
 * The units of a play's service tasks observed in one command per way of reaching them: one
 * `systemctl show` on a running systemd (one block of properties per unit, in the order asked,
 * separated by a blank line), one `systemctl --root=DIR is-enabled` per tree worked on offline (one
 * line per unit). Remembered on the host where showUnit and offlineUnit find them.
 */
export async function showUnitsAhead(host: Host, tasks: Array<Record<string, unknown>>): Promise<void> {
  if (!host.remember) return;
  const named = tasks.filter((t) => typeof t.name === 'string' && t.scope === undefined
    && (t.root === undefined || (typeof t.root === 'string' && t.root.startsWith('/'))));
  const offline = new Map<string, string[]>();
  const online: string[] = [];
  const facts = await host.facts();
  for (const t of named) {
    const unit = unitName(t.name as string);
    const root = t.root === '/' ? undefined : t.root as string | undefined;
    if (root === undefined && host.kind !== 'chroot' && facts.systemd_running) online.push(unit);
    else offline.set(root ?? '/', [...(offline.get(root ?? '/') ?? []), unit]);
  }
  const units = [...new Set(online)];
  if (units.length >= 2) {
    const r = await host.run(['systemctl', 'show', '--no-pager', '-p', SHOWN, '--', ...units], { env: { LC_ALL: 'C' }, observeOnly: true });
    const blocks = r.stdout.split('\n\n').map((b) => b.trim()).filter((b) => b !== '');
    if (r.rc === 0 && blocks.length === units.length && blocks.every((b) => b.includes('LoadState='))) {
      for (const [i, unit] of units.entries()) await host.remember(shownKey(unit), async () => blocks[i] + '\n');
    }
  }
  for (const [root, all] of offline) {
    const list = [...new Set(all)];
    if (list.length < 2) continue;
    const flags = [`--root=${root}`];
    const r = await host.run(['systemctl', ...flags, 'is-enabled', '--', ...list], { env: OFFLINE_ENV, observeOnly: true });
    // A unit that does not exist prints no line (only an error): then each task asks for itself.
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    if (lines.length !== list.length) continue;
    for (const [i, unit] of list.entries()) {
      await host.remember(enabledKey(flags, unit), async () => ({ rc: 0, stdout: `${lines[i]}\n`, stderr: '' }));
    }
  }
}

const OFFLINE_ENV = { LC_ALL: 'C', SYSTEMD_OFFLINE: '1' };
/** Where a unit's offline `systemctl is-enabled` is remembered on the host. */
const enabledKey = (flags: string[], unit: string) => `systemctl-is-enabled:${flags.join(' ')}:${unit}`;

async function showUnit(host: Host, unit: string, all = false): Promise<Observed> {
  // all: every property, for systemd_service's registered `status` (the same one round trip).
  const props = all ? [] : ['-p', SHOWN];
  const show = async () => {
    const r = await host.run(['systemctl', 'show', unit, '--no-pager', ...props], { env: { LC_ALL: 'C' }, observeOnly: true });
    if (r.rc !== 0) throw new TaskFailedError(`systemctl show ${unit} failed: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const out = !all && host.remember ? await host.remember(shownKey(unit), show) : await show();
  const p: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) p[line.slice(0, i)] = line.slice(i + 1);
  }
  const masked = p.LoadState === 'masked' || MASKED.has(p.UnitFileState);
  return {
    found: p.LoadState !== 'not-found' || masked,
    active: p.ActiveState, sub: p.SubState,
    fileState: masked ? 'masked' : p.UnitFileState ?? '',
    needReload: p.NeedDaemonReload === 'yes', canReload: p.CanReload === 'yes',
    ...(all ? { status: p } : {}),
  };
}

async function offlineUnit(host: Host, unit: string, root: string, flags: string[]): Promise<Observed> {
  const ask = () => host.run(['systemctl', ...flags, 'is-enabled', unit], { env: OFFLINE_ENV, observeOnly: true });
  const r = host.remember ? await host.remember(enabledKey(flags, unit), ask) : await ask();
  if (r.rc === 127) throw new TaskFailedError(`systemctl is not installed on ${host.name}${root !== '/' ? ` (needed for ${root})` : ''}`);
  const state = r.stdout.trim().split('\n')[0] ?? '';
  if (!state) {
    if (/No such file|not found|does not exist/i.test(r.stderr)) return { found: false, fileState: '', needReload: false, canReload: false };
    throw new TaskFailedError(`systemctl ${flags.join(' ')} is-enabled ${unit} failed: ${r.stderr.trim()}`);
  }
  return { found: true, fileState: state, needReload: false, canReload: false };
}

type Action = 'daemon-reload' | 'daemon-reexec' | 'unmask' | 'enable' | 'disable' | 'mask' | 'start' | 'stop' | 'restart' | 'reload';

export interface ServiceState {
  unit?: string;
  online: boolean;
  root: string;
  /** systemctl's options for every command: --root=DIR, --global, --no-block, --force. */
  flags: string[];
  actions: Action[];
}

interface Mode {
  online: boolean;
  root: string;
  /** How systemctl reaches the unit files: --root=DIR offline, --global for every user's units. */
  flags: string[];
  why?: string;
}

async function modeFor(p: ServiceParams, host: Host): Promise<Mode> {
  if (p.scope === 'user') throw new TaskFailedError("scope: user is not supported by converge (it needs that user's own systemd instance); use scope: global to enable a user unit for every user");
  if (p.scope === 'global') {
    if (p.state !== undefined) throw new TaskFailedError('state cannot be used with scope: global (no manager runs the units of every user); use enabled or masked');
    if (p.root !== undefined) throw new TaskFailedError('root and scope: global cannot be combined');
    return { online: false, root: '/', flags: ['--global'], why: 'scope global' };
  }
  if (p.root !== undefined && p.root !== '/') {
    if (!p.root.startsWith('/')) throw new TaskFailedError(`root must be an absolute path, got '${p.root}'`);
    return { online: false, root: p.root, flags: [`--root=${p.root}`], why: `working offline on ${p.root}` };
  }
  const facts = await host.facts();
  if (host.kind === 'chroot') return { online: false, root: '/', flags: ['--root=/'], why: `${host.name} is a directory tree` };
  if (!facts.systemd_running) return { online: false, root: '/', flags: ['--root=/'], why: `systemd is not running on ${host.name}` };
  return { online: true, root: '/', flags: [] };
}

/** In --check: the earlier task that would bring the missing unit (its file or its package). */
function unitLater(ctx: ModuleContext, unit: string): number | undefined {
  if (!ctx.check) return undefined;
  for (const dir of ['/etc/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system']) {
    const t = ctx.ledger.findPath(`${dir}/${unit}`);
    if (t !== undefined) return t;
  }
  return ctx.ledger.find('unit', unit) ?? ctx.ledger.find('unit', unit.replace(/\.service$/, '')) ?? ctx.ledger.lastOfKind('package');
}

/** full: observe every property of the unit, for systemd_service's registered `status`. */
export async function planUnit(p: ServiceParams, ctx: ModuleContext, full = false): Promise<PlanResult<ServiceState>> {
  const mode = await modeFor(p, ctx.host);
  const say = (s: string) => (ctx.check ? `would ${s}` : s);
  if (p.masked === true && p.enabled === true) throw new TaskFailedError('a unit cannot be masked and enabled');
  if (p.masked === true && (p.state === 'started' || p.state === 'restarted' || p.state === 'reloaded')) throw new TaskFailedError(`a masked unit cannot be ${p.state}`);

  const actions: Action[] = [];
  const changes: Change[] = [];
  const notes: string[] = [];

  if (p.name === undefined) {
    // daemon_reload alone: an action every time the task runs.
    if (mode.online) {
      if (p.daemon_reexec) {
        actions.push('daemon-reexec');
        changes.push({ property: 'daemon-reexec', summary: say('re-execute systemd'), repeats: true });
      }
      if (p.daemon_reload) {
        actions.push('daemon-reload');
        changes.push({ property: 'daemon-reload', summary: say('reload systemd\'s unit files'), repeats: true });
      }
    } else notes.push(`${p.daemon_reexec ? 'daemon_reexec' : 'daemon_reload'} ignored: ${mode.why}`);
    return { changes, result: notes.length ? { msg: notes.join('; ') } : {}, state: { online: mode.online, root: mode.root, flags: mode.flags, actions } };
  }

  const unit = unitName(p.name);
  const short = p.name.replace(/\.service$/, '');
  const seen = mode.online ? await showUnit(ctx.host, unit, full) : await offlineUnit(ctx.host, unit, mode.root, mode.flags);
  const result: Record<string, unknown> = { name: unit, state: seen.active, enabled: seen.fileState, substate: seen.sub, ...(seen.status ? { status: seen.status } : {}) };

  if (!seen.found) {
    const task = unitLater(ctx, unit);
    if (task === undefined) throw new TaskFailedError(`unit ${unit} not found on ${ctx.host.name}${mode.root !== '/' ? ` in ${mode.root}` : ''}`, result);
    const after = ` (after task ${task} installs it)`;
    if (p.masked !== undefined) changes.push({ property: 'masked', after: p.masked, afterTask: task, summary: say(`${p.masked ? 'mask' : 'unmask'} ${short}${after}`) });
    if (p.enabled !== undefined) changes.push({ property: 'enabled', after: p.enabled, afterTask: task, summary: say(`${p.enabled ? 'enable' : 'disable'} ${short}${after}`) });
    if (p.state && p.state !== 'stopped' && mode.online) changes.push({ property: 'state', after: 'started', afterTask: task, summary: say(`start ${short}${after}`) });
    return { changes, result };
  }

  if (p.daemon_reexec && mode.online) {
    actions.push('daemon-reexec');
    changes.push({ property: 'daemon-reexec', summary: say('re-execute systemd'), repeats: true });
  }
  if (seen.needReload && mode.online) {
    actions.push('daemon-reload');
    changes.push({ property: 'daemon-reload', before: 'unit file changed on disk', after: 'reloaded', summary: say('reload systemd\'s unit files') });
  }
  const masked = seen.fileState === 'masked';
  if (p.masked === false && masked) {
    actions.push('unmask');
    changes.push({ property: 'masked', before: true, after: false, summary: say(`unmask ${short}`) });
  }
  const fileState = p.masked === false && masked ? 'disabled' : seen.fileState; // what unmask leaves (a guess for units that were enabled before masking)
  if (p.enabled === true && !ENABLED_LIKE.has(fileState)) {
    if (masked && p.masked !== false) throw new TaskFailedError(`${unit} is masked; add masked: false to enable it`);
    actions.push('enable');
    changes.push({ property: 'enabled', before: fileState, after: 'enabled', summary: say(`enable ${short}`) });
  } else if (p.enabled === false && DISABLE_NEEDED.has(fileState)) {
    actions.push('disable');
    changes.push({ property: 'enabled', before: fileState, after: 'disabled', summary: say(`disable ${short}`) });
  }
  if (p.masked === true && !masked) {
    actions.push('mask');
    changes.push({ property: 'masked', before: false, after: true, summary: say(`mask ${short}`) });
  }

  if (p.state !== undefined && !mode.online) {
    notes.push(`state ${p.state} ignored: ${mode.why}`);
  } else if (p.state !== undefined) {
    // A unit waiting to be restarted after a crash is not running, whatever ActiveState says.
    const running = RUNNING.has(seen.active ?? '') && seen.sub !== 'auto-restart';
    if (p.state === 'stopped') {
      if (running) { actions.push('stop'); changes.push({ property: 'state', before: seen.active, after: 'stopped', summary: say(`stop ${short}`) }); }
    } else if (!running) {
      if (masked && p.masked !== false) throw new TaskFailedError(`${unit} is masked and cannot be started; add masked: false`);
      actions.push('start');
      changes.push({ property: 'state', before: seen.active, after: 'started', summary: say(`start ${short}`) });
    } else if (p.state === 'restarted') {
      actions.push('restart');
      changes.push({ property: 'state', before: seen.active, after: 'restarted', summary: say(`restart ${short}`), repeats: true });
    } else if (p.state === 'reloaded') {
      if (!seen.canReload) throw new TaskFailedError(`${unit} cannot reload (it has no ExecReload); use state: restarted`);
      actions.push('reload');
      changes.push({ property: 'state', before: seen.active, after: 'reloaded', summary: say(`reload ${short}`), repeats: true });
    }
  }
  if (notes.length) result.msg = notes.join('; ');
  if (changes.length === 0) return { changes, result };
  return { changes, result, state: { unit, online: mode.online, root: mode.root, flags: mode.flags, actions } };
}

async function journalTail(host: Host, unit: string): Promise<string> {
  const j = await host.run(['journalctl', '-u', unit, '-n', '20', '--no-pager', '-o', 'short-iso'], { env: { LC_ALL: 'C' } });
  return (j.stdout.trim() || j.stderr.trim() || '(journal is empty)');
}

export async function applyUnit(p: ServiceParams, planned: PlanResult<ServiceState>, ctx: ModuleContext) {
  const st = planned.state!;
  const host = ctx.host;
  for (const action of st.actions) {
    const argv = ['systemctl', ...st.flags];
    if (action === 'daemon-reload' || action === 'daemon-reexec') argv.push(action);
    else {
      if (p.no_block && ['start', 'stop', 'restart', 'reload'].includes(action)) argv.push('--no-block');
      if (p.force && ['enable', 'mask'].includes(action)) argv.push('--force');
      argv.push(action, st.unit!);
    }
    const r = await host.run(argv, { env: st.online ? { LC_ALL: 'C' } : { LC_ALL: 'C', SYSTEMD_OFFLINE: '1' } });
    if (r.rc === 0) continue;
    const base = `systemctl ${argv.slice(1).join(' ')} failed (rc ${r.rc}): ${r.stderr.trim()}`;
    if (['start', 'restart', 'reload'].includes(action) && st.online) {
      throw new TaskFailedError(`${base}\nlast journal lines of ${st.unit}:\n${await journalTail(host, st.unit!)}`, { rc: r.rc, stderr: r.stderr });
    }
    throw new TaskFailedError(base, { rc: r.rc, stderr: r.stderr });
  }
  return {};
}

export const serviceModule: ModuleDefinition<ServiceParams, ServiceState> = {
  name: 'service',
  description: 'Starts, stops, restarts or reloads a systemd unit and enables, disables, masks or unmasks it. One systemctl show per unit to observe; offline (chroot hosts, root:) enable/disable/mask work with systemctl --root. A unit that fails to start reports its last journal lines.',
  schema: serviceSchema,
  observeAhead: { params: ['name', 'root', 'scope'], observe: showUnitsAhead },
  plan: (p, ctx) => planUnit(p, ctx),
  apply: applyUnit,
};
