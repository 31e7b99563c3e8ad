// Module arguments converted the way Ansible's argument spec converts them
// before a module sees them: `enabled=yes` and a templated "yes" are booleans,
// "8080" an integer, "a,b" a list. ajv's own coercion knows only "true"/"false"
// for booleans, so these run first; what stays wrong is then reported by ajv.

import { PyFloat, pyStr } from '../template/py-values.js';

type Schema = Record<string, unknown>;

const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/** Ansible's boolean(): undefined when the value is not one of its spellings. */
export function ansibleBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
}

/** The JSON types a schema admits (type, or the types of its anyOf/oneOf branches). */
function typesOf(s: Schema | undefined): Set<string> {
  const out = new Set<string>();
  if (!s) return out;
  const t = s.type;
  if (typeof t === 'string') out.add(t);
  else if (Array.isArray(t)) t.forEach((x) => out.add(String(x)));
  for (const k of ['anyOf', 'oneOf']) {
    const alts = s[k];
    if (Array.isArray(alts)) for (const a of alts) typesOf(a as Schema).forEach((x) => out.add(x));
  }
  if (Array.isArray(s.enum) && out.size === 0) {
    for (const e of s.enum) out.add(typeof e === 'boolean' ? 'boolean' : typeof e === 'number' ? 'number' : 'string');
  }
  return out;
}

function coerceValue(v: unknown, s: Schema | undefined): unknown {
  if (!s || v === null || v === undefined) return v;
  const types = typesOf(s);
  // A boolean or number where only a string fits is Python's str() of it, as Ansible's
  // argument spec converts it: True, 4.0 (JavaScript would give true, 4).
  if ((typeof v === 'boolean' || typeof v === 'number' || v instanceof PyFloat) && types.has('string')
    && !types.has(typeof v === 'boolean' ? 'boolean' : 'number') && !(typeof v === 'number' && types.has('integer'))) return pyStr(v);
  if (v instanceof PyFloat) return types.size ? v.value : v;
  if (typeof v === 'string') {
    // A string parameter keeps its text; only a parameter that cannot be a string is converted.
    if (types.has('string') || types.size === 0) return v;
    if (types.has('boolean')) {
      const b = ansibleBoolean(v);
      if (b !== undefined) return b;
    }
    if ((types.has('integer') || types.has('number')) && /^\s*[-+]?\d+\s*$/.test(v)) return Number(v);
    if (types.has('number') && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return Number(v);
    if (types.has('array')) {
      const items = s.items as Schema | undefined;
      return v.split(',').map((x) => coerceValue(x, items));
    }
    return v;
  }
  if (typeof v === 'number' && !types.has('number') && !types.has('integer') && types.has('boolean') && !types.has('string')) {
    return ansibleBoolean(v) ?? v;
  }
  if (Array.isArray(v)) {
    const items = s.items as Schema | undefined;
    return items ? v.map((x) => coerceValue(x, items)) : v;
  }
  if (typeof v === 'object' && types.has('object')) return coerceParams(v as Record<string, unknown>, s);
  return v;
}

/** A copy of `params` with Ansible's conversions applied where `schema` says what a key is. */
export function coerceParams(params: Record<string, unknown>, schema: Schema): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = k in props ? coerceValue(v, props[k]) : v;
  return out;
}
