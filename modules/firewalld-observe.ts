// What firewalld has, read in one round trip: a fixed shell script asks
// firewall-cmd (daemon running) or firewall-offline-cmd (not running) for the
// zone's --list-all, runtime and permanent, plus the default zone, the zones,
// the known services, and whether each rich rule is present (firewalld
// compares rich rules itself, so the playbook's spelling need not match its
// normalised form).

import { randomBytes } from 'node:crypto';
import type { Host } from '../src/host/host.js';
import { TaskFailedError } from '../src/engine/module.js';

export interface ZoneView {
  exists: boolean;
  target?: string;
  services: string[];
  ports: string[];
  sources: string[];
  interfaces: string[];
  icmpBlocks: string[];
  masquerade: boolean;
  /** Rich rule (as given in the task) -> present. */
  rich: Map<string, boolean>;
}

export interface FirewallView {
  /** Whether firewall-cmd could reach a running daemon. */
  running: boolean;
  /** firewall-offline-cmd is not installed either. */
  missing: boolean;
  /** The zone asked about (the default zone when none was named). */
  zone: string;
  /** Only when asked for. */
  defaultZone?: string;
  /** The asked-about services that firewalld knows. */
  knownServices: string[];
  runtime?: ZoneView;
  permanent: ZoneView;
}

// $1 zone ('' = the default zone), $2 "1" when the default zone's name is
// needed, $3 the number of service names that follow, then those names, then
// rich rules. Fixed text. Each firewall-cmd is a Python start (~0.4 s), so
// the script asks only what the task needs: --list-all without --zone shows
// the default zone, a zone that does not exist makes --list-all fail, and a
// service is known when its definition file exists.
const PROBE = String.raw`
z=$1; want_default=$2; n=$3; shift 3
zone_arg=; [ -n "$z" ] && zone_arg="--zone=$z"
mode=offline
# firewalld talks over the system bus: no bus socket, no running daemon (and
# no Python start to ask). Asked through the daemon, the permanent list-all
# also tells whether it runs: firewall-cmd exits 252 (NOT_RUNNING) if not.
if [ "$FORCE_OFFLINE" != 1 ] && [ -S /run/dbus/system_bus_socket ] && command -v firewall-cmd >/dev/null 2>&1; then
  out=$(firewall-cmd --permanent $zone_arg --list-all 2>&1); rc=$?
  [ "$rc" -ne 252 ] && mode=running
fi
if [ "$mode" = running ]; then
  echo '@@running'; C=firewall-cmd; P=--permanent
elif command -v firewall-offline-cmd >/dev/null 2>&1; then
  echo '@@offline'; C=firewall-offline-cmd; P=
  out=$($C $zone_arg --list-all 2>&1); rc=$?
else
  echo '@@missing'; exit 0
fi
echo '@@permanent'; printf '%s\n' "$out"; [ "$rc" -eq 0 ] || echo '@@nozone'
if [ "$want_default" = 1 ]; then echo "@@default $($C --get-default-zone)"; fi
echo '@@known'
while [ "$n" -gt 0 ]; do
  if [ -e "/etc/firewalld/services/$1.xml" ] || [ -e "/usr/lib/firewalld/services/$1.xml" ]; then echo "$1"; fi
  shift; n=$((n-1))
done
for r in "$@"; do echo '@@rich-permanent'; $C $P $zone_arg --query-rich-rule="$r" >/dev/null 2>&1 && echo yes || echo no; done
if [ "$mode" = running ]; then
  echo '@@runtime'; $C $zone_arg --list-all 2>&1 || echo '@@nozone'
  for r in "$@"; do echo '@@rich-runtime'; $C $zone_arg --query-rich-rule="$r" >/dev/null 2>&1 && echo yes || echo no; done
fi
`;

// The same through firewalld's D-Bus API with busctl (a C program: milliseconds where each
// firewall-cmd is a Python start). Same arguments as PROBE. Exits 7 when the daemon is not on the
// bus or busctl cannot ask it (no busctl, one without --json): PROBE then decides what runs.
// Zone settings come as JSON (getZoneSettings2); rich rules are still compared by firewalld.
// What it reads does not depend on the task beyond the zone and rich rules, so the tasks on a zone
// share one read while nothing changes on the host (Host.remember).
/** For the shell's own ${...} expansions inside the String.raw text below. */
const D = '$';
const DBUS_PROBE = String.raw`
z=$1; want_default=$2; n=$3; shift 3
[ -S /run/dbus/system_bus_socket ] && command -v busctl >/dev/null 2>&1 || exit 7
F=org.fedoraproject.FirewallD1; R=/org/fedoraproject/FirewallD1
call() { busctl --json=short call "$F" "$@"; }
d=$(call $R $F getDefaultZone 2>/dev/null) || exit 7
echo "@@default $d"
# A reply is {"type":"s","data":["public"]}: s= the string in "data" (no process started for it).
str() { s=; case $1 in *'"data":["'*'"]'*) s=${D}{1#*'"data":["'}; s=${D}{s%%'"]'*} ;; esac; }
if [ -z "$z" ]; then str "$d"; z=$s; fi
echo "@@zone $z"
# A zone that does not exist is INVALID_ZONE; any other failure (an older firewalld without
# getZoneSettings2 ...) leaves the question to PROBE.
zone_call() {
  if out=$(call "$@" 2>&1); then printf '%s\n' "$out"; return 0; fi
  case $out in *INVALID_ZONE*) echo '@@nozone'; return 1 ;; *) exit 7 ;; esac
}
echo '@@runtime'; zone_call $R $F.zone getZoneSettings2 s "$z"
echo '@@permanent'
p=$(zone_call $R/config $F.config getZoneByName s "$z")
case $? in
  0) str "$p"; p=$s; zone_call "$p" $F.config.zone getSettings2 || exit 7 ;;
  1) echo '@@nozone'; p= ;;
  *) exit 7 ;;
esac
# Every service firewalld knows (not only the task's): one read serves every task on the zone.
shift "$n"
echo '@@known'
for f in /usr/lib/firewalld/services/*.xml /etc/firewalld/services/*.xml; do
  [ -e "$f" ] || continue; f=${D}{f##*/}; printf '%s\n' "${D}{f%.xml}"
done
for r in "$@"; do
  echo '@@rich-runtime'; call $R $F.zone queryRichRule ss "$z" "$r" 2>/dev/null | grep -q true && echo yes || echo no
  echo '@@rich-permanent'; [ -n "$p" ] && call "$p" $F.config.zone queryRichRule s "$r" 2>/dev/null | grep -q true && echo yes || echo no
done
`;

interface DbusValue { type: string; data: unknown }

/** getZoneSettings2's a{sv}, as busctl --json=short prints a reply: {"type":"a{sv}","data":[{...}]}. */
function parseSettings2(text: string, richRules: string[], answers: string[]): ZoneView {
  const v: ZoneView = { exists: text.trim() !== '@@nozone', services: [], ports: [], sources: [], interfaces: [], icmpBlocks: [], masquerade: false, rich: new Map() };
  if (v.exists) {
    const reply = JSON.parse(text) as { data: Array<Record<string, DbusValue>> };
    const d = reply.data[0] ?? {};
    const strs = (k: string) => (Array.isArray(d[k]?.data) ? (d[k].data as unknown[]).map(String) : []);
    v.target = d.target ? String(d.target.data) : undefined;
    v.services = strs('services');
    v.ports = Array.isArray(d.ports?.data) ? (d.ports.data as Array<[string, string]>).map(([port, proto]) => `${port}/${proto}`) : [];
    v.sources = strs('sources');
    v.interfaces = strs('interfaces');
    v.icmpBlocks = strs('icmp_blocks');
    v.masquerade = d.masquerade?.data === true;
  }
  richRules.forEach((r, i) => v.rich.set(r, answers[i] === 'yes'));
  return v;
}

function parseListAll(lines: string[], richRules: string[], answers: string[]): ZoneView {
  const v: ZoneView = { exists: !lines.includes('@@nozone'), services: [], ports: [], sources: [], interfaces: [], icmpBlocks: [], masquerade: false, rich: new Map() };
  for (const line of lines) {
    const m = /^\s+([a-z -]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const words = m[2].trim() ? m[2].trim().split(/\s+/) : [];
    switch (m[1]) {
      case 'target': v.target = m[2].trim(); break;
      case 'services': v.services = words; break;
      case 'ports': v.ports = words; break;
      case 'sources': v.sources = words; break;
      case 'interfaces': v.interfaces = words; break;
      case 'icmp-blocks': v.icmpBlocks = words; break;
      case 'masquerade': v.masquerade = m[2].trim() === 'yes'; break;
    }
  }
  richRules.forEach((r, i) => v.rich.set(r, answers[i] === 'yes'));
  return v;
}

export interface ObserveOptions {
  zone?: string;
  wantDefault: boolean;
  services: string[];
  richRules: string[];
  /** A chroot host sees the build machine's running firewalld: never ask it. */
  forceOffline: boolean;
}

/** Splits a probe's output into its @@ sections (a section may repeat). */
function sectionsOf(stdout: string): { sections: Map<string, string[][]>; heads: Array<[string, string]> } {
  const sections = new Map<string, string[][]>();
  let cur: string[] = [];
  const heads: Array<[string, string]> = [];
  for (const line of stdout.split('\n')) {
    const m = /^@@([a-z-]+)(?: (.*))?$/.exec(line);
    if (m && m[1] !== 'nozone') {
      cur = [];
      const list = sections.get(m[1]) ?? [];
      list.push(cur);
      sections.set(m[1], list);
      heads.push([m[1], m[2] ?? '']);
    } else {
      cur.push(line);
    }
  }
  return { sections, heads };
}

/** The running daemon's view through D-Bus, or undefined when that cannot be asked (PROBE decides then). */
async function observeByDbus(host: Host, o: ObserveOptions): Promise<FirewallView | undefined> {
  if (o.forceOffline) return undefined;
  const read = () => readByDbus(host, o.zone, o.richRules, o.wantDefault);
  const key = dbusKey(o.zone, o.richRules);
  let all = await (host.remember ? host.remember(key, read) : read());
  // Read ahead without the default zone (no task of the play names one): asked now.
  if (all && o.wantDefault && all.defaultZone === undefined) all = await readByDbus(host, o.zone, o.richRules, true);
  if (!all) return undefined;
  return {
    ...all,
    defaultZone: o.wantDefault ? all.defaultZone : undefined,
    knownServices: all.knownServices.filter((s) => o.services.includes(s)),
  };
}

const dbusKey = (zone: string | undefined, richRules: string[]) => `firewalld-dbus\0${zone ?? ''}\0${richRules.join('\0')}`;

// Several zones through D-Bus in one request, as DBUS_PROBE would read each (same output after a
// line "BOUNDARY RC" per zone, in the order given), but every question at once: the default zone
// once for all, and each zone's runtime and permanent settings side by side. Each busctl is a
// process start (20-30 ms here), and most of a question is that start. $1 the boundary, $2 "1" when
// the default zone is wanted, then the zones.
export const DBUS_ZONES_PROBE = String.raw`
b=$1; want_default=$2; shift 2
[ -S /run/dbus/system_bus_socket ] && command -v busctl >/dev/null 2>&1 || exit 7
F=org.fedoraproject.FirewallD1; R=/org/fedoraproject/FirewallD1
call() { busctl --json=short call "$F" "$@"; }
str() { s=; case $1 in *'"data":["'*'"]'*) s=${D}{1#*'"data":["'}; s=${D}{s%%'"]'*} ;; esac; }
# $1 the file for the reply, or @@nozone when the zone does not exist; fails on anything else.
ask() {
  f=$1; shift
  if out=$(call "$@" 2>&1); then printf '%s\n' "$out" > "$f"; return 0; fi
  case $out in *INVALID_ZONE*) echo '@@nozone' > "$f"; return 0 ;; esac
  return 7
}
t=$(mktemp -d) || exit 1
trap 'rm -rf -- "$t"' EXIT
[ "$want_default" = 1 ] && { ask "$t/default" $R $F getDefaultZone; echo $? > "$t/default.rc"; } &
i=0
for z do
  i=$((i + 1))
  { ask "$t/$i.runtime" $R $F.zone getZoneSettings2 s "$z"; echo $? > "$t/$i.runtime.rc"; } &
  {
    rc=7
    if ask "$t/$i.path" $R/config $F.config getZoneByName s "$z"; then
      read -r p < "$t/$i.path"
      if [ "$p" = @@nozone ]; then echo '@@nozone' > "$t/$i.permanent"; rc=0
      else str "$p"; ask "$t/$i.permanent" "$s" $F.config.zone getSettings2; rc=$?; fi
    fi
    echo $rc > "$t/$i.permanent.rc"
  } &
done
wait
if [ "$want_default" = 1 ]; then
  read -r rc < "$t/default.rc"; [ "$rc" = 0 ] || exit 7
  read -r d < "$t/default"; d="@@default $d
"
else d=; fi
i=0
for z do
  i=$((i + 1))
  read -r r1 < "$t/$i.runtime.rc"; read -r r2 < "$t/$i.permanent.rc"
  if [ "$r1" != 0 ] || [ "$r2" != 0 ]; then printf '%s 7\n' "$b"; continue; fi
  printf '%s 0\n%s@@zone %s\n@@runtime\n' "$b" "$d" "$z"
  read -r l < "$t/$i.runtime"; printf '%s\n@@permanent\n' "$l"
  read -r l < "$t/$i.permanent"; printf '%s\n@@known\n' "$l"
  for f in /usr/lib/firewalld/services/*.xml /etc/firewalld/services/*.xml; do
    [ -e "$f" ] || continue; f=${D}{f##*/}; printf '%s\n' "${D}{f%.xml}"
  done
done
`;

/**
 * The zones of a play's firewalld tasks (those without rich rules), read through D-Bus in one
 * request, into the host's remembered observations, where observeByDbus finds them.
 */
export async function observeZonesAhead(host: Host, tasks: Array<Record<string, unknown>>): Promise<void> {
  if (!host.remember || host.kind === 'chroot') return;
  // A task without a zone is on the default zone, which DBUS_PROBE finds out first: read by that task.
  const zones = [...new Set(tasks.filter((t) => t.rich_rule === undefined && typeof t.zone === 'string' && t.zone !== '')
    .map((t) => t.zone as string))];
  if (!zones.length) return;
  const views = await readZonesByDbus(host, zones, tasks.some((t) => t.default_zone !== undefined));
  for (const [zone, view] of views ?? []) await host.remember(dbusKey(zone, []), async () => view);
}

/** DBUS_ZONES_PROBE's header for a single zone. */
const ONE_ZONE = '@@one';

/** Named zones through DBUS_ZONES_PROBE: each zone's view, when the probe could ask the daemon. */
async function readZonesByDbus(host: Host, zones: string[], wantDefault: boolean): Promise<Map<string, FirewallView> | undefined> {
  // Names as firewalld makes them; any other name is PROBE's to report (its lines would be the probe's output's).
  if (zones.some((z) => !/^[A-Za-z0-9_-]+$/.test(z))) return undefined;
  // One zone's answer is the whole output (nothing to split: a fixed header, the same command each time).
  const boundary = zones.length === 1 ? ONE_ZONE : randomBytes(16).toString('hex');
  const r = await host.run(['sh', '-c', DBUS_ZONES_PROBE, 'sh', boundary, wantDefault ? '1' : '0', ...zones], { env: { LC_ALL: 'C' }, observeOnly: true });
  if (r.rc !== 0) return undefined;
  const parts = zones.length === 1
    ? (r.stdout.startsWith(`${ONE_ZONE} `) ? [r.stdout.slice(ONE_ZONE.length + 1)] : [])
    : r.stdout.split(new RegExp(`^${boundary} `, 'm')).slice(1);
  if (parts.length !== zones.length) return undefined;
  const views = new Map<string, FirewallView>();
  for (const [i, zone] of zones.entries()) {
    const nl = parts[i].indexOf('\n');
    if (parts[i].slice(0, nl) !== '0') continue;
    const view = parseDbusProbe(parts[i].slice(nl + 1), []);
    if (view) views.set(zone, view);
  }
  return views;
}

/** The zone through D-Bus, with the default zone and every known service. */
async function readByDbus(host: Host, zone: string | undefined, richRules: string[], wantDefault: boolean): Promise<FirewallView | undefined> {
  if (zone && !richRules.length) return (await readZonesByDbus(host, [zone], wantDefault))?.get(zone);
  const argv = ['sh', '-c', DBUS_PROBE, 'sh', zone ?? '', '1', '0', ...richRules];
  const r = await host.run(argv, { env: { LC_ALL: 'C' }, observeOnly: true });
  if (r.rc !== 0) return undefined;
  return parseDbusProbe(r.stdout, richRules);
}

function parseDbusProbe(stdout: string, richRules: string[]): FirewallView | undefined {
  const { sections, heads } = sectionsOf(stdout);
  const head = (k: string) => heads.find(([h]) => h === k)?.[1] ?? '';
  const text = (k: string) => (sections.get(k)?.[0] ?? []).join('\n');
  const answers = (k: string) => (sections.get(k) ?? []).map((s) => s.join('').trim());
  try {
    const defaultZone = heads.some(([h]) => h === 'default') ? String((JSON.parse(head('default')) as DbusValue & { data: unknown[] }).data[0]) : undefined;
    return {
      running: true, missing: false,
      zone: head('zone'),
      defaultZone,
      knownServices: (sections.get('known')?.[0] ?? []).join(' ').trim().split(/\s+/).filter(Boolean),
      permanent: parseSettings2(text('permanent'), richRules, answers('rich-permanent')),
      runtime: parseSettings2(text('runtime'), richRules, answers('rich-runtime')),
    };
  } catch {
    // Not what this probe expects (another busctl or firewalld): ask firewall-cmd instead.
    return undefined;
  }
}

export async function observeFirewall(host: Host, o: ObserveOptions): Promise<FirewallView> {
  const fast = await observeByDbus(host, o);
  if (fast) return fast;
  const argv = ['sh', '-c', PROBE, 'sh', o.zone ?? '', o.wantDefault ? '1' : '0', String(o.services.length), ...o.services, ...o.richRules];
  const r = await host.run(argv, { env: { LC_ALL: 'C', FORCE_OFFLINE: o.forceOffline ? '1' : '0' }, observeOnly: true });
  const richRules = o.richRules;
  if (r.rc !== 0) throw new TaskFailedError(`reading the firewalld configuration failed (rc ${r.rc}): ${r.stderr.trim()}`);
  const { sections, heads } = sectionsOf(r.stdout);
  const head = (k: string) => heads.find(([h]) => h === k)?.[1] ?? '';
  const words = (k: string) => (sections.get(k)?.[0] ?? []).join(' ').trim().split(/\s+/).filter(Boolean);
  const answers = (k: string) => (sections.get(k) ?? []).map((s) => s.join('').trim());
  if (sections.has('missing')) {
    return { running: false, missing: true, zone: o.zone ?? '', knownServices: [], permanent: parseListAll([], [], []) };
  }
  const running = sections.has('running');
  const permanentLines = sections.get('permanent')?.[0] ?? [];
  // --list-all starts with the zone's name: "public (active)" / "public (default)".
  const listed = /^(\S+)/.exec(permanentLines.find((l) => /^\S/.test(l) && !l.startsWith('Error')) ?? '')?.[1];
  return {
    running, missing: false,
    zone: o.zone ?? listed ?? '',
    defaultZone: heads.some(([h]) => h === 'default') ? head('default') : undefined,
    knownServices: words('known'),
    permanent: parseListAll(permanentLines, richRules, answers('rich-permanent')),
    runtime: running ? parseListAll(sections.get('runtime')?.[0] ?? [], richRules, answers('rich-runtime')) : undefined,
  };
}
