// What firewalld has, read in one round trip: a fixed shell script asks
// firewall-cmd (daemon running) or firewall-offline-cmd (not running) for the
// zone's --list-all, runtime and permanent, plus the default zone, the zones,
// the known services, and whether each rich rule is present (firewalld
// compares rich rules itself, so the playbook's spelling need not match its
// normalised form).

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

export async function observeFirewall(host: Host, o: ObserveOptions): Promise<FirewallView> {
  const argv = ['sh', '-c', PROBE, 'sh', o.zone ?? '', o.wantDefault ? '1' : '0', String(o.services.length), ...o.services, ...o.richRules];
  const r = await host.run(argv, { env: { LC_ALL: 'C', FORCE_OFFLINE: o.forceOffline ? '1' : '0' } });
  const richRules = o.richRules;
  if (r.rc !== 0) throw new TaskFailedError(`reading the firewalld configuration failed (rc ${r.rc}): ${r.stderr.trim()}`);
  const sections = new Map<string, string[][]>();
  let cur: string[] = [];
  const heads: Array<[string, string]> = [];
  for (const line of r.stdout.split('\n')) {
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
