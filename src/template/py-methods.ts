// The str, list and dict methods templates call (`.split()`, `.items()`,
// `.startswith()` ...), written to Python's rules. These are the only methods
// a template can call on a value: JavaScript's own are never reachable.

import { pyEq, PyTuple } from './py-values.js';
import { pyStrFormat } from './py-str-format.js';
import { hasKey } from './has-key.js';

type Method = (self: any, ...args: any[]) => unknown;

function pyStrip(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? null : String(chars);
  const strip = (c: string) => (set === null ? /\s/.test(c) : set.includes(c));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && strip(s[a])) a++;
  if (right) while (b > a && strip(s[b - 1])) b--;
  return s.slice(a, b);
}

function pySplit(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest.length) {
      if (max >= 0 && out.length === max) { out.push(rest); break; }
      const m = /\s+/.exec(rest);
      if (!m) { out.push(rest); break; }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const d = String(sep);
  if (d === '') throw new Error('empty separator');
  const parts = s.split(d);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(d)];
}

function pyRsplit(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (max < 0) return pySplit(s, sep, -1);
  if (sep === undefined || sep === null) {
    const words = pySplit(s, null, -1);
    if (words.length <= max + 1) return words;
    // Keep the leading text as it was, minus trailing whitespace.
    let rest = s.replace(/\s+$/, '');
    const tail: string[] = [];
    for (let i = 0; i < max; i++) {
      const m = /\s+(\S+)$/.exec(rest);
      if (!m) break;
      tail.unshift(m[1]);
      rest = rest.slice(0, m.index);
    }
    return [rest.replace(/^\s+/, ''), ...tail];
  }
  const d = String(sep);
  const parts = s.split(d);
  if (parts.length <= max + 1) return parts;
  return [parts.slice(0, parts.length - max).join(d), ...parts.slice(parts.length - max)];
}

function prefixes(p: unknown): string[] {
  return Array.isArray(p) ? p.map(String) : [String(p)];
}

const STR: Record<string, Method> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  strip: (s, c) => pyStrip(s, c, true, true),
  lstrip: (s, c) => pyStrip(s, c, true, false),
  rstrip: (s, c) => pyStrip(s, c, false, true),
  split: (s, sep, max) => pySplit(s, sep, max),
  rsplit: (s, sep, max) => pyRsplit(s, sep, max),
  splitlines: (s) => s.split(/\r\n|\r|\n/).filter((_x: string, i: number, a: string[]) => i < a.length - 1 || a[i] !== ''),
  startswith: (s, p) => prefixes(p).some((x) => s.startsWith(x)),
  endswith: (s, p) => prefixes(p).some((x) => s.endsWith(x)),
  replace: (s, a, b, count) => {
    const parts = s.split(String(a));
    const n = count === undefined || Number(count) < 0 ? parts.length - 1 : Math.min(Number(count), parts.length - 1);
    return parts.slice(0, n + 1).join(String(b)) + (n < parts.length - 1 ? String(a) + parts.slice(n + 1).join(String(a)) : '');
  },
  join: (s, items) => Array.from(items as Iterable<unknown>, (x) => {
    if (typeof x !== 'string') throw new Error(`sequence item: expected str instance, ${x === null ? 'NoneType' : typeof x} found`);
    return x;
  }).join(s),
  find: (s, sub) => s.indexOf(String(sub)),
  rfind: (s, sub) => s.lastIndexOf(String(sub)),
  count: (s, sub) => (String(sub) === '' ? s.length + 1 : s.split(String(sub)).length - 1),
  title: (s) => s.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_m: string, a: string, b: string) => a + b.toUpperCase()),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  isdigit: (s) => /^[0-9]+$/.test(s),
  isalpha: (s) => /^[A-Za-z]+$/.test(s),
  isalnum: (s) => /^[A-Za-z0-9]+$/.test(s),
  isspace: (s) => /^\s+$/.test(s),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  zfill: (s, w) => {
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    return sign + s.slice(sign.length).padStart(Number(w) - sign.length, '0');
  },
  ljust: (s, w, c = ' ') => s.padEnd(Number(w), String(c)),
  center: (s, w, c = ' ') => {
    const pad = Math.max(0, Number(w) - s.length);
    // CPython puts the odd extra character on the left when the width is odd.
    const left = Math.floor(pad / 2) + (pad & Number(w) & 1);
    return String(c).repeat(left) + s + String(c).repeat(pad - left);
  },
  format: (s, ...args) => {
    const last = args[args.length - 1] as Record<string, unknown> | undefined;
    if (last && typeof last === 'object' && (last as { __keywords?: boolean }).__keywords) {
      const { __keywords, ...kw } = last;
      return pyStrFormat(s, args.slice(0, -1), kw);
    }
    return pyStrFormat(s, args, {});
  },
  rjust: (s, w, c = ' ') => s.padStart(Number(w), String(c)),
};

const LIST: Record<string, Method> = {
  index: (l, x) => {
    const i = l.findIndex((y: unknown) => pyEq(y, x));
    if (i < 0) throw new Error('value is not in list');
    return i;
  },
  count: (l, x) => l.filter((y: unknown) => pyEq(y, x)).length,
  // `{% set _ = l.append(x) %}` is a common Ansible idiom; append returns None.
  append: (l, x) => { l.push(x); return null; },
  extend: (l, x) => { l.push(...(x as unknown[])); return null; },
};

export { hasKey } from './has-key.js';

const DICT: Record<string, Method> = {
  items: (d) => Object.keys(d).map((k) => PyTuple.of2([k, d[k]])),
  keys: (d) => Object.keys(d),
  values: (d) => Object.keys(d).map((k) => d[k]),
  get: (d, k, dflt = null) => (hasKey(d, String(k)) ? d[String(k)] : dflt),
  update: (d, other) => { Object.assign(d, other); return null; },
  copy: (d) => ({ ...d }),
};

/** The Python method `name` of value `v`, or undefined when `v` has none by that name. */
export function pyMethod(v: unknown, name: string): Method | undefined {
  const table = typeof v === 'string' ? STR : Array.isArray(v) ? LIST : v && typeof v === 'object' ? DICT : undefined;
  if (!table || !Object.prototype.hasOwnProperty.call(table, name)) return undefined;
  return table[name];
}
