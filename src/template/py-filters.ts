// Filters whose nunjucks or earlier converge versions computed JavaScript's
// answer: redefined as Jinja2 and Ansible define them (sorting
// case-insensitively, dicts iterating their keys, tuples from pairs, Python's
// json.dumps layout, os.path's basename).

import { createHash, randomInt } from 'node:crypto';
import { UnsafeText } from './data-tag.js';
import { pyYamlDump } from './py-yaml-dump.js';
import { hasKey, pyMethod } from './py-methods.js';
import { isPyFloat, PyGroupTuple, PyUndefined, pyAdd, pyCmp, pyEq, PyFloat, pyFloat, pyFormat, pyRepr, pyStr, pyTruth, PyTuple, PyTypeError, typeName } from './py-values.js';

type Env = { addFilter(n: string, f: (...a: any[]) => unknown): void; addTest(n: string, f: (...a: any[]) => boolean): void };

function kwargs(args: unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  if (last && typeof last === 'object' && (last as { __keywords?: boolean }).__keywords) {
    const { __keywords, ...rest } = last as Record<string, unknown>;
    return [args.slice(0, -1), rest];
  }
  return [args, {}];
}

/** Positional-or-keyword arguments by name, as Python binds them. */
function bind(args: unknown[], names: string[], defaults: unknown[]): unknown[] {
  const [pos, kw] = kwargs(args);
  return names.map((n, i) => (i < pos.length ? pos[i] : n in kw ? kw[n] : defaults[i]));
}

function iterate(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (v && typeof v === 'object') return Object.keys(v);
  if (v === undefined) return [];
  throw new PyTypeError(`'${typeName(v)}' object is not iterable`);
}

function getAttr(v: unknown, dotted: unknown): unknown {
  let cur = v;
  for (const part of String(dotted).split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (cur && typeof cur === 'object' && hasKey(cur, part)) cur = (cur as Record<string, unknown>)[part];
    else return undefined;
  }
  return cur;
}

function sortKey(v: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v;
}

function sorted(items: unknown[], key: (x: unknown) => unknown, reverse: boolean): unknown[] {
  const out = items.map((x, i) => ({ x, k: key(x), i }));
  out.sort((a, b) => pyCmp(a.k, b.k, '<') || a.i - b.i);
  if (reverse) out.reverse();
  return out.map((e) => e.x);
}

const JSON_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function jsonStr(s: string, ensureAscii: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (JSON_ESCAPES[ch]) out += JSON_ESCAPES[ch];
    else if (c < 0x20 || (ensureAscii && c > 0x7e)) {
      if (c > 0xffff) {
        const hi = Math.floor((c - 0x10000) / 0x400) + 0xd800;
        const lo = ((c - 0x10000) % 0x400) + 0xdc00;
        out += `\\u${hi.toString(16)}\\u${lo.toString(16)}`;
      } else out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

interface JsonOpts { indent?: number; sortKeys: boolean; itemSep: string; keySep: string; ensureAscii: boolean }

/** Python's json.dumps. */
export function pyJson(v: unknown, o: JsonOpts, level = 0): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' || v instanceof PyFloat) return Number.isNaN(Number(v)) ? 'NaN' : Number(v) === Infinity ? 'Infinity' : Number(v) === -Infinity ? '-Infinity' : pyStr(v);
  if (typeof v === 'string') return jsonStr(v, o.ensureAscii);
  const nl = o.indent !== undefined ? '\n' + ' '.repeat(o.indent * (level + 1)) : '';
  const end = o.indent !== undefined ? '\n' + ' '.repeat(o.indent * level) : '';
  const sep = o.indent !== undefined ? o.itemSep.replace(/ $/, '') : o.itemSep;
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return '[' + nl + v.map((x) => pyJson(x, o, level + 1)).join(sep + nl) + end + ']';
  }
  if (typeof v === 'object') {
    let keys = Object.keys(v);
    if (!keys.length) return '{}';
    if (o.sortKeys) keys = [...keys].sort();
    return '{' + nl + keys.map((k) => jsonStr(k, o.ensureAscii) + o.keySep + pyJson((v as Record<string, unknown>)[k], o, level + 1)).join(sep + nl) + end + '}';
  }
  return jsonStr(pyStr(v), o.ensureAscii);
}

function pyBasename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function pyDirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  return head && !/^\/+$/.test(head) ? head.replace(/\/+$/, '') : head;
}

function uuid5(name: string): string {
  // Ansible's to_uuid namespace.
  const ns = Buffer.from('361E6D51FAEC444A9079341386DA8E2E', 'hex');
  const h = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function urlQuote(s: string, plus: boolean): string {
  const safe = plus ? '' : '/';
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9_.~-]/.test(ch) || safe.includes(ch)) out += ch;
    else if (plus && ch === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The sign, integer mantissa and binary exponent of a finite double: x = m * 2**e exactly. */
function binaryParts(x: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return bexp === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: bexp - 1075 };
}

/**
 * Python's round(x, p) for a float: rounded from the exact binary value (2.675
 * is 2.67499999..., so it gives 2.67), exact halves to the even neighbour.
 */
export function pyRoundFloat(x: number, p: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x) && Math.abs(x) >= 2 ** 53) return x;
  const { m, e } = binaryParts(x);
  // x * 10**p * 2 as a fraction num / den; a tie when that is an odd whole number.
  let num = m * 10n ** BigInt(p) * 2n;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (num % den === 0n && (num / den) % 2n === 1n) {
    const k = (num / den - 1n) / 2n; // |x| * 10**p == k + 0.5
    const r = k % 2n === 0n ? k : k + 1n;
    const digits = r.toString().padStart(p + 1, '0');
    const text = p ? `${digits.slice(0, -p)}.${digits.slice(-p)}` : digits;
    return (x < 0 ? -1 : 1) * Number(text);
  }
  // toFixed rounds the exact binary value; without a tie that is Python's answer.
  const r = Number(x.toFixed(p));
  return r === 0 && x < 0 ? -0 : r;
}

function pyInt(v: unknown, dflt: unknown, base: unknown): unknown {
  const b = Number(base ?? 10);
  if (typeof v === 'boolean') return Number(v);
  if (typeof v === 'number' || v instanceof PyFloat) return Math.trunc(Number(v));
  const s = pyStr(v).trim().replace(/_/g, '');
  const prefixed = b === 16 ? s.replace(/^([-+]?)0x/i, '$1') : b === 8 ? s.replace(/^([-+]?)0o/i, '$1') : b === 2 ? s.replace(/^([-+]?)0b/i, '$1') : s;
  const digits = b === 16 ? /^[-+]?[0-9a-fA-F]+$/ : b === 8 ? /^[-+]?[0-7]+$/ : b === 2 ? /^[-+]?[01]+$/ : /^[-+]?[0-9]+$/;
  if (digits.test(prefixed)) return parseInt(prefixed, b);
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return Math.trunc(Number(s));
  return dflt ?? 0;
}

export function installPyFilters(env: Env): void {
  const f = env.addFilter.bind(env);
  const t = env.addTest.bind(env);

  f('list', (v: unknown) => [...iterate(v)]);
  // first/last of an empty sequence are Jinja's undefined (printing one fails in Ansible); of a mapping, its keys.
  f('first', (v: unknown) => {
    const xs = iterate(v);
    return xs.length ? xs[0] : new PyUndefined('No first item, sequence was empty.');
  });
  f('last', (v: unknown) => {
    const xs = iterate(v);
    return xs.length ? xs[xs.length - 1] : new PyUndefined('No last item, sequence was empty.');
  });
  f('random', (v: unknown) => {
    const xs = iterate(v);
    if (!xs.length) throw new PyTypeError('Cannot choose from an empty sequence');
    return xs[randomInt(xs.length)];
  });
  f('sort', (v: unknown, ...args: unknown[]) => {
    const [reverse, caseSensitive, attribute] = bind(args, ['reverse', 'case_sensitive', 'attribute'], [false, false, undefined]);
    return sorted(iterate(v), (x) => sortKey(attribute !== undefined ? getAttr(x, attribute) : x, !!caseSensitive), !!reverse);
  });
  f('dictsort', (v: unknown, ...args: unknown[]) => {
    const [caseSensitive, by, reverse] = bind(args, ['case_sensitive', 'by', 'reverse'], [false, 'key', false]);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new PyTypeError('dictsort: expected a mapping');
    const i = by === 'value' ? 1 : by === 'key' ? 0 : -1;
    if (i < 0) throw new PyTypeError("You can only sort by either 'key' or 'value'");
    const pairs = Object.keys(v).map((k) => PyTuple.of2([k, (v as Record<string, unknown>)[k]]));
    return sorted(pairs, (p) => sortKey((p as unknown[])[i], !!caseSensitive), !!reverse);
  });
  f('sum', (v: unknown, ...args: unknown[]) => {
    const [attribute, start] = bind(args, ['attribute', 'start'], [undefined, 0]);
    return iterate(v).reduce((acc: unknown, x) => pyAdd(acc, attribute !== undefined ? getAttr(x, attribute) : x), start);
  });
  f('truncate', (v: unknown, ...args: unknown[]) => {
    const [length, killwords, end, leeway] = bind(args, ['length', 'killwords', 'end', 'leeway'], [255, false, '...', 5]);
    const s = pyStr(v);
    const len = Number(length);
    const e = String(end);
    if (s.length <= len + Number(leeway)) return s;
    if (killwords) return s.slice(0, len - e.length) + e;
    const cut = s.slice(0, len - e.length);
    const i = cut.lastIndexOf(' ');
    return (i >= 0 ? cut.slice(0, i) : cut) + e;
  });
  f('urlencode', (v: unknown) => {
    if (typeof v === 'string') return urlQuote(v, false);
    const pairs = Array.isArray(v) ? (v as unknown[][]) : Object.entries(v as object);
    return pairs.map(([k, x]) => `${urlQuote(pyStr(k), true)}=${urlQuote(pyStr(x), true)}`).join('&');
  });
  f('int', (v: unknown, ...args: unknown[]) => {
    const [dflt, base] = bind(args, ['default', 'base'], [0, 10]);
    return pyInt(v, dflt, base);
  });
  f('bool', (v: unknown) => {
    if (v === null || v === undefined || typeof v === 'boolean') return v ?? null;
    const s = pyStr(v).toLowerCase().trim();
    return ['yes', 'on', '1', 'true', '1.0', 'y', 't'].includes(s) || v === 1;
  });
  f('ternary', (v: unknown, a: unknown, b: unknown, none?: unknown) => (v === null && none !== undefined ? none : pyTruth(v) ? a : b));
  f('basename', (v: unknown) => pyBasename(pyStr(v)));
  f('dirname', (v: unknown) => pyDirname(pyStr(v)));
  f('splitext', (v: unknown) => {
    const s = pyStr(v);
    const base = pyBasename(s);
    const dot = base.lastIndexOf('.');
    const stem = base.slice(0, dot);
    if (dot <= 0 || /^\.+$/.test(stem + '.')) return PyTuple.of2([s, '']);
    const cut = s.length - (base.length - dot);
    return PyTuple.of2([s.slice(0, cut), s.slice(cut)]);
  });
  f('flatten', (v: unknown, ...args: unknown[]) => {
    const [levels, skipNulls] = bind(args, ['levels', 'skip_nulls'], [undefined, true]);
    const flat = (xs: unknown[], depth: number): unknown[] => xs.flatMap((x) => {
      if (skipNulls && (x === null || x === undefined)) return [];
      return Array.isArray(x) && (levels === undefined || depth < Number(levels)) ? flat(x, depth + 1) : [x];
    });
    return flat(iterate(v), 0);
  });
  f('to_uuid', (v: unknown) => uuid5(pyStr(v)));
  f('zip', (...args: unknown[]) => {
    const lists = args.map(iterate);
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_x, i) => PyTuple.of2(lists.map((l) => l[i])));
  });
  f('zip_longest', (...args: unknown[]) => {
    const [pos, kw] = kwargs(args);
    const lists = pos.map(iterate);
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_x, i) => PyTuple.of2(lists.map((l) => (i < l.length ? l[i] : kw.fillvalue ?? null))));
  });
  f('regex_findall', (v: unknown, pattern: unknown, ...args: unknown[]) => {
    const [, kw] = kwargs(args);
    const flags = 'g' + (kw.ignorecase ? 'i' : '') + (kw.multiline ? 'm' : '');
    return [...pyStr(v ?? '').matchAll(new RegExp(String(pattern), flags))].map((m) => (m.length > 2 ? PyTuple.of2(m.slice(1).map((x) => x ?? '')) : m.length === 2 ? m[1] ?? '' : m[0]));
  });
  const json = (indent: number | undefined, sortKeys: boolean, itemSep: string) => (v: unknown, ...args: unknown[]) => {
    const [, kw] = kwargs(args);
    return pyJson(v, {
      indent: kw.indent !== undefined ? Number(kw.indent) : indent,
      sortKeys: kw.sort_keys !== undefined ? pyTruth(kw.sort_keys) : sortKeys,
      itemSep, keySep: ': ', ensureAscii: kw.ensure_ascii !== undefined ? pyTruth(kw.ensure_ascii) : true,
    });
  };
  f('to_json', json(undefined, false, ', '));
  f('to_yaml', (v: unknown, ...args: unknown[]) => {
    const [, kw] = kwargs(args);
    if (Object.keys(kw).some((k) => k !== 'indent')) throw new PyTypeError(`to_yaml option ${Object.keys(kw).join(', ')} is not supported`);
    return pyYamlDump(v, Number(kw.indent ?? 2), true);
  });
  f('to_nice_yaml', (v: unknown, ...args: unknown[]) => {
    const [pos, kw] = kwargs(args);
    if (Object.keys(kw).some((k) => k !== 'indent')) throw new PyTypeError(`to_nice_yaml option ${Object.keys(kw).join(', ')} is not supported`);
    return pyYamlDump(v, Number(kw.indent ?? pos[0] ?? 4), false);
  });
  f('to_nice_json', json(4, true, ','));
  f('comment', (v: unknown, ...args: unknown[]) => {
    const [pos, kw] = kwargs(args);
    const decorations: Record<string, string> = { plain: '# ', erlang: '% ', c: '// ' };
    const style = String(pos[0] ?? 'plain');
    if (!(style in decorations) || pos.length > 1 || Object.keys(kw).length) throw new PyTypeError(`comment: only the plain, erlang and c styles without options are supported, not ${pyStr(style)}${Object.keys(kw).length ? ` with ${Object.keys(kw).join(', ')}` : ''}`);
    const d = decorations[style];
    const edge = d.trimEnd();
    return [edge, ...pyStr(v).split('\n').map((l) => (d + l).trimEnd()), edge].join('\n');
  });
  f('wordwrap', (v: unknown, ...args: unknown[]) => {
    const [width, breakLong, wrapstring, breakHyphens] = bind(args, ['width', 'break_long_words', 'wrapstring', 'break_on_hyphens'], [79, true, undefined, true]);
    void breakLong; void breakHyphens;
    const s = pyStr(v);
    const w = Number(width);
    // Python's textwrap splits hyphenated and over-long words by rules of its own: refused, not guessed.
    if (/[-\t\r\v\f]| {2}/.test(s) || s.split(/\s+/).some((word) => word.length > w)) throw new PyTypeError('wordwrap of text with hyphens, tabs, runs of spaces or words longer than the width is not supported');
    const sep = wrapstring === undefined || wrapstring === null ? '\n' : pyStr(wrapstring);
    return s.split('\n').map((para) => {
      const lines: string[] = [];
      let cur = '';
      for (const word of para.split(' ').filter((x) => x !== '')) {
        if (cur && cur.length + 1 + word.length > w) { lines.push(cur); cur = word; } else cur = cur ? `${cur} ${word}` : word;
      }
      if (cur) lines.push(cur);
      return lines.join(sep);
    }).join(sep);
  });
  f('xmlattr', (v: unknown, autospace: unknown = true) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new PyTypeError('xmlattr: expected a mapping');
    const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) {
      if (x === null || x === undefined) continue;
      if (/[\s/>=]/.test(k)) throw new PyTypeError(`Invalid character in attribute name: ${pyRepr(k)}`);
      parts.push(`${esc(k)}="${esc(pyStr(x))}"`);
    }
    const out = parts.join(' ');
    return pyTruth(autospace) && out ? ' ' + out : out;
  });
  f('shuffle', (v: unknown) => {
    const items = [...iterate(v)];
    for (let i = items.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  });
  f('subelements', (v: unknown, key: unknown, skipMissing: unknown = false) => {
    const skip = typeof skipMissing === 'object' && skipMissing !== null ? !!(skipMissing as Record<string, unknown>).skip_missing : pyTruth(skipMissing);
    const out: unknown[] = [];
    for (const el of iterate(v)) {
      let sub: unknown = el;
      for (const part of pyStr(key).split('.')) {
        if (sub && typeof sub === 'object' && !Array.isArray(sub) && hasKey(sub, part)) sub = (sub as Record<string, unknown>)[part];
        else if (skip) { sub = undefined; break; } else throw new PyTypeError(`could not find '${part}' key in iterated item ${pyRepr(el)}`);
      }
      if (sub === undefined) continue;
      if (!Array.isArray(sub)) throw new PyTypeError(`the key ${pyStr(key)} should point to a list, got ${pyRepr(sub)}`);
      for (const x of sub) out.push(PyTuple.of2([el, x]));
    }
    return out;
  });
  f('format', (fmt: unknown, ...args: unknown[]) => {
    const [pos, kw] = kwargs(args);
    return pyFormat(pyStr(fmt), Object.keys(kw).length ? kw : PyTuple.of2(pos));
  });
  f('count', (v: unknown) => iterate(v).length);
  f('round', (v: unknown, ...args: unknown[]) => {
    const [precision, method] = bind(args, ['precision', 'method'], [0, 'common']);
    const p = Number(precision);
    if (!Number.isInteger(p) || p < 0 || p > 100) throw new PyTypeError(`round: precision ${pyStr(precision)} is not supported (0 to 100)`);
    if (typeof v !== 'number' && !(v instanceof PyFloat) && typeof v !== 'boolean') throw new PyTypeError(`type ${typeName(v)} doesn't define __round__ method`);
    const x = Number(v);
    const scale = 10 ** p;
    if (method === 'ceil') return pyFloat(Math.ceil(x * scale) / scale);
    if (method === 'floor') return pyFloat(Math.floor(x * scale) / scale);
    if (method !== 'common') throw new PyTypeError('method must be common, ceil or floor');
    // Jinja's round is Python's round(value, precision): an int stays an int.
    if (!isPyFloat(v)) return x;
    return pyFloat(pyRoundFloat(x, p));
  });
  f('md5', (v: unknown) => createHash('md5').update(pyStr(v)).digest('hex'));
  f('sha1', (v: unknown) => createHash('sha1').update(pyStr(v)).digest('hex'));
  f('split', (v: unknown, sep?: unknown, maxsplit?: unknown) => pyMethod(pyStr(v), 'split')!(pyStr(v), sep, maxsplit));
  f('tojson', (v: unknown) => pyJson(v, { sortKeys: true, itemSep: ', ', keySep: ': ', ensureAscii: true })
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027'));
  // Ansible's set theory filters keep the first list's order and drop repeats.
  const unique = (xs: unknown[]) => xs.filter((x, i) => xs.findIndex((y) => pyEq(x, y)) === i);
  const has = (xs: unknown[], x: unknown) => xs.some((y) => pyEq(x, y));
  f('union', (a: unknown, b: unknown) => unique([...iterate(a), ...iterate(b)]));
  f('intersect', (a: unknown, b: unknown) => unique(iterate(a).filter((x) => has(iterate(b), x))));
  f('difference', (a: unknown, b: unknown) => unique(iterate(a)).filter((x) => !has(iterate(b), x)));
  f('symmetric_difference', (a: unknown, b: unknown) => {
    const both = unique(iterate(a).filter((x) => has(iterate(b), x)));
    return unique([...iterate(a), ...iterate(b)]).filter((x) => !has(both, x));
  });
  f('product', (...lists: unknown[]) => lists.map(iterate).reduce<unknown[][]>((acc, l) => acc.flatMap((p) => l.map((x) => [...p, x])), [[]]).map((p) => PyTuple.of2(p)));
  const choose = (items: unknown[], r: number, ordered: boolean): unknown[][] => {
    if (r === 0) return [[]];
    return items.flatMap((x, i) => choose(ordered ? [...items.slice(0, i), ...items.slice(i + 1)] : items.slice(i + 1), r - 1, ordered).map((rest) => [x, ...rest]));
  };
  f('permutations', (v: unknown, r?: unknown) => { const xs = iterate(v); return choose(xs, r === undefined || r === null ? xs.length : Number(r), true).map((p) => PyTuple.of2(p)); });
  f('combinations', (v: unknown, r: unknown) => choose(iterate(v), Number(r), false).map((p) => PyTuple.of2(p)));
  f('human_readable', (v: unknown, ...args: unknown[]) => {
    const [isbits, unit] = bind(args, ['isbits', 'unit'], [false, undefined]);
    const units = ['', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
    const n = Number(v);
    let i = unit !== undefined ? Math.max(0, units.indexOf(String(unit).toUpperCase()[0])) : 0;
    if (unit === undefined) while (i < units.length - 1 && Math.abs(n) >= 1024 ** (i + 1)) i++;
    const suffix = i === 0 ? (isbits ? 'bits' : 'Bytes') : units[i] + (isbits ? 'b' : 'B');
    return `${(n / 1024 ** i).toFixed(2)} ${suffix}`;
  });
  f('human_to_bytes', (v: unknown, ...args: unknown[]) => {
    const [dflt, isbits] = bind(args, ['default_unit', 'isbits'], [undefined, false]);
    const m = /^\s*(\d*\.?\d+)\s*([KMGTPEZY]?)([bB]?)(?:ytes|its|yte|it)?\s*$/i.exec(pyStr(v));
    if (!m) throw new PyTypeError(`human_to_bytes() can't interpret following string: ${pyStr(v)}`);
    const unit = (m[2] || (dflt ? String(dflt)[0] : '')).toUpperCase();
    const bits = m[3] === 'b' && unit !== '' ? true : !!isbits;
    void bits;
    return Math.round(Number(m[1]) * 1024 ** Math.max(0, ['', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'].indexOf(unit)));
  });
  t('integer', (v: unknown) => typeof v === 'number' && Number.isInteger(v));
  t('float', (v: unknown) => isPyFloat(v));
  t('number', (v: unknown) => typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat);
  f('float', (v: unknown, ...args: unknown[]) => {
    const [dflt] = bind(args, ['default'], [pyFloat(0)]);
    if (typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat) return pyFloat(Number(v));
    const s = typeof v === 'string' || v instanceof UnsafeText ? pyStr(v).trim().replace(/(\d)_(?=\d)/g, '$1') : undefined;
    if (s === undefined) return dflt;
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return pyFloat(Number(s));
    const special = /^([-+]?)(inf|infinity|nan)$/i.exec(s);
    if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
    return dflt;
  });
  const extreme = (sign: number) => (v: unknown, ...args: unknown[]) => {
    const [caseSensitive, attribute] = bind(args, ['case_sensitive', 'attribute'], [false, undefined]);
    const items = iterate(v);
    if (!items.length) throw new PyTypeError(`${sign < 0 ? 'min' : 'max'}: the sequence is empty`);
    const key = (x: unknown) => sortKey(attribute !== undefined ? getAttr(x, attribute) : x, !!caseSensitive);
    return items.reduce((best, x) => (pyCmp(key(x), key(best), '<') * sign > 0 ? x : best));
  };
  f('min', extreme(-1));
  f('max', extreme(1));
  // Jinja's string filters take str() of any value (`true | lower` is 'true').
  f('lower', (v: unknown) => pyStr(v).toLowerCase());
  f('upper', (v: unknown) => pyStr(v).toUpperCase());
  f('capitalize', (v: unknown) => { const s = pyStr(v); return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(); });
  f('trim', (v: unknown, chars?: unknown) => pyMethod('', 'strip')!(pyStr(v), chars ?? null));
  f('groupby', (v: unknown, ...args: unknown[]) => {
    const [attribute, dflt, caseSensitive] = bind(args, ['attribute', 'default', 'case_sensitive'], [undefined, undefined, false]);
    const value = (x: unknown) => {
      const k = getAttr(x, attribute);
      if (k === undefined && dflt === undefined) throw new PyTypeError(`groupby: an item has no attribute '${pyStr(attribute)}'`);
      return k === undefined ? dflt : k;
    };
    const key = (x: unknown) => sortKey(value(x), !!caseSensitive);
    const out: Array<{ k: unknown; items: unknown[] }> = [];
    let cur: { k: unknown; items: unknown[] } | undefined;
    for (const x of sorted(iterate(v), key, false)) {
      if (cur && pyEq(cur.k, key(x))) cur.items.push(x);
      else {
        cur = { k: key(x), items: [x] };
        out.push(cur);
      }
    }
    return out.map((g) => PyGroupTuple.of2([value(g.items[0]), g.items]));
  });
  f('abs', (v: unknown) => {
    if (v instanceof PyFloat) return new PyFloat(Math.abs(v.value));
    if (typeof v === 'number' || typeof v === 'boolean') return Math.abs(Number(v));
    throw new PyTypeError(`bad operand type for abs(): '${typeName(v)}'`);
  });
  t('sequence', (v: unknown) => typeof v === 'string' || Array.isArray(v) || (!!v && typeof v === 'object'));
  t('true', (v: unknown) => v === true);
  t('false', (v: unknown) => v === false);
  t('sameas', (a: unknown, b: unknown) => a === b);
  t('version', (a: unknown, b: unknown, ...rest: unknown[]) => versionCompare(pyStr(a), pyStr(b), rest));
  t('version_compare', (a: unknown, b: unknown, ...rest: unknown[]) => versionCompare(pyStr(a), pyStr(b), rest));
  t('truthy', (v: unknown) => pyTruth(v));
  t('falsy', (v: unknown) => !pyTruth(v));
  t('equalto', (a: unknown, b: unknown) => pyEq(a, b));
}

/** Ansible's `version` test with its default loose comparison (LooseVersion order: numbers, then strings). */
function versionCompare(a: string, b: string, rest: unknown[]): boolean {
  const [pos, kw] = kwargs(rest);
  const op = String(pos[0] ?? kw.operator ?? 'eq');
  if (kw.strict || pos[1] || (kw.version_type !== undefined && kw.version_type !== 'loose')) {
    throw new PyTypeError('version tests other than the default (loose) comparison are not supported');
  }
  const parts = (s: string) => (s.match(/\d+|[a-z]+|\./gi) ?? []).filter((x) => x !== '.').map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pa = parts(a);
  const pb = parts(b);
  let c = 0;
  for (let i = 0; i < Math.max(pa.length, pb.length) && c === 0; i++) {
    if (i >= pa.length) c = -1;
    else if (i >= pb.length) c = 1;
    else if (typeof pa[i] !== typeof pb[i]) throw new PyTypeError(`'<' not supported between instances of 'int' and 'str'`);
    else c = pa[i] < pb[i] ? -1 : pa[i] > pb[i] ? 1 : 0;
  }
  const ops: Record<string, boolean> = {
    '<': c < 0, lt: c < 0, '<=': c <= 0, le: c <= 0, '>': c > 0, gt: c > 0, '>=': c >= 0, ge: c >= 0,
    '==': c === 0, '=': c === 0, eq: c === 0, '!=': c !== 0, '<>': c !== 0, ne: c !== 0,
  };
  if (!(op in ops)) throw new PyTypeError(`Invalid operator type (${op})`);
  return ops[op];
}
