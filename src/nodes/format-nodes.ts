// `converge nodes` for a person: a line per node with where its last boot
// is, in words, and the time of each stage it reached.

import { STAGES, type NodeBoot } from './boot-stages.js';

function clock(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

function block(n: NodeBoot): string[] {
  const who = n.name ?? `unknown ${n.mac}`;
  const head = `${who.padEnd(24)} ${(n.ip ?? '-').padEnd(15)} ${n.state.padEnd(8)} ${n.summary}`;
  const times = STAGES.filter((s) => n.stages[s]).map((s) => `${s} ${clock(n.stages[s]).slice(11)}`);
  const lines = [head];
  if (n.booted_image) lines.push(`    image ${n.booted_image}`);
  if (times.length) lines.push(`    ${clock(n.stages[STAGES.find((s) => n.stages[s])!]).slice(0, 10)}: ${times.join(', ')}`);
  if (n.last_seen) lines.push(`    last seen ${clock(n.last_seen)}`);
  return lines;
}

export function formatNodes(headnode: string, report: { nodes: NodeBoot[]; unknown: NodeBoot[] }, notes: string[]): string {
  const out = [`boot status from ${headnode}`, `${'NODE'.padEnd(24)} ${'IP'.padEnd(15)} ${'STATE'.padEnd(8)} LAST BOOT`];
  for (const n of report.nodes) out.push(...block(n));
  if (report.unknown.length) {
    out.push('', 'MACs on the cluster network that are not in the inventory:');
    for (const n of report.unknown) out.push(...block(n));
  }
  for (const note of notes) out.push(`note: ${note}`);
  return out.join('\n');
}
