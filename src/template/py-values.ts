// Python's value semantics for templates, as Jinja2 under Ansible has them:
// str() and repr() of values (True, None, ['a'], {'k': 1}, (1, 2)), truth
// (empty lists and dicts are false), equality by value, ordering, `in`, `*`
// on strings and lists, `%` formatting and Python's modulo, `~`.

import { UnsafeText } from './data-tag.js';

/** A Python tuple: `(1, 2)` in a template. Shown as (1, 2); otherwise a list. */
export class PyTuple extends Array<unknown> {
  static of2<T extends PyTuple>(this: new () => T, items: unknown[]): T {
    const t = new this();
    t.push(...items);
    return t;
  }
}

/** What Jinja's groupby gives: a (grouper, list) tuple whose parts are also .grouper and .list. */
export class PyGroupTuple extends PyTuple {}

export class PyTypeError extends Error {}

/**
 * Jinja's undefined as Ansible has it (AnsibleUndefined, a StrictUndefined):
 * what a missing attribute, key or index gives (`d.missing`, `l[5]`). Its
 * attributes and items are itself; `is defined`, `default` and `mandatory`
 * see it; anything else that uses it (printing, comparing, truth, iterating,
 * arithmetic, filters, calls) fails with the hint, as Ansible fails the task.
 */
export class PyUndefined {
  readonly #hint: string;
  constructor(hint: string) { this.#hint = hint; }
  get hint(): string { return this.#hint; }
  fail(): never {
    lastUndefined = new UndefinedValueError(this.#hint);
    throw lastUndefined;
  }
  [Symbol.toPrimitive](): never { return this.fail(); }
  toJSON(): never { return this.fail(); }
}

/** A template used an undefined value where Jinja (strict, as in Ansible) fails. */
export class UndefinedValueError extends Error {}
let lastUndefined: UndefinedValueError | undefined;
/** The last undefined failure (nunjucks wraps what a render throws in an error of its own). */
export function lastUndefinedFailure(): UndefinedValueError | undefined {
  return lastUndefined;
}

/** Fails when `v` is undefined; gives `v` otherwise. */
export function defined<T>(v: T): T {
  if (v instanceof PyUndefined) v.fail();
  return v;
}

/** A list or dict literal of a template: fails when an item is undefined. */
export function definedItems<T>(v: T): T {
  if (Array.isArray(v)) for (const x of v) defined(x);
  else for (const x of Object.values(v as object)) defined(x);
  return v;
}

/** What Jinja says of a missing attribute or item: "'dict object' has no attribute 'x'". */
export function undefinedMember(obj: unknown, key: unknown): PyUndefined {
  if (obj instanceof PyUndefined) return obj;
  const kind = obj === null || obj === undefined ? 'None' : `${typeName(obj)} object`;
  return typeof key === 'number' ? new PyUndefined(`${kind} has no element ${key}`) : new PyUndefined(`'${kind}' has no attribute ${reprStr(String(key))}`);
}

/**
 * A Python float whose value is a whole number (4.0, -0.0): JavaScript has one
 * number type, so 4.0 and 4 would print alike. A float with a fraction stays a
 * plain number (it cannot be mistaken for an int); only whole ones are boxed.
 * valueOf() keeps JavaScript arithmetic and comparisons working on the box.
 */
export class PyFloat {
  constructor(readonly value: number) {}
  valueOf(): number { return this.value; }
  toJSON(): number { return this.value; }
  toString(): string { return reprFloat(this.value); }
}

/** A Python float from a JavaScript number: boxed when it is whole. */
export function pyFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

/** True for Python floats: boxed whole ones, and numbers with a fraction, inf or nan. */
export function isPyFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** A copy of a value with its float boxes turned into plain numbers (what modules and JSON get). */
export function unboxFloats(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v instanceof PyTuple ? PyTuple.of2(v.map(unboxFloats)) : v.map(unboxFloats);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = unboxFloats(x);
    return out;
  }
  return v;
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (v instanceof PyUndefined) return 'AnsibleUndefined';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (v instanceof PyFloat) return 'float';
  if (typeof v === 'string' || v instanceof UnsafeText) return 'str';
  if (v instanceof PyTuple) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'function') return 'function';
  return 'dict';
}

/** Python's repr() of a float: the shortest digits that read back, fixed between 1e-4 and 1e16. */
export function reprFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const sign = n < 0 ? '-' : '';
  const [mant, e] = Math.abs(n).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(e);
  const decpt = exp + 1;
  if (decpt > -4 && decpt <= 16) {
    if (digits.length <= decpt) return sign + digits + '0'.repeat(decpt - digits.length) + '.0';
    if (decpt <= 0) return sign + '0.' + '0'.repeat(-decpt) + digits;
    return sign + digits.slice(0, decpt) + '.' + digits.slice(decpt);
  }
  const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function reprStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return quote + out + quote;
}

export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v instanceof PyUndefined) v.fail();
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v instanceof PyFloat) return reprFloat(v.value);
  if (typeof v === 'number') return Number.isInteger(v) ? (Object.is(v, -0) ? '0' : BigInt(v).toString()) : reprFloat(v);
  if (typeof v === 'string') return reprStr(v);
  if (v instanceof UnsafeText) return reprStr(v.text);
  if (v instanceof PyTuple) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  // Python shows a method as "<built-in method items of dict object at 0x...>": an address, not reproduced.
  if (typeof v === 'function') throw new PyTypeError('a method or function is not a value to show; call it (items(), not items)');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).map((k) => `${reprStr(k)}: ${pyRepr(o[k])}`).join(', ')}}`;
  }
  return String(v);
}

/** Python's str(): strings as they are, everything else as its repr. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof UnsafeText) return v.text;
  return pyRepr(v);
}

export function pyTruth(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof PyFloat) return v.value !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (v instanceof UnsafeText) return v.text.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyUndefined) v.fail();
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function isNum(v: unknown): v is number | boolean | PyFloat {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;
}

/** A result of arithmetic on a and b: a float when either operand is one, as in Python. */
function numResult(a: unknown, b: unknown, r: number): number | PyFloat {
  return isPyFloat(a) || isPyFloat(b) ? pyFloat(r) : r;
}

function plain(v: unknown): unknown {
  return v instanceof UnsafeText ? v.text : v;
}

export function pyEq(a: unknown, b: unknown): boolean {
  a = plain(a);
  b = plain(b);
  if (a instanceof PyUndefined) a.fail();
  if (b instanceof PyUndefined) b.fail();
  if (a === undefined || b === undefined) return a === b;
  if (a === null || b === null) return a === b;
  if (isNum(a) && isNum(b)) return Number(a) === Number(b);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if ((a instanceof PyTuple) !== (b instanceof PyTuple)) return false;
    return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  }
  if (Array.isArray(a) || Array.isArray(b)) return false;
  if (typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEq((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** -1, 0 or 1 as Python orders a and b; a TypeError for values Python does not order. */
export function pyCmp(a: unknown, b: unknown, op: string): number {
  a = plain(a);
  b = plain(b);
  if (a instanceof PyUndefined) a.fail();
  if (b instanceof PyUndefined) b.fail();
  if (isNum(a) && isNum(b)) return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEq(a[i], b[i])) return pyCmp(a[i], b[i], op);
    }
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  throw new PyTypeError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

export function pyCompare(first: unknown, ...rest: unknown[]): boolean {
  let left = first;
  for (let i = 0; i < rest.length; i += 2) {
    const op = rest[i] as string;
    const right = rest[i + 1];
    let ok: boolean;
    switch (op) {
      case '==': ok = pyEq(left, right); break;
      case '!=': ok = !pyEq(left, right); break;
      case '<': ok = pyCmp(left, right, op) < 0; break;
      case '>': ok = pyCmp(left, right, op) > 0; break;
      case '<=': ok = pyCmp(left, right, op) <= 0; break;
      case '>=': ok = pyCmp(left, right, op) >= 0; break;
      default: throw new Error(`unknown comparison ${op}`);
    }
    if (!ok) return false;
    left = right;
  }
  return true;
}

export function pyIn(item: unknown, container: unknown): boolean {
  item = plain(defined(item));
  container = plain(defined(container));
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new PyTypeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (container && typeof container === 'object') {
    if (typeof item !== 'string' && typeof item !== 'number') return false;
    return String(item) in container && (Object.prototype.hasOwnProperty.call(container, String(item)) || !Object.prototype.hasOwnProperty.call(Object.prototype, String(item)));
  }
  throw new PyTypeError(`argument of type '${typeName(container)}' is not iterable`);
}

/** Longest string or list `*` may build. */
const MAX_REPEAT = 10_000_000;

export function pyMul(a: unknown, b: unknown): unknown {
  a = plain(defined(a));
  b = plain(defined(b));
  if (isNum(a) && isNum(b)) return numResult(a, b, Number(a) * Number(b));
  const [seq, n] = isNum(a) ? [b, Number(a)] : [a, Number(b)];
  if ((typeof seq === 'string' || Array.isArray(seq)) && Number.isInteger(n) && !isPyFloat(isNum(a) ? a : b) && (isNum(a) || isNum(b))) {
    const count = Math.max(0, n);
    if (seq.length * count > MAX_REPEAT) throw new PyTypeError(`${typeName(seq)} * ${count} is longer than ${MAX_REPEAT}; stopped`);
    if (typeof seq === 'string') return seq.repeat(count);
    const out: unknown[] = seq instanceof PyTuple ? new PyTuple() : [];
    for (let i = 0; i < count; i++) out.push(...seq);
    return out;
  }
  throw new PyTypeError(`unsupported operand type(s) for *: '${typeName(a)}' and '${typeName(b)}'`);
}

export function pyAdd(a: unknown, b: unknown): unknown {
  a = plain(defined(a));
  b = plain(defined(b));
  if (isNum(a) && isNum(b)) return numResult(a, b, Number(a) + Number(b));
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b) && (a instanceof PyTuple) === (b instanceof PyTuple)) {
    return a instanceof PyTuple ? PyTuple.of2([...a, ...b]) : [...a, ...b];
  }
  if (Array.isArray(a) && !(a instanceof PyTuple)) throw new PyTypeError(`can only concatenate list (not "${typeName(b)}") to list`);
  if (typeof a === 'string') throw new PyTypeError(`can only concatenate str (not "${typeName(b)}") to str`);
  throw new PyTypeError(`unsupported operand type(s) for +: '${typeName(a)}' and '${typeName(b)}'`);
}

export function pySub(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) return numResult(a, b, Number(a) - Number(b));
  defined(a);
  defined(b);
  throw new PyTypeError(`unsupported operand type(s) for -: '${typeName(a)}' and '${typeName(b)}'`);
}

export function pyDiv(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) {
    if (Number(b) === 0) throw new PyTypeError('division by zero');
    return pyFloat(Number(a) / Number(b));
  }
  defined(a);
  defined(b);
  throw new PyTypeError(`unsupported operand type(s) for /: '${typeName(a)}' and '${typeName(b)}'`);
}

export function pyFloorDiv(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) {
    if (Number(b) === 0) throw new PyTypeError(isPyFloat(a) || isPyFloat(b) ? 'float divmod()' : 'integer division or modulo by zero');
    return numResult(a, b, Math.floor(Number(a) / Number(b)));
  }
  defined(a);
  defined(b);
  throw new PyTypeError(`unsupported operand type(s) for //: '${typeName(a)}' and '${typeName(b)}'`);
}

export function pyMod(a: unknown, b: unknown): unknown {
  a = plain(defined(a));
  defined(b);
  if (typeof a === 'string') return pyFormat(a, b);
  if (isNum(a) && isNum(b)) {
    const x = Number(a);
    const y = Number(b);
    if (y === 0) throw new PyTypeError('integer division or modulo by zero');
    const r = x % y;
    return numResult(a, b, r !== 0 && (r < 0) !== (y < 0) ? r + y : r);
  }
  throw new PyTypeError(`unsupported operand type(s) for %: '${typeName(a)}' and '${typeName(b)}'`);
}

export function pyPow(a: unknown, b: unknown): unknown {
  if (isNum(a) && isNum(b)) {
    const x = Number(a);
    const y = Number(b);
    if (x === 0 && y < 0) throw new PyTypeError('0.0 cannot be raised to a negative power');
    const r = Math.pow(x, y);
    if (Number.isNaN(r) && !Number.isNaN(x) && !Number.isNaN(y)) throw new PyTypeError('a negative number to a fractional power is a complex number; not supported');
    return isPyFloat(a) || isPyFloat(b) || y < 0 ? pyFloat(r) : r;
  }
  defined(a);
  defined(b);
  throw new PyTypeError(`unsupported operand type(s) for ** or pow(): '${typeName(a)}' and '${typeName(b)}'`);
}

export function pyNeg(a: unknown): unknown {
  if (a instanceof PyFloat) return new PyFloat(-a.value);
  if (typeof a === 'boolean') return -Number(a);
  if (typeof a === 'number') return a === 0 ? 0 : -a;
  defined(a);
  throw new PyTypeError(`bad operand type for unary -: '${typeName(a)}'`);
}

export function pyPos(a: unknown): unknown {
  if (a instanceof PyFloat || typeof a === 'number') return a;
  if (typeof a === 'boolean') return Number(a);
  defined(a);
  throw new PyTypeError(`bad operand type for unary +: '${typeName(a)}'`);
}

function toInt(v: unknown, conv: string): number {
  v = plain(v);
  if (isNum(v)) return Math.trunc(Number(v));
  throw new PyTypeError(`%${conv} format: a real number is required, not ${typeName(v)}`);
}

function toFloat(v: unknown, conv: string): number {
  v = plain(v);
  if (isNum(v)) return Number(v);
  throw new PyTypeError(`must be real number, not ${typeName(v)}`);
}

function pyExp(x: number, prec: number, upper: boolean): string {
  const s = x.toExponential(prec).replace(/e([+-])(\d)$/, 'e$10$2');
  return upper ? s.toUpperCase() : s;
}

function pyGeneral(x: number, prec: number, upper: boolean, alt: boolean): string {
  const p = prec === 0 ? 1 : prec;
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(p)))));
  let s: string;
  if (exp < -4 || exp >= p) {
    s = pyExp(x, p - 1, upper);
    if (!alt) s = s.replace(/\.?0+(e)/i, '$1');
  } else {
    s = x.toFixed(Math.max(0, p - 1 - exp));
    if (!alt && s.includes('.')) s = s.replace(/\.?0+$/, '');
  }
  return s;
}

/** Python's printf-style `format % values`. */
export function pyFormat(format: string, values: unknown): string {
  const args: unknown[] = values instanceof PyTuple ? [...values] : [values];
  const mapping = values && typeof values === 'object' && !Array.isArray(values) ? (values as Record<string, unknown>) : undefined;
  let next = 0;
  const take = (): unknown => {
    if (next >= args.length) throw new PyTypeError('not enough arguments for format string');
    return args[next++];
  };
  const out = format.replace(/%(\(([^)]*)\))?([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcrsa%])/g, (_m, _k, key: string | undefined, flags: string, w: string | undefined, pr: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const width = w === '*' ? Number(take()) : w ? Number(w) : 0;
    const precision = pr === '*' ? Number(take()) : pr !== undefined ? Number(pr) : undefined;
    let v: unknown;
    if (key !== undefined) {
      if (!mapping) throw new PyTypeError('format requires a mapping');
      if (!(key in mapping)) throw new PyTypeError(`KeyError: '${key}'`);
      v = mapping[key];
    } else v = take();
    let body: string;
    let sign = '';
    switch (conv) {
      case 's': body = pyStr(v); if (precision !== undefined) body = body.slice(0, precision); break;
      case 'r': case 'a': body = pyRepr(v); if (precision !== undefined) body = body.slice(0, precision); break;
      case 'c': body = typeof v === 'number' ? String.fromCodePoint(v) : String(v); break;
      case 'd': case 'i': case 'u': { const n = toInt(v, conv); sign = n < 0 ? '-' : ''; body = String(Math.abs(n)); break; }
      case 'o': case 'x': case 'X': {
        const n = toInt(v, conv);
        sign = n < 0 ? '-' : '';
        body = Math.abs(n).toString(conv === 'o' ? 8 : 16);
        if (conv === 'X') body = body.toUpperCase();
        if (flags.includes('#')) body = (conv === 'o' ? '0o' : conv === 'x' ? '0x' : '0X') + body;
        break;
      }
      default: {
        const x = toFloat(v, conv);
        sign = x < 0 || Object.is(x, -0) ? '-' : '';
        const ax = Math.abs(x);
        const p = precision ?? 6;
        if (!Number.isFinite(ax)) body = Number.isNaN(ax) ? 'nan' : 'inf';
        else if (conv === 'f' || conv === 'F') body = ax.toFixed(p);
        else if (conv === 'e' || conv === 'E') body = pyExp(ax, p, conv === 'E');
        else body = pyGeneral(ax, p, conv === 'G', flags.includes('#'));
        if (conv === 'F' || conv === 'E' || conv === 'G') body = body.toUpperCase();
      }
    }
    if ('diouxXeEfFgG'.includes(conv) && !sign) sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
    let text = sign + body;
    if (text.length < width) {
      if (flags.includes('-')) text = text.padEnd(width);
      else if (flags.includes('0') && 'diouxXeEfFgG'.includes(conv)) text = sign + body.padStart(width - sign.length, '0');
      else text = text.padStart(width);
    }
    return text;
  });
  if (!mapping && next < args.length) {
    throw new PyTypeError('not all arguments converted during string formatting');
  }
  return out;
}

const NAMESPACES = new WeakSet<object>();

/** Jinja's namespace(): the one object a template may assign attributes to. */
export function makeNamespace(attrs: Record<string, unknown>): Record<string, unknown> {
  const ns = { ...attrs };
  NAMESPACES.add(ns);
  return ns;
}

export function isNamespace(v: unknown): boolean {
  return !!v && typeof v === 'object' && NAMESPACES.has(v);
}
