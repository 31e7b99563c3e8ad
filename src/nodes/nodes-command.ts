// `converge nodes`: per compute node of the inventory (and per MAC on the
// cluster network that is not in it), how far its last boot got and when,
// read from the head node over the connection a run uses.

import * as path from 'node:path';
import { ConfigError, UsageError } from '../config/errors.js';
import { loadInventory } from '../inventory/load-inventory.js';
import type { Inventory } from '../inventory/inventory.js';
import { connectHost } from '../host/connect.js';
import { HostUnreachableError, type Host } from '../host/host.js';
import { hasTemplate, renderValue } from '../template/render.js';
import { EXIT } from '../cli/exit-codes.js';
// Log lines come from the head node: data whose control characters must not reach the terminal.
import { printable, safeJson } from '../output/printable.js';
import { checkMetricsDir } from '../metrics/textfile.js';
import { bootReport, type NodeSpec } from './boot-stages.js';
import { formatNodes } from './format-nodes.js';
import { writeNodeMetrics } from './nodes-metrics.js';
import { BootSourcesError, DEFAULT_SOURCES, readHeadnode } from './read-headnode.js';

export interface NodesOptions {
  inventory?: string;
  json?: boolean;
  watch?: string | boolean;
  metricsDir?: string;
  sources?: string;
  knownHostsFile?: string;
  acceptNewHostKeys?: boolean;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * The variables of a host this command uses, templated against its inventory
 * variables and groups as a run would. Only these: others may refer to the
 * playbook's variables, which this command does not load.
 */
function hostVars(inv: Inventory, name: string, wanted: (k: string) => boolean): Record<string, unknown> {
  const raw = inv.varsOf(name);
  const ctx = { ...raw, inventory_hostname: name, inventory_hostname_short: name.split('.')[0], groups: inv.groupMap(),
    inventory_dir: inv.files[0] ? path.dirname(inv.files[0]) : process.cwd() };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!wanted(k)) continue;
    try {
      out[k] = typeof v === 'string' && hasTemplate(v) ? renderValue(v, ctx, `${name}: ${k}`) : v;
    } catch (e) {
      throw new ConfigError(`host ${name}: ${k}: ${(e as Error).message}`, inv.varPos(name, k));
    }
  }
  return out;
}

export function computeNodes(inv: Inventory): NodeSpec[] {
  const names = inv.groupMap().compute ?? [];
  return names.map((name) => {
    const v = hostVars(inv, name, (k) => k === 'mac' || k === 'ip' || k === 'image');
    const mac = String(v.mac ?? '');
    const ip = String(v.ip ?? '');
    if (!MAC.test(mac)) throw new ConfigError(`compute node ${name}: mac '${mac}' is not a MAC address (fc:ab:14:e8:66:01)`, inv.varPos(name, 'mac'));
    if (!IPV4.test(ip)) throw new ConfigError(`compute node ${name}: ip '${ip}' is not an IPv4 address`, inv.varPos(name, 'ip'));
    return { name, mac: mac.toLowerCase(), ip, image: String(v.image ?? 'compute') };
  });
}

function headnodeOf(inv: Inventory): string {
  const hosts = inv.groupMap().headnode ?? [];
  if (!hosts.length) throw new UsageError(`the inventory (${inv.files.join(', ') || 'implicit localhost'}) has no host in group 'headnode'`);
  return hosts[0];
}

function connectHeadnode(inv: Inventory, name: string, o: NodesOptions): Host {
  const vars = hostVars(inv, name, (k) => k.startsWith('ansible_'));
  const conn: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) if (k.startsWith('ansible_')) conn[k] = v;
  // The head node play runs with become: the journal needs it too, unless the inventory says otherwise.
  conn.ansible_become ??= true;
  return connectHost(name, conn, { knownHostsFile: o.knownHostsFile, acceptNewHostKeys: o.acceptNewHostKeys });
}

function watchSeconds(w: string | boolean | undefined): number | undefined {
  if (w === undefined || w === false) return undefined;
  if (w === true) return 5;
  const n = Number(w);
  if (!Number.isFinite(n) || n < 1) throw new UsageError(`--watch takes a number of seconds (1 or more), got '${w}'`);
  return n;
}

export async function nodesCommand(o: NodesOptions): Promise<number> {
  const every = watchSeconds(o.watch);
  const metricsDir = o.metricsDir === undefined ? undefined : checkMetricsDir(o.metricsDir);
  const inv = loadInventory(o.inventory);
  const head = headnodeOf(inv);
  const nodes = computeNodes(inv);
  const host = connectHeadnode(inv, head, o);
  let stop = false;
  let wake: (() => void) | undefined;
  const onSignal = () => { stop = true; wake?.(); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (;;) {
      const data = await readHeadnode(host, o.sources ?? DEFAULT_SOURCES);
      const now = Date.now();
      const report = bootReport(nodes, data.events, data.facts, now);
      if (metricsDir) writeNodeMetrics(metricsDir, report, now);
      if (o.json) {
        const doc = { headnode: head, time: new Date(now).toISOString(), nodes: report.nodes, unknown: report.unknown, notes: data.notes };
        process.stdout.write(safeJson(doc, every ? undefined : 2) + '\n');
      } else {
        const text = formatNodes(head, report, data.notes);
        process.stdout.write((every && process.stdout.isTTY ? '\x1b[H\x1b[2J' : '') + printable(text) + '\n');
      }
      if (!every || stop) return EXIT.ok;
      await new Promise<void>((r) => { const t = setTimeout(r, every * 1000); wake = () => { clearTimeout(t); r(); }; });
      if (stop) return EXIT.ok;
    }
  } catch (e) {
    if (e instanceof HostUnreachableError) {
      process.stderr.write(printable(`error: head node ${head} unreachable: ${e.message}`) + '\n');
      return EXIT.unreachable;
    }
    if (e instanceof BootSourcesError) {
      process.stderr.write(printable(`error: ${e.message}`) + '\n');
      return EXIT.failed;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await host.close().catch(() => {});
  }
}
