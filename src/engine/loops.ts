// The items of a loop, from `loop:` or one of the `with_*` lookups, as
// Ansible's lookup plugins make them (with_items flattens one level and loops
// once over a string, with_dict gives key/value pairs ...).

import { existsSync, opendirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { LoopKind } from '../config/playbook-model.js';
import { renderDeep, renderValue, TemplateError } from '../template/render.js';

export interface LoopSource {
  kind: LoopKind;
  raw: unknown;
  vars: Record<string, unknown>;
  /** Where relative file names of with_fileglob / with_first_found are looked up, best first. */
  searchDirs: string[];
  what: string;
}

function fail(message: string): never {
  throw new TemplateError(message, 'expression');
}

function render(raw: unknown, vars: Record<string, unknown>, what: string): unknown {
  return typeof raw === 'string' ? renderValue(raw, vars, what) : renderDeep(raw, vars, what);
}

function asList(v: unknown, kind: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) fail(`with_${kind} needs a list, got nothing`);
  return [v];
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** with_sequence: start=1 end=10 stride=1 format=%02d, or count=N, or the short 1-10/2:fmt. */
function sequence(spec: string): string[] {
  const o: Record<string, string> = {};
  const short = /^\s*(?:(\d+)-)?(\d+)(?:\/(\d+))?(?::(.+))?\s*$/.exec(spec);
  if (short && !spec.includes('=')) {
    o.start = short[1] ?? '1'; o.end = short[2]; if (short[3]) o.stride = short[3]; if (short[4]) o.format = short[4];
  } else {
    for (const w of spec.trim().split(/\s+/)) {
      const m = /^(start|end|count|stride|format)=(.*)$/.exec(w);
      if (!m) fail(`with_sequence: unknown argument '${w}' (start, end, count, stride, format)`);
      o[m[1]] = m[2];
    }
  }
  const num = (k: string, d: number) => {
    if (o[k] === undefined) return d;
    const n = /^0x/i.test(o[k]) ? parseInt(o[k], 16) : /^0o?\d/.test(o[k]) && o[k].length > 1 ? parseInt(o[k].replace(/^0o?/, ''), 8) : Number(o[k]);
    if (!Number.isInteger(n)) fail(`with_sequence: ${k} must be a whole number, got '${o[k]}'`);
    return n;
  };
  const start = num('start', 1);
  const stride = num('stride', 1);
  if (o.count !== undefined && o.end !== undefined) fail('with_sequence: give end or count, not both');
  const end = o.count !== undefined ? start + (num('count', 0) - 1) * stride : num('end', NaN);
  if (Number.isNaN(end)) fail('with_sequence needs end= or count=');
  if (o.count !== undefined && num('count', 0) === 0) return [];
  if (stride === 0 || (stride > 0 && end < start) || (stride < 0 && end > start)) fail('with_sequence: the stride does not reach the end');
  const fmt = o.format ?? '%d';
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) out.push(printfInt(fmt, i));
  return out;
}

/** The subset of printf with_sequence formats use: %d %i %x %X %o with flags and width. */
function printfInt(fmt: string, n: number): string {
  let used = false;
  const s = fmt.replace(/%([-0 +]*)(\d*)([dixXo%])/g, (_m, flags: string, width: string, conv: string) => {
    if (conv === '%') return '%';
    used = true;
    let body = conv === 'x' ? Math.abs(n).toString(16) : conv === 'X' ? Math.abs(n).toString(16).toUpperCase() : conv === 'o' ? Math.abs(n).toString(8) : String(Math.abs(n));
    const sign = n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
    const w = Number(width || 0);
    if (flags.includes('-')) return (sign + body).padEnd(w);
    if (flags.includes('0')) body = body.padStart(Math.max(0, w - sign.length), '0');
    return (sign + body).padStart(w);
  });
  if (!used) fail(`with_sequence: format '${fmt}' has no %d`);
  return s;
}

function rawDirOrder(dir: string): string[] {
  const d = opendirSync(dir);
  const names: string[] = [];
  try {
    for (let e = d.readSync(); e; e = d.readSync()) names.push(e.name);
  } finally {
    d.closeSync();
  }
  return names;
}

export function globFiles(pattern: string, dirs: string[]): string[] {
  const candidates = path.isAbsolute(pattern) ? [pattern] : dirs.map((d) => path.join(d, pattern));
  for (const c of candidates) {
    const dir = path.dirname(c);
    if (/[*?[]/.test(dir)) fail(`fileglob: wildcards are supported in the file name only, not in '${dir}'`);
    if (!existsSync(dir)) continue;
    const re = new RegExp('^' + path.basename(c).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]') + '$');
    // In the directory's own order, as Python's glob lists it (readdirSync would sort).
    const found = rawDirOrder(dir).filter((f) => !f.startsWith('.') || path.basename(c).startsWith('.'))
      .filter((f) => re.test(f)).map((f) => path.join(dir, f)).filter((f) => statSync(f).isFile());
    if (found.length) return found;
  }
  return [];
}

export function firstFound(terms: unknown[], dirs: string[]): string[] {
  const files: string[] = [];
  let paths: string[] = [];
  let skip = false;
  for (const t of terms) {
    if (isMapping(t)) {
      const f = t.files;
      const pth = t.paths;
      files.push(...(Array.isArray(f) ? f.map(String) : typeof f === 'string' ? f.split(/[,;]/) : []));
      paths.push(...(Array.isArray(pth) ? pth.map(String) : typeof pth === 'string' ? pth.split(/[,:;]/) : []));
      skip = skip || t.skip === true;
    } else if (Array.isArray(t)) files.push(...t.map(String));
    else files.push(String(t));
  }
  paths = paths.map((p) => (path.isAbsolute(p) ? p : dirs.length ? path.resolve(dirs[0], '..', p) : p));
  for (const f of files) {
    const options = path.isAbsolute(f) ? [f] : paths.length ? paths.map((p) => path.join(p, f)) : dirs.map((d) => path.join(d, f));
    const hit = options.find((o) => existsSync(o));
    if (hit) return [hit];
  }
  if (skip) return [];
  fail(`first_found: none of ${files.join(', ')} was found (looked in ${(paths.length ? paths : dirs).join(', ')})`);
}

/** The list a task loops over. */
export function loopItems(s: LoopSource): unknown[] {
  const { kind, vars, what } = s;
  // with_items and friends take a list of terms, each of which may be a template.
  const v = render(s.raw, vars, what);
  switch (kind) {
    case 'loop':
      if (!Array.isArray(v)) fail(`loop must be a list, got ${v === null ? 'nothing' : typeof v === 'object' ? 'a mapping (use dict2items)' : `'${String(v)}'`}`);
      return v;
    case 'list':
      return asList(v, 'list');
    case 'items':
      return asList(v, 'items').flatMap((x) => (Array.isArray(x) ? x : [x]));
    case 'flattened': {
      const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
      return flat(v);
    }
    case 'indexed_items':
      return asList(v, 'indexed_items').flatMap((x) => (Array.isArray(x) ? x : [x])).map((x, i) => [i, x]);
    case 'dict': {
      const d = Array.isArray(v) && v.length === 1 ? v[0] : v;
      if (!isMapping(d)) fail(`with_dict needs a mapping, got ${Array.isArray(d) ? 'a list' : typeof d}`);
      return Object.entries(d).map(([key, value]) => ({ key, value }));
    }
    case 'together': {
      const lists = asList(v, 'together').map((l) => asList(l, 'together'));
      const n = Math.max(0, ...lists.map((l) => l.length));
      return Array.from({ length: n }, (_x, i) => lists.map((l) => (i < l.length ? l[i] : null)));
    }
    case 'nested': {
      const lists = asList(v, 'nested').map((l) => asList(l, 'nested'));
      return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
    }
    case 'subelements': {
      const terms = asList(v, 'subelements');
      if (terms.length < 2 || typeof terms[1] !== 'string') fail('with_subelements needs [list, "subkey"] (and optionally {skip_missing: true})');
      const list = Array.isArray(terms[0]) ? terms[0] : isMapping(terms[0]) ? Object.values(terms[0]) : fail('with_subelements: the first term must be a list');
      const skipMissing = isMapping(terms[2]) && terms[2].skip_missing === true;
      const keys = String(terms[1]).split('.');
      const out: unknown[] = [];
      for (const el of list) {
        if (!isMapping(el)) fail('with_subelements: each element must be a mapping');
        let sub: unknown = el;
        for (const k of keys) sub = isMapping(sub) ? sub[k] : undefined;
        if (sub === undefined) {
          if (skipMissing) continue;
          fail(`with_subelements: '${terms[1]}' not found in an element`);
        }
        if (!Array.isArray(sub)) fail(`with_subelements: '${terms[1]}' must be a list`);
        // As Ansible: the element without its subelement key.
        const { [keys[0]]: _omit, ...rest } = el;
        const base = keys.length === 1 ? rest : el;
        for (const x of sub) out.push([base, x]);
      }
      return out;
    }
    case 'sequence':
      return asList(v, 'sequence').flatMap((x) => sequence(String(x)));
    case 'fileglob':
      return asList(v, 'fileglob').flatMap((x) => globFiles(String(x), s.searchDirs));
    case 'first_found':
      return firstFound(asList(v, 'first_found'), s.searchDirs);
    case 'random_choice':
      return fail('with_random_choice is not supported');
  }
}
