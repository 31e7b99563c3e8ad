// The Ansible filters and tests that real playbooks use, on top of nunjucks'
// Jinja2 built-ins. Named and behaving as Ansible documents them.

import * as path from 'node:path';
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { ipv4Filter } from './ip-filters.js';
import { hasKey } from './py-methods.js';
import { PyFloat, pyStr, pyTruth, PyTypeError, typeName, undefinedMember } from './py-values.js';
import { UnsafeText } from './data-tag.js';

type Env = { getTest(name: string): (...a: unknown[]) => boolean; getFilter(name: string): (...a: unknown[]) => unknown };

export class TemplateFilterError extends Error {}

const truthy = pyTruth;

/**
 * Truth of a `when:` / `assert` result: booleans and numbers as such, the
 * words yes/no/true/false/on/off as Ansible reads them, any other non-empty
 * string (an address from `ipaddr`) true, as in Jinja.
 */
export function conditionTruth(v: unknown): boolean {
  if (typeof v === 'string') {
    const w = v.trim().toLowerCase();
    if (['', 'no', 'false', 'off', '0', 'n', 'f', 'none'].includes(w)) return false;
    return true;
  }
  return truthy(v);
}

/** Ansible's `bool` filter: yes/no/on/off/true/false/1/0. */
export function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return ['yes', 'on', 'true', '1', 'y', 't'].includes(v.trim().toLowerCase());
  return false;
}

function attr(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) {
    if (cur == null || typeof cur !== 'object') return undefined;
    // A value's own keys only: never its prototype chain.
    if (/^(constructor|prototype|__\w*__)$/.test(part)) throw new Error(`access to '${part}' is not allowed in a template`);
    if (!hasKey(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function kwargs(args: unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  if (last && typeof last === 'object' && (last as { __keywords?: boolean }).__keywords) {
    const { __keywords, ...rest } = last as Record<string, unknown>;
    return [args.slice(0, -1), rest];
  }
  return [args, {}];
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>, recursive: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (recursive && cur && v && typeof cur === 'object' && typeof v === 'object' && !Array.isArray(cur) && !Array.isArray(v)) {
      out[k] = deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>, true);
    } else out[k] = v;
  }
  return out;
}

function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

function applyTest(env: Env, item: unknown, testName: unknown, testArgs: unknown[]): boolean {
  if (testName === undefined) return truthy(item);
  const name = String(testName);
  const aliases: Record<string, string> = { '==': 'equalto', eq: 'equalto', '!=': 'ne', '>': 'gt', '<': 'lt', '>=': 'ge', '<=': 'le', match: 'match', search: 'search' };
  const t = env.getTest(aliases[name] ?? name);
  return !!t(item, ...testArgs);
}

export function installFilters(env: Env & { addFilter(n: string, f: (...a: any[]) => unknown): void; addTest(n: string, f: (...a: any[]) => boolean): void }): void {
  const f = (name: string, fn: (...a: any[]) => unknown) => env.addFilter(name, fn);
  const t = (name: string, fn: (...a: any[]) => boolean) => env.addTest(name, fn);

  f('bool', toBool);
  f('d', (v: unknown, dflt: unknown = '', boolean = false) => (v === undefined || (boolean && !pyTruth(v)) ? dflt : v));
  f('default', (v: unknown, dflt: unknown = '', boolean = false) => (v === undefined || (boolean && !pyTruth(v)) ? dflt : v));
  f('string', (v: unknown) => pyStr(v));
  f('join', (v: unknown, sep = '', attribute?: unknown) => {
    if (v === null || typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat) throw new PyTypeError(`'${typeName(v)}' object is not iterable`);
    const list = Array.isArray(v) ? v : typeof v === 'string' ? [...v] : v && typeof v === 'object' ? Object.keys(v) : [];
    const [pos, kw] = kwargs([sep, attribute].filter((x) => x !== undefined));
    const s = typeof pos[0] === 'string' ? pos[0] : '';
    const a = kw.attribute ?? (typeof pos[1] === 'string' ? pos[1] : undefined);
    return list.map((x) => pyStr(a !== undefined ? attr(x, String(a)) : x)).join(s);
  });
  f('mandatory', (v: unknown, msg?: string) => {
    if (v === undefined) throw new TemplateFilterError(msg ?? 'mandatory variable not defined');
    return v;
  });
  f('ternary', (v: unknown, a: unknown, b: unknown) => (truthy(v) ? a : b));
  f('to_json', (v: unknown) => JSON.stringify(v));
  f('to_nice_json', (v: unknown, ...rest: unknown[]) => {
    const [, kw] = kwargs(rest);
    return JSON.stringify(v, null, Number(kw.indent ?? 4));
  });
  f('from_json', (v: string) => JSON.parse(v));
  f('to_yaml', (v: unknown) => YAML.stringify(v, { flowCollectionPadding: false }).trimEnd());
  f('to_nice_yaml', (v: unknown, ...rest: unknown[]) => {
    const [, kw] = kwargs(rest);
    return YAML.stringify(v, { indent: Number(kw.indent ?? 2) });
  });
  f('from_yaml', (v: string) => YAML.parse(v));
  f('regex_replace', (v: unknown, pattern: string, repl = '', ...rest: unknown[]) => {
    const [, kw] = kwargs(rest);
    const flags = 'g' + (kw.ignorecase ? 'i' : '') + (kw.multiline ? 'm' : '');
    // Python's \1 and \g<name> back-references become JavaScript's $1 and $<name>.
    const js = String(repl).replace(/\$/g, '$$$$').replace(/\\g<(\w+)>/g, '$<$1>').replace(/\\(\d+)/g, '$$$1');
    return String(v ?? '').replace(new RegExp(pattern, flags), js);
  });
  f('regex_search', (v: unknown, pattern: string, ...rest: unknown[]) => {
    const m = new RegExp(pattern).exec(String(v ?? ''));
    // No match is None, as Ansible's regex_search gives (defined, `is none`).
    if (!m) return null;
    const groups = rest.filter((r) => typeof r === 'string' && /^\\\d+$/.test(r)) as string[];
    if (groups.length) return groups.map((g) => m[Number(g.slice(1))]);
    return m[0];
  });
  f('regex_findall', (v: unknown, pattern: string) => [...String(v ?? '').matchAll(new RegExp(pattern, 'g'))].map((m) => (m.length > 2 ? m.slice(1) : m[1] ?? m[0])));
  f('regex_escape', (v: string) => String(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  f('quote', (v: unknown) => shellQuote(String(v ?? '')));
  f('basename', (v: string) => path.posix.basename(String(v)));
  f('dirname', (v: string) => path.posix.dirname(String(v)));
  f('splitext', (v: string) => {
    const ext = path.posix.extname(String(v));
    return [String(v).slice(0, String(v).length - ext.length), ext];
  });
  f('b64encode', (v: string) => Buffer.from(String(v), 'utf8').toString('base64'));
  f('b64decode', (v: string) => Buffer.from(String(v), 'base64').toString('utf8'));
  f('hash', (v: string, algo = 'sha1') => createHash(algo).update(String(v)).digest('hex'));
  f('checksum', (v: string) => createHash('sha1').update(String(v)).digest('hex'));
  f('unique', (v: unknown[]) => {
    if (v === null) throw new PyTypeError("'NoneType' object is not iterable");
    return [...new Map((v ?? []).map((x) => [JSON.stringify(x), x])).values()];
  });
  // Python's len(): strings, lists and mappings; None and numbers have none.
  f('length', (v: unknown) => {
    if (typeof v === 'string') return [...v].length;
    if (v instanceof UnsafeText) return [...v.text].length;
    if (Array.isArray(v)) return v.length;
    if (v && typeof v === 'object' && !(v instanceof PyFloat)) return Object.keys(v).length;
    if (v === undefined) return 0;
    throw new PyTypeError(`object of type '${typeName(v)}' has no len()`);
  });
  f('flatten', (v: unknown[], levels?: number) => (v ?? []).flat(levels === undefined ? Infinity : levels));
  f('combine', (...args: unknown[]) => {
    const [dicts, kw] = kwargs(args);
    const all = dicts.flatMap((d) => (Array.isArray(d) ? d : [d])) as Record<string, unknown>[];
    return all.reduce((acc, d) => deepMerge(acc, d ?? {}, !!kw.recursive), {});
  });
  f('dict2items', (v: Record<string, unknown>, ...rest: unknown[]) => {
    const [, kw] = kwargs(rest);
    const k = String(kw.key_name ?? 'key');
    const val = String(kw.value_name ?? 'value');
    return Object.entries(v ?? {}).map(([a, b]) => ({ [k]: a, [val]: b }));
  });
  f('items2dict', (v: Array<Record<string, unknown>>, ...rest: unknown[]) => {
    const [, kw] = kwargs(rest);
    const k = String(kw.key_name ?? 'key');
    const val = String(kw.value_name ?? 'value');
    return Object.fromEntries((v ?? []).map((i) => [String(i[k]), i[val]]));
  });
  f('zip', (a: unknown[], ...others: unknown[][]) => a.map((x, i) => [x, ...others.map((o) => o[i])]));
  f('to_uuid', (v: string) => createHash('sha1').update(String(v)).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5'));
  f('type_debug', (v: unknown) => {
    // Ansible names a string by where it came from (AnsibleUnicode from YAML, str when computed, AnsibleUnsafeText from a host): not tracked here.
    if (typeof v === 'string' || v instanceof UnsafeText) throw new Error('type_debug of a string is not supported (Ansible names it by its origin: AnsibleUnicode, str, AnsibleUnsafeText)');
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof PyFloat) && Object.getPrototypeOf(v) !== Object.prototype) throw new Error('type_debug of this value is not supported');
    return typeName(v);
  });
  // `groups.compute | map('extract', hostvars, 'mac')`: container[key][morekeys...]
  f('extract', (key: unknown, container: unknown, ...more: unknown[]) => {
    let cur = (container as Record<string, unknown> | undefined)?.[String(key)];
    for (const k of more.flat()) cur = (cur as Record<string, unknown> | undefined)?.[String(k)];
    return cur;
  });
  f('ipaddr', ipv4Filter);
  f('ipv4', ipv4Filter);
  f('ansible.utils.ipaddr', ipv4Filter);

  f('map', (seq: unknown[], ...args: unknown[]) => {
    const [pos, kw] = kwargs(args);
    const list = Array.isArray(seq) ? seq : seq && typeof seq === 'object' ? Object.keys(seq) : [];
    // A missing attribute is Jinja's undefined (default replaces it, not a None value).
    if (kw.attribute !== undefined) {
      return list.map((x) => {
        const v = attr(x, String(kw.attribute));
        if (v !== undefined) return v;
        return kw.default !== undefined && kw.default !== null ? kw.default : undefinedMember(x, String(kw.attribute).split('.').pop());
      });
    }
    if (pos.length === 0) return list;
    const filter = env.getFilter(String(pos[0]));
    return list.map((x) => filter(x, ...pos.slice(1)));
  });
  f('select', (seq: unknown[], test?: string, ...args: unknown[]) => (seq ?? []).filter((x) => applyTest(env, x, test, args)));
  f('reject', (seq: unknown[], test?: string, ...args: unknown[]) => (seq ?? []).filter((x) => !applyTest(env, x, test, args)));
  f('selectattr', (seq: unknown[], a: string, test?: string, ...args: unknown[]) => (seq ?? []).filter((x) => applyTest(env, attr(x, a), test, args)));
  f('rejectattr', (seq: unknown[], a: string, test?: string, ...args: unknown[]) => (seq ?? []).filter((x) => !applyTest(env, attr(x, a), test, args)));

  t('match', (v: unknown, p: string) => new RegExp('^(?:' + p + ')').test(String(v ?? '')));
  t('search', (v: unknown, p: string) => new RegExp(p).test(String(v ?? '')));
  t('regex', (v: unknown, p: string) => new RegExp(p).test(String(v ?? '')));
  t('gt', (a: number, b: number) => a > b);
  t('lt', (a: number, b: number) => a < b);
  t('contains', (seq: unknown, x: unknown) => (Array.isArray(seq) ? seq.includes(x) : String(seq).includes(String(x))));
  t('in', (x: unknown, seq: unknown) => (Array.isArray(seq) ? seq.includes(x) : String(seq).includes(String(x))));
  t('subset', (a: unknown[], b: unknown[]) => a.every((x) => b.includes(x)));
  t('superset', (a: unknown[], b: unknown[]) => b.every((x) => a.includes(x)));
  t('success', (r: Record<string, unknown>) => !r?.failed);
  t('succeeded', (r: Record<string, unknown>) => !r?.failed);
  t('failed', (r: Record<string, unknown>) => !!r?.failed);
  t('changed', (r: Record<string, unknown>) => !!r?.changed);
  t('skipped', (r: Record<string, unknown>) => !!r?.skipped);
  t('boolean', (v: unknown) => typeof v === 'boolean');
  t('abs', (v: string) => String(v).startsWith('/'));
}
