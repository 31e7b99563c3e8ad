// What the harness compares between converge and ansible-playbook for one
// run of a playbook: the recap, the file tree the run left in its throwaway
// directory, and the values `debug: var=` printed, in order.

import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

export interface Recap { ok: number; changed: number; failed: number; skipped: number; rescued: number; ignored: number }

export interface Observed {
  /** Per host, as the recap lists them. */
  recap: Record<string, Recap>;
  tree: Record<string, string>;
  /** Per host, in order. */
  debugVars: Record<string, Array<[string, unknown]>>;
}

/** Ansible's ok counts changed tasks too; converge's does not: both are put as Ansible counts. */
export function ansibleRecaps(json: any): Record<string, Recap> {
  return Object.fromEntries(Object.keys(json?.stats ?? {}).sort().map((h) => [h, ansibleRecap(json, h)]));
}

export function convergeRecaps(json: any): Record<string, Recap> {
  return Object.fromEntries(Object.keys(json?.hosts ?? {}).sort().map((h) => [h, convergeRecap(json, h)]));
}

export function ansibleRecap(json: any, host = 'localhost'): Recap {
  const s = json?.stats?.[host] ?? {};
  return { ok: s.ok ?? 0, changed: s.changed ?? 0, failed: s.failures ?? 0, skipped: s.skipped ?? 0, rescued: s.rescued ?? 0, ignored: s.ignored ?? 0 };
}

export function convergeRecap(json: any, host = 'localhost'): Recap {
  const s = json?.hosts?.[host]?.summary ?? {};
  return { ok: (s.ok ?? 0) + (s.changed ?? 0) + (s.ignored ?? 0) - (s.changedIgnored ?? 0), changed: s.changed ?? 0, failed: s.failed ?? 0, skipped: s.skipped ?? 0, rescued: s.rescued ?? 0, ignored: s.ignored ?? 0 };
}

export function ansibleDebugVars(json: any, host = 'localhost'): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const play of json?.plays ?? []) {
    for (const t of play.tasks ?? []) {
      const r = t.hosts?.[host];
      if (!r || r.action !== 'debug' || r.skipped) continue;
      for (const [k, v] of Object.entries(r)) {
        if (['action', 'changed', 'msg', 'failed'].includes(k) || k.startsWith('_ansible')) continue;
        out.push([k, v]);
      }
    }
  }
  return out;
}

export function convergeDebugVars(json: any, host = 'localhost'): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const t of json?.hosts?.[host]?.tasks ?? []) {
    if (t.module !== 'debug' || t.status !== 'ok' || !t.message?.startsWith('{')) continue;
    try {
      const v = JSON.parse(t.message);
      const keys = Object.keys(v);
      if (keys.length === 1 && /\bvar=|var:/.test(t.name + '') || keys.length === 1) out.push([keys[0], v[keys[0]]]);
    } catch { /* a msg that looks like JSON but is not a var */ }
  }
  return out;
}

/** path -> "type mode content" for everything under dir. */
export function fileTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    let names: string[];
    try { names = readdirSync(d).sort(); } catch { return; }
    for (const n of names) {
      const p = path.join(d, n);
      const st = lstatSync(p);
      const rel = path.relative(dir, p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(p)}`;
      else if (st.isDirectory()) { out[rel] = `dir ${mode} ${st.uid}:${st.gid}`; walk(p); }
      else {
        const data = readFileSync(p);
        // Text is compared as text (a readable diff); anything else by its digest.
        const text = data.toString('utf8');
        const shown = !text.includes('\uFFFD') && !text.includes('\u0000') ? JSON.stringify(text) : `sha256:${createHash('sha256').update(data).digest('hex')}`;
        out[rel] = `file ${mode} ${st.uid}:${st.gid} ${shown}`;
      }
    }
  };
  walk(dir);
  return out;
}
