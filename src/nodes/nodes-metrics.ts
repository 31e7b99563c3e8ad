// `converge nodes --metrics-dir`: each node's boot as node_exporter textfile
// metrics (converge_nodes.prom), for dashboards and a "node stuck" alert.

import { writeTextfile, type MetricFamily } from '../metrics/textfile.js';
import { STAGES, type NodeBoot } from './boot-stages.js';

export function nodeFamilies(report: { nodes: NodeBoot[]; unknown: NodeBoot[] }, now: number): MetricFamily[] {
  const all = [...report.nodes, ...report.unknown];
  const id = (n: NodeBoot) => ({ node: n.name ?? '', mac: n.mac });
  const seconds = (iso: string) => Date.parse(iso) / 1000;
  return [
    { name: 'converge_node_boot_stage', type: 'gauge',
      help: `Furthest stage of the node's last boot: 0 none, ${STAGES.map((s, i) => `${i + 1} ${s}`).join(', ')}.`,
      samples: all.map((n) => ({ labels: id(n), value: n.stage === 'none' ? 0 : STAGES.indexOf(n.stage) + 1 })) },
    { name: 'converge_node_boot_stage_timestamp_seconds', type: 'gauge', help: 'When the last boot reached each stage (Unix time).',
      samples: all.flatMap((n) => STAGES.filter((s) => n.stages[s]).map((s) => ({ labels: { ...id(n), stage: s }, value: seconds(n.stages[s]!) }))) },
    { name: 'converge_node_last_seen_timestamp_seconds', type: 'gauge', help: 'Last DHCP, TFTP or HTTP request of the node (Unix time).',
      samples: all.filter((n) => n.last_seen).map((n) => ({ labels: id(n), value: seconds(n.last_seen!) })) },
    { name: 'converge_node_boot_state', type: 'gauge', help: 'The last boot: 1 for its state (booted, booting, stuck, no_boot), 0 for the others.',
      samples: all.flatMap((n) => (['booted', 'booting', 'stuck', 'no_boot'] as const).map((state) => ({ labels: { ...id(n), state }, value: n.state === state ? 1 : 0 }))) },
    { name: 'converge_node_known', type: 'gauge', help: '1 for a node of the inventory, 0 for a MAC the DHCP server saw that is not in it.',
      samples: all.map((n) => ({ labels: id(n), value: n.known ? 1 : 0 })) },
    { name: 'converge_nodes_report_timestamp_seconds', type: 'gauge', help: 'When converge nodes read the head node (Unix time).',
      samples: [{ value: now / 1000 }] },
  ];
}

export function writeNodeMetrics(dir: string, report: { nodes: NodeBoot[]; unknown: NodeBoot[] }, now: number): string {
  return writeTextfile(dir, 'converge_nodes', nodeFamilies(report, now));
}
