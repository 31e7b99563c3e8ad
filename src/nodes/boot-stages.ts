// From the head node's boot events to each node's last boot: which stages it
// reached and when, which image it booted, and in words where it stopped.
// Pure: the events, the nodes and the served files' sizes in, a report out.

import type { BootEvent } from './boot-events.js';

export const STAGES = ['dhcp_offer', 'dhcp_ack', 'ipxe_binary', 'ipxe_script', 'kernel', 'initrd', 'booted'] as const;
export type Stage = typeof STAGES[number];

export interface NodeSpec {
  name: string;
  mac: string;
  ip: string;
  /** The image the inventory gives the node (compute, failsafe). */
  image: string;
}

export interface HeadnodeFacts {
  /** iPXE binaries served over TFTP (undionly.kpxe, ipxe.efi). */
  ipxeBinaries: string[];
  /** Image kind -> the directory under /images/ the node scripts point at now. */
  imageDirs: Record<string, string>;
  /** "DIR/vmlinuz" -> size in bytes, for every file under the images directory. */
  imageFileSizes: Record<string, number>;
  /** unknown_clients of the inventory: deny (address only) or failsafe. */
  unknownClients: 'deny' | 'failsafe';
  /** Whether tftpd logs its requests (else the TFTP stage cannot be seen). */
  tftpLogged: boolean;
}

export interface NodeBoot {
  name: string | null;
  mac: string;
  ip: string | null;
  known: boolean;
  /** The image the inventory declares (known nodes). */
  image: string | null;
  /** The furthest stage of the last boot, or 'none'. */
  stage: Stage | 'none';
  /** When each stage of the last boot was reached (ISO time), null when it was not. */
  stages: Record<Stage, string | null>;
  /** The image directory it booted (or is booting), and its kind. */
  booted_image: string | null;
  booted_image_kind: string | null;
  /** Its last event of any kind. */
  last_seen: string | null;
  /** boot stalled at a stage (no event for STUCK_AFTER_S), in progress, done, or never seen. */
  state: 'booted' | 'booting' | 'stuck' | 'no_boot';
  /** Where the boot is, in words. */
  summary: string;
}

/** A boot without an event for this long is stuck, not in progress. */
export const STUCK_AFTER_S = 120;

const RANK: Record<Stage, number> = { dhcp_offer: 1, dhcp_ack: 2, ipxe_binary: 3, ipxe_script: 4, kernel: 5, initrd: 6, booted: 7 };

interface Fetch { t: number; dir: string; complete: boolean; bytes: number; size?: number; status: number }

interface Boot {
  reached: Partial<Record<Stage, number>>;
  maxRank: number;
  kernel?: Fetch;
  initrd?: Fetch;
  script?: { t: number; status: number; path: string };
  tftpRefused?: string;
  dhcpClient?: string;
}

function newBoot(): Boot {
  return { reached: {}, maxRank: 0 };
}

function iso(t: number | undefined): string | null {
  return t === undefined ? null : new Date(t).toISOString();
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** What an event means for a node's boot: the stage it shows and whether it is a firmware step. */
function classify(ev: BootEvent, facts: HeadnodeFacts): { stage?: Stage; firmware: boolean; fetch?: 'kernel' | 'initrd'; dir?: string; script?: boolean } {
  if (ev.kind === 'dhcp') {
    const firmware = ev.client === 'pxe' || ev.client === 'ipxe';
    if (ev.client === 'os') return { firmware: false };
    if (ev.message === 'offer') return { stage: 'dhcp_offer', firmware };
    if (ev.message === 'ack') return { stage: 'dhcp_ack', firmware };
    return { firmware };
  }
  if (ev.kind === 'tftp') {
    if (!ev.refused && facts.ipxeBinaries.includes(ev.file)) return { stage: 'ipxe_binary', firmware: true };
    return { firmware: false };
  }
  if (/^\/nodes\/[^/]+\.ipxe$/.test(ev.path)) return { stage: 'ipxe_script', firmware: true, script: true };
  const img = /^\/images\/([^/]+)\/(vmlinuz|initrd\.img)$/.exec(ev.path);
  if (img) return { stage: img[2] === 'vmlinuz' ? 'kernel' : 'initrd', firmware: true, fetch: img[2] === 'vmlinuz' ? 'kernel' : 'initrd', dir: img[1] };
  return { firmware: false };
}

/** Folds one node's events (time order) into its last boot. */
function lastBoot(events: BootEvent[], facts: HeadnodeFacts): Boot {
  let boot = newBoot();
  for (const ev of events) {
    const c = classify(ev, facts);
    if (!c.stage && !(ev.kind === 'dhcp' && c.firmware)) {
      if (ev.kind === 'tftp' && ev.refused) boot.tftpRefused = ev.refused;
      continue;
    }
    const rank = c.stage ? RANK[c.stage] : 1;
    // Firmware going back to an earlier step after the node fetched its
    // script is a new boot (a reboot, or a retry after a failure).
    if (c.firmware && boot.maxRank >= RANK.ipxe_script && rank < boot.maxRank) boot = newBoot();
    // Firmware that asks again before it fetched anything is retrying: its boot starts anew.
    else if (ev.kind === 'dhcp' && c.firmware && ev.message === 'discover' && boot.maxRank <= RANK.dhcp_ack) boot = newBoot();
    if (ev.kind === 'dhcp' && ev.client) boot.dhcpClient = ev.client;
    if (!c.stage) continue;
    if (ev.kind === 'http' && c.script) {
      boot.script = { t: ev.t, status: ev.status, path: ev.path };
      if (ev.status !== 200) continue;
    }
    if (ev.kind === 'http' && c.fetch) {
      const size = facts.imageFileSizes[`${c.dir}/${c.fetch === 'kernel' ? 'vmlinuz' : 'initrd.img'}`];
      const complete = ev.status === 200 && size !== undefined && ev.bytes === size;
      boot[c.fetch] = { t: ev.t, dir: c.dir!, complete, bytes: ev.bytes, size, status: ev.status };
      if (!complete) continue;
    }
    boot.reached[c.stage] ??= ev.t;
    boot.maxRank = Math.max(boot.maxRank, rank);
    if (boot.kernel?.complete && boot.initrd?.complete && boot.kernel.dir === boot.initrd.dir && boot.reached.booted === undefined) {
      boot.reached.booted = Math.max(boot.kernel.t, boot.initrd.t);
      boot.maxRank = RANK.booted;
    }
  }
  return boot;
}

function stoppedAt(b: Boot, node: { known: boolean }, facts: HeadnodeFacts): string {
  const r = b.maxRank;
  if (b.script && b.script.status !== 200 && r < RANK.kernel) return `asked for its iPXE script (${b.script.path}) and got HTTP ${b.script.status}`;
  for (const f of ['initrd', 'kernel'] as const) {
    const x = b[f];
    if (x && !x.complete && r < RANK.booted) {
      return x.status !== 200 ? `asked for the ${f} (images/${x.dir}) and got HTTP ${x.status}`
        : `the ${f} download stopped at ${x.bytes} of ${x.size ?? '?'} bytes`;
    }
  }
  if (r === 0) return 'no boot seen';
  if (r === RANK.dhcp_offer) return 'was offered an address and never took it';
  if (r === RANK.dhcp_ack) {
    if (!node.known && facts.unknownClients === 'deny') return 'got an address; not in the inventory, so it is offered nothing to boot (unknown_clients: deny)';
    if (b.tftpRefused) return `got an address; TFTP refused its request (${b.tftpRefused})`;
    if (b.dhcpClient === 'ipxe') return 'got an address, never fetched its iPXE script';
    return facts.tftpLogged ? 'got an address, never fetched the iPXE binary over TFTP' : 'got an address, never fetched its iPXE script (TFTP requests are not logged on this head node)';
  }
  if (r === RANK.ipxe_binary) return 'fetched the iPXE binary over TFTP, never fetched its iPXE script';
  if (r === RANK.ipxe_script) return 'fetched its iPXE script, never fetched the kernel';
  if (r === RANK.kernel) return 'fetched the kernel, never fetched the initrd';
  return 'fetched the kernel and initrd';
}

/** One node's report, from its own events (any order). */
export function nodeBoot(node: { name: string | null; mac: string; ip: string | null; image: string | null; known: boolean },
  events: BootEvent[], facts: HeadnodeFacts, now: number): NodeBoot {
  const sorted = [...events].sort((a, b) => a.t - b.t);
  const b = lastBoot(sorted, facts);
  const stages = Object.fromEntries(STAGES.map((s) => [s, iso(b.reached[s])])) as Record<Stage, string | null>;
  const stage: Stage | 'none' = b.maxRank === 0 ? 'none' : STAGES[b.maxRank - 1];
  const last = sorted.length ? sorted[sorted.length - 1].t : undefined;
  const fetched = b.initrd ?? b.kernel;
  const dir = fetched?.dir ?? null;
  const kind = dir ? (Object.entries(facts.imageDirs).find(([, d]) => d === dir)?.[0] ?? dir.replace(/-[0-9a-f]{8,}$/, '')) : null;
  let state: NodeBoot['state'];
  let summary: string;
  if (stage === 'booted') {
    state = 'booted';
    summary = `booted the ${kind} image ${ago(now - b.reached.booted!)}`;
    const current = node.image ? facts.imageDirs[node.image] : undefined;
    if (node.known && node.image && kind !== node.image) summary += `; the inventory now gives it the ${node.image} image (reboot it to apply)`;
    else if (current && dir !== current) summary += `; an older build of it (${dir}, current ${current}): reboot it to apply`;
  } else if (last === undefined) {
    state = 'no_boot';
    summary = node.known ? `no boot seen: no DHCP request from ${node.mac} in the head node's logs` : 'no boot seen';
  } else if (b.maxRank === 0 && !b.script && !b.kernel && !b.initrd) {
    // Only an operating system's DHCP (not boot firmware), or nothing that is a boot step.
    state = 'no_boot';
    summary = `no boot seen; it asked for an address as an operating system, not as boot firmware (${ago(now - last)})`;
  } else {
    const words = stoppedAt(b, node, facts);
    const quiet = now - last;
    if (quiet < STUCK_AFTER_S * 1000 && !(stage === 'dhcp_ack' && !node.known && facts.unknownClients === 'deny')) {
      state = 'booting';
      summary = `booting: ${words} (last step ${ago(quiet)})`;
    } else {
      state = 'stuck';
      summary = `${words} (${ago(quiet)})`;
    }
  }
  return {
    name: node.name, mac: node.mac, ip: node.ip, known: node.known, image: node.image,
    stage, stages, booted_image: dir, booted_image_kind: kind, last_seen: iso(last), state, summary,
  };
}

/**
 * Every inventory node, then every MAC the DHCP server saw that is not in
 * the inventory. TFTP and HTTP requests are by address: an inventory node's
 * own address, or the address the server last acknowledged to an unknown MAC.
 */
export function bootReport(nodes: NodeSpec[], events: BootEvent[], facts: HeadnodeFacts, now: number): { nodes: NodeBoot[]; unknown: NodeBoot[] } {
  const sorted = [...events].sort((a, b) => a.t - b.t);
  const byMac = new Map<string, BootEvent[]>();
  const known = new Map(nodes.map((n) => [n.mac.toLowerCase(), n]));
  const knownIp = new Map(nodes.map((n) => [n.ip, n.mac.toLowerCase()]));
  const leased = new Map<string, string>();
  const lastIp = new Map<string, string>();
  const push = (mac: string, ev: BootEvent) => { let l = byMac.get(mac); if (!l) byMac.set(mac, l = []); l.push(ev); };
  for (const ev of sorted) {
    if (ev.kind === 'dhcp') {
      push(ev.mac, ev);
      if (ev.message === 'ack' && ev.ip) { leased.set(ev.ip, ev.mac); lastIp.set(ev.mac, ev.ip); }
      continue;
    }
    const mac = knownIp.get(ev.ip) ?? leased.get(ev.ip);
    if (mac) push(mac, ev);
  }
  const report = nodes.map((n) => nodeBoot({ name: n.name, mac: n.mac.toLowerCase(), ip: n.ip, image: n.image, known: true }, byMac.get(n.mac.toLowerCase()) ?? [], facts, now));
  const unknown = [...byMac.keys()].filter((m) => !known.has(m)).sort()
    .map((mac) => nodeBoot({ name: null, mac, ip: lastIp.get(mac) ?? null, image: null, known: false }, byMac.get(mac)!, facts, now));
  return { nodes: report, unknown };
}
