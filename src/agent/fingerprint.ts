// What the hosts were asked to be: a sha256 over the playbook's files (the
// playbook, included task files, vars files, templates and copied sources),
// the inventory files, the extra variables and the options that select tasks
// (--tags, --skip-tags). --limit is left out: it picks hosts, not what a host
// should be, and the baseline is kept per host anyway. Two runs with the same fingerprint asked for the same state, so
// a change found by the second one is drift; with a new fingerprint it is
// intended.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface FingerprintInput {
  playbookFiles: string[];
  inventoryFiles: string[];
  extraVars: Record<string, unknown>;
  /** --tags, --skip-tags: a different selection of tasks is a different intent. */
  selection: { tags?: string; skipTags?: string };
}

/** JSON with object keys sorted, so that equal values hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function fileDigest(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
}

export function fingerprint(input: FingerprintInput): string {
  const h = createHash('sha256');
  const section = (name: string, files: string[]) => {
    h.update(`${name}\0`);
    for (const f of [...new Set(files.map((x) => path.resolve(x)))].sort()) h.update(`${f}\0${fileDigest(f)}\n`);
  };
  section('playbook', input.playbookFiles);
  section('inventory', input.inventoryFiles);
  h.update(`vars\0${canonicalJson(input.extraVars)}\n`);
  h.update(`selection\0${canonicalJson(input.selection)}\n`);
  return h.digest('hex');
}
