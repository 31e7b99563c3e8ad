// firewalld, with the parameters of ansible.posix.firewalld: services, ports,
// sources, interfaces, rich rules, masquerade and ICMP blocks of a zone
// (state enabled/disabled), a zone itself (state present/absent) and the
// default zone. One round trip observes the zone (firewalld-observe.ts).
//
// When the daemon runs, runtime and permanent configuration change together
// (permanent: false = runtime only, immediate: false = permanent only), so a
// rule works now and after a reload or reboot — unlike Ansible, whose
// permanent defaults to false. When it does not run (image builds, chroot
// hosts) firewall-offline-cmd edits the permanent configuration.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { observeFirewall, observeZonesAhead, type FirewallView, type ZoneView } from './firewalld-observe.js';

type StrList = string | string[];

interface FirewalldParams {
  zone?: string;
  service?: StrList;
  port?: StrList;
  source?: StrList;
  interface?: StrList;
  rich_rule?: StrList;
  icmp_block?: StrList;
  masquerade?: boolean;
  state?: 'enabled' | 'disabled' | 'present' | 'absent';
  permanent: boolean;
  immediate: boolean;
  offline?: boolean;
  default_zone?: string;
}

const list = (description: string, pattern?: string) => ({
  anyOf: [{ type: 'string', ...(pattern ? { pattern } : {}) }, { type: 'array', items: { type: 'string', ...(pattern ? { pattern } : {}) } }],
  description,
});

const NAME = '^[A-Za-z0-9_+.:/-]+$';

const schema = {
  properties: {
    zone: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', description: 'The zone (default: firewalld\'s default zone). With state present/absent and no other item: the zone itself.' },
    service: list('firewalld service name(s): http, tftp, dhcp, nfs ...', NAME),
    port: list("Port(s) or ranges with protocol: '8080/tcp', '60000-60100/udp'.", '^[0-9]+(-[0-9]+)?/(tcp|udp|sctp|dccp)$'),
    source: list('Source address(es) or network(s) bound to the zone.', NAME),
    interface: list('Interface(s) bound to the zone (moved from another zone if needed).', '^[A-Za-z0-9_.:@-]+$'),
    rich_rule: list("Rich rule(s), e.g. 'rule family=ipv4 source address=10.0.0.0/8 accept'. Compared by firewalld itself."),
    icmp_block: list('ICMP type(s) to block.', NAME),
    masquerade: { type: 'boolean', description: 'true: masquerading on in the zone (with state enabled), false or state disabled: off.' },
    state: { type: 'string', enum: ['enabled', 'disabled', 'present', 'absent'], description: 'enabled/disabled for the items; present/absent for the zone itself.' },
    permanent: { type: 'boolean', default: true, description: 'Change the permanent configuration (survives reloads and reboots).' },
    immediate: { type: 'boolean', default: true, description: 'Change the running configuration too when the daemon runs.' },
    offline: { type: 'boolean', description: 'Accepted for Ansible compatibility: without a running daemon converge always uses firewall-offline-cmd; offline: false then fails instead.' },
    default_zone: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', description: 'Make this zone the default zone.' },
  },
  anyOf: [{ required: ['state'] }, { required: ['default_zone'] }],
};

type Kind = 'service' | 'port' | 'source' | 'interface' | 'rich_rule' | 'icmp_block' | 'masquerade';

interface Item { kind: Kind; value: string }

function listOf(v: StrList | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function itemsOf(p: FirewalldParams): Item[] {
  const items: Item[] = [];
  for (const k of ['service', 'port', 'source', 'interface', 'rich_rule', 'icmp_block'] as const) {
    for (const v of listOf(p[k])) items.push({ kind: k, value: k === 'port' ? v.toLowerCase() : v });
  }
  if (p.masquerade !== undefined) items.push({ kind: 'masquerade', value: 'masquerade' });
  return items;
}

function present(z: ZoneView, it: Item): boolean {
  switch (it.kind) {
    case 'service': return z.services.includes(it.value);
    case 'port': return z.ports.includes(it.value);
    case 'source': return z.sources.includes(it.value);
    case 'interface': return z.interfaces.includes(it.value);
    case 'icmp_block': return z.icmpBlocks.includes(it.value);
    case 'rich_rule': return z.rich.get(it.value) ?? false;
    case 'masquerade': return z.masquerade;
  }
}

/** The option for adding/removing an item (offline removal of services has its own spelling). */
function option(it: Item, add: boolean, offline: boolean): string {
  const v = it.value;
  switch (it.kind) {
    case 'service': return add ? `--add-service=${v}` : offline ? `--remove-service-from-zone=${v}` : `--remove-service=${v}`;
    case 'port': return `--${add ? 'add' : 'remove'}-port=${v}`;
    case 'source': return `--${add ? 'add' : 'remove'}-source=${v}`;
    case 'interface': return add ? `--change-interface=${v}` : `--remove-interface=${v}`;
    case 'icmp_block': return `--${add ? 'add' : 'remove'}-icmp-block=${v}`;
    case 'rich_rule': return `--${add ? 'add' : 'remove'}-rich-rule=${v}`;
    case 'masquerade': return add ? '--add-masquerade' : '--remove-masquerade';
  }
}

interface Command { argv: string[]; reload?: boolean }

interface FirewalldState { commands: Command[] }

/**
 * Joins commands that differ only in the value of the same option
 * (--add-service=a, --add-service=b) into one: firewall-cmd takes repeated
 * options of one kind (not mixed kinds), and every call is a Python start.
 */
export function batchCommands(commands: Command[]): Command[] {
  const out: Command[] = [];
  const byKey = new Map<string, Command>();
  for (const c of commands) {
    const last = c.argv[c.argv.length - 1];
    const eq = last.indexOf('=');
    if (c.reload || eq < 0) { out.push(c); continue; }
    const key = [...c.argv.slice(0, -1), last.slice(0, eq)].join('\0');
    const prev = byKey.get(key);
    if (prev) prev.argv.push(last);
    else {
      const copy = { argv: [...c.argv] };
      byKey.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

function label(it: Item): string {
  return it.kind === 'masquerade' ? 'masquerade' : `${it.kind.replace('_', ' ')} ${it.value}`;
}

/** Parameter combinations, checked before the host is contacted (and again by plan). */
function validate(p: FirewalldParams): void {
  const items = itemsOf(p);
  const zoneState = p.state === 'present' || p.state === 'absent';
  if (zoneState && items.length) throw new TaskFailedError('state present/absent is for a zone itself; use enabled/disabled for services, ports and the other items');
  if (zoneState && !p.zone) throw new TaskFailedError(`state ${p.state} needs zone`);
  if (!zoneState && p.state && items.length === 0) throw new TaskFailedError(`state ${p.state} needs something to ${p.state === 'enabled' ? 'enable' : 'disable'}: service, port, source, interface, rich_rule, icmp_block or masquerade`);
  if (p.state === undefined && items.length) throw new TaskFailedError('state (enabled or disabled) is required with service, port and the other items');
}

async function plan(p: FirewalldParams, ctx: ModuleContext): Promise<PlanResult<FirewalldState>> {
  validate(p);
  const items = itemsOf(p);
  const zoneState = p.state === 'present' || p.state === 'absent';

  const services = items.filter((i) => i.kind === 'service');
  const rich = items.filter((i) => i.kind === 'rich_rule').map((i) => i.value);
  const view = await observeFirewall(ctx.host, {
    zone: p.zone, wantDefault: p.default_zone !== undefined, richRules: rich,
    services: p.state === 'enabled' ? services.map((s) => s.value) : [],
    forceOffline: ctx.host.kind === 'chroot',
  });
  const say = (s: string) => (ctx.check ? `would ${s}` : s);

  if (view.missing) {
    const task = ctx.check ? ctx.ledger.lastOfKind('package') : undefined;
    if (task === undefined) throw new TaskFailedError(`firewalld is not installed on ${ctx.host.name} (neither firewall-cmd with a running daemon nor firewall-offline-cmd)`);
    return { changes: [{ property: 'firewalld', afterTask: task, summary: say(`configure firewalld (after task ${task} installs it)`) }] };
  }
  if (!view.running && p.offline === false) throw new TaskFailedError(`firewalld is not running on ${ctx.host.name} and offline is false`);
  const online = view.running;
  if (!online && !p.permanent) throw new TaskFailedError(`firewalld is not running on ${ctx.host.name}: runtime-only changes (permanent: false) are impossible`);
  const scopes: Array<'permanent' | 'runtime'> = [];
  if (p.permanent) scopes.push('permanent');
  if (online && p.immediate) scopes.push('runtime');
  if (scopes.length === 0) throw new TaskFailedError('permanent: false with immediate: false changes nothing');

  const base = online ? ['firewall-cmd'] : ['firewall-offline-cmd'];
  const changes: Change[] = [];
  const commands: Command[] = [];
  const zone = view.zone;
  const zoneFile = `/etc/firewalld/zones/${zone}.xml`;
  const result: Record<string, unknown> = { zone, running: online };
  if (view.defaultZone !== undefined) result.default_zone = view.defaultZone;

  // Moving the default away from a zone comes before deleting that zone;
  // making a new zone the default comes after creating it.
  const setDefault = p.default_zone !== undefined && p.default_zone !== view.defaultZone;
  if (setDefault && p.state === 'absent') commands.push({ argv: [...base, `--set-default-zone=${p.default_zone}`] });

  if (zoneState) {
    const exists = view.permanent.exists;
    if (p.state === 'present' && !exists) {
      changes.push({ property: `zone:${zone}`, before: 'absent', after: 'present', summary: say(`create zone ${zone}`) });
      commands.push({ argv: [...base, ...(online ? ['--permanent'] : []), `--new-zone=${zone}`], reload: online });
    } else if (p.state === 'absent' && exists) {
      changes.push({ property: `zone:${zone}`, before: 'present', after: 'absent', summary: say(`delete zone ${zone}`) });
      commands.push({ argv: [...base, ...(online ? ['--permanent'] : []), `--delete-zone=${zone}`], reload: online });
    }
  } else if (items.length) {
    if (!view.permanent.exists) {
      const task = ctx.check ? ctx.ledger.findPath(zoneFile) : undefined;
      if (task === undefined) throw new TaskFailedError(`zone ${zone} does not exist on ${ctx.host.name} (create it with state: present)`);
      for (const it of items) changes.push({ property: `${it.kind}:${it.value}`, after: p.state, afterTask: task, summary: say(`${p.state === 'enabled' ? 'enable' : 'disable'} ${label(it)} in zone ${zone} (after task ${task} creates the zone)`) });
      return { changes, result };
    }
    for (const s of services) {
      if (p.state === 'enabled' && !view.knownServices.includes(s.value)) {
        throw new TaskFailedError(`firewalld has no service '${s.value}' (INVALID_SERVICE); see firewall-cmd --get-services`);
      }
    }
    const want = p.state === 'enabled';
    for (const it of items) {
      // masquerade: false with state enabled means "off", as in Ansible.
      const wanted = it.kind === 'masquerade' ? want && p.masquerade === true : want;
      const missing = scopes.filter((s) => present((s === 'runtime' ? view.runtime : view.permanent)!, it) !== wanted);
      if (missing.length === 0) continue;
      changes.push({
        property: `${it.kind}:${it.value}`,
        before: wanted ? 'disabled' : 'enabled', after: wanted ? 'enabled' : 'disabled',
        summary: say(`${wanted ? 'enable' : 'disable'} ${label(it)} in zone ${zone} (${missing.join(' and ')})`),
      });
      for (const s of missing) {
        commands.push({ argv: [...base, ...(online && s === 'permanent' ? ['--permanent'] : []), `--zone=${zone}`, option(it, wanted, !online)] });
      }
    }
  }
  if (setDefault) {
    changes.push({ property: 'default_zone', before: view.defaultZone, after: p.default_zone, summary: say(`make ${p.default_zone} the default zone`) });
    if (p.state !== 'absent') commands.push({ argv: [...base, `--set-default-zone=${p.default_zone}`] });
  }
  if (changes.length === 0) return { changes, result };
  const provides = p.state === 'present' ? [{ kind: 'path' as const, name: zoneFile }] : undefined;
  return { changes, provides, result, state: { commands: batchCommands(commands) } };
}

async function apply(_p: FirewalldParams, planned: PlanResult<FirewalldState>, ctx: ModuleContext) {
  const done: string[] = [];
  for (const c of planned.state!.commands) {
    const r = await ctx.host.run(c.argv, { env: { LC_ALL: 'C' } });
    if (r.rc !== 0) {
      throw new TaskFailedError(`${c.argv.join(' ')} failed (rc ${r.rc}): ${(r.stderr.trim() || r.stdout.trim())}`, { rc: r.rc, stderr: r.stderr, done });
    }
    done.push(c.argv.join(' '));
    // A new or deleted zone reaches the running firewall only through a reload.
    if (c.reload) {
      const rl = await ctx.host.run(['firewall-cmd', '--reload'], { env: { LC_ALL: 'C' } });
      if (rl.rc !== 0) throw new TaskFailedError(`firewall-cmd --reload failed (rc ${rl.rc}): ${rl.stderr.trim()}`);
    }
  }
  return { result: { commands: done } };
}

export const firewalldModule: ModuleDefinition<FirewalldParams, FirewalldState> = {
  name: 'firewalld',
  aliases: ['ansible.posix.firewalld'],
  description: 'Manages firewalld zones (services, ports, sources, interfaces, rich rules, masquerade, ICMP blocks), zone creation and the default zone, with ansible.posix.firewalld\'s parameters. A running daemon gets runtime and permanent changes together; without one, firewall-offline-cmd edits the permanent configuration.',
  schema,
  observeAhead: { params: ['zone', 'rich_rule', 'default_zone'], observe: observeZonesAhead },
  validate,
  plan,
  apply,
};

export type { FirewallView };
