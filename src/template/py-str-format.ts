// Python's str.format() (`'{}:{}'.format(ip, port)`, `'{name:>8}'.format(name=x)`):
// replacement fields with positions, names, `.attr` and `[key]`, `!r`/`!s`
// and the format-spec mini-language for strings, ints and floats. A spec
// this does not reproduce (nested `{}` in a spec, an unknown type) is an
// error, never an approximation.

import { isPyFloat, PyFloat, pyFormat, pyRepr, pyStr, PyTypeError, typeName } from './py-values.js';
import { hasKey } from './has-key.js';

const SPEC = /^(?:([\s\S])?([<>=^]))?([-+ ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

function isNumber(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;
}

function groupThousands(digits: string, sep: string): string {
  const [int, frac] = digits.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return frac !== undefined ? `${grouped}.${frac}` : grouped;
}

/** format(value, spec) as Python's built-in format() does it. */
export function pyFormatSpec(v: unknown, spec: string): string {
  if (spec === '') return pyStr(v);
  const m = SPEC.exec(spec);
  if (!m) throw new PyTypeError(`format spec '${spec}' is not supported`);
  const [, fillCh, alignCh, signCh, alt, zero, widthS, thousands, precS, type] = m;
  let fill = fillCh ?? (zero && !alignCh ? '0' : ' ');
  let align = alignCh ?? (zero ? '=' : isNumber(v) ? '>' : '<');
  const width = widthS ? Number(widthS) : 0;
  const prec = precS !== undefined ? Number(precS) : undefined;
  let sign = '';
  let body: string;
  if (typeof v === 'string' || (!isNumber(v) && (type === undefined || type === 's'))) {
    if (typeof v !== 'string') throw new PyTypeError(`unsupported format string passed to ${typeName(v)}.__format__`);
    if (type !== undefined && type !== 's') throw new PyTypeError(`Unknown format code '${type}' for object of type 'str'`);
    if (signCh || alt || thousands || alignCh === '=') throw new PyTypeError(`format spec '${spec}' is not allowed for a string`);
    body = prec !== undefined ? v.slice(0, prec) : v;
  } else if (isNumber(v)) {
    const x = Number(v);
    const float = isPyFloat(v);
    const t = type ?? (float ? undefined : 'd');
    if (t === undefined) {
      // A float without a type: repr, or 'g'-like with a precision (Python's own rule, not reproduced).
      if (prec !== undefined) throw new PyTypeError(`format spec '${spec}' (a precision without a type) is not supported`);
      body = pyStr(Math.abs(x) === x && !Object.is(x, -0) ? v : new PyFloat(-x));
      if (body.startsWith('-')) body = body.slice(1);
    } else if ('dbox'.includes(t) || (t === 'c')) {
      if (float) throw new PyTypeError(`Unknown format code '${t}' for object of type 'float'`);
      if (prec !== undefined) throw new PyTypeError('Precision not allowed in integer format specifier');
      const n = Math.abs(Math.trunc(x));
      if (t === 'c') body = String.fromCodePoint(n);
      else body = (alt && t !== 'd' ? `0${t}` : '') + n.toString(t === 'd' ? 10 : t === 'b' ? 2 : t === 'o' ? 8 : 16);
    } else if (t === 'X') {
      if (float) throw new PyTypeError("Unknown format code 'X' for object of type 'float'");
      body = (alt ? '0X' : '') + Math.abs(Math.trunc(x)).toString(16).toUpperCase();
    } else if (t === 'n') {
      throw new PyTypeError("format type 'n' depends on the locale; not supported");
    } else if (t === '%') {
      body = pyFormat(`%${alt ? '#' : ''}.${prec ?? 6}f`, Math.abs(x) * 100) + '%';
    } else {
      body = pyFormat(`%${alt ? '#' : ''}.${prec ?? 6}${t}`, Math.abs(x));
    }
    if (x < 0 || Object.is(x, -0)) sign = '-';
    else if (signCh === '+') sign = '+';
    else if (signCh === ' ') sign = ' ';
    if (thousands) {
      if (!'dfFeEgG%'.includes(t ?? 'd') && t !== undefined) throw new PyTypeError(`Cannot specify '${thousands}' with '${t}'.`);
      body = groupThousands(body, thousands);
    }
  } else {
    throw new PyTypeError(`unsupported format string passed to ${typeName(v)}.__format__`);
  }
  const pad = Math.max(0, width - sign.length - body.length);
  if (!pad) return sign + body;
  fill = fill ?? ' ';
  if (align === '=') return sign + fill.repeat(pad) + body;
  align = align ?? '<';
  if (align === '<') return sign + body + fill.repeat(pad);
  if (align === '>') return fill.repeat(pad) + sign + body;
  const left = Math.floor(pad / 2);
  return fill.repeat(left) + sign + body + fill.repeat(pad - left);
}

function fieldValue(name: string, args: unknown[], kw: Record<string, unknown>, auto: { next: number; manual: boolean }): unknown {
  const m = /^([^.[]*)([\s\S]*)$/.exec(name)!;
  let first = m[1];
  let v: unknown;
  if (first === '') {
    if (auto.manual) throw new PyTypeError('cannot switch from manual field specification to automatic field numbering');
    first = String(auto.next++);
  } else if (/^\d+$/.test(first)) auto.manual = true;
  if (/^\d+$/.test(first)) {
    const i = Number(first);
    if (i >= args.length) throw new PyTypeError(`Replacement index ${i} out of range for positional args tuple`);
    v = args[i];
  } else {
    if (!Object.prototype.hasOwnProperty.call(kw, first)) throw new PyTypeError(`KeyError: '${first}'`);
    v = kw[first];
  }
  const re = /\.([^.[]+)|\[([^\]]+)\]/gy;
  let rest = m[2];
  re.lastIndex = 0;
  let part: RegExpExecArray | null;
  let consumed = 0;
  while (consumed < rest.length && (part = re.exec(rest))) {
    consumed = re.lastIndex;
    const key = part[1] ?? part[2];
    if (Array.isArray(v) && part[2] !== undefined && /^\d+$/.test(key)) v = v[Number(key)];
    else if (v && typeof v === 'object' && !Array.isArray(v) && hasKey(v, key)) v = (v as Record<string, unknown>)[key];
    else throw new PyTypeError(`'${typeName(v)}' object has no ${part[1] !== undefined ? 'attribute' : 'item'} '${key}'`);
  }
  if (consumed !== rest.length) throw new PyTypeError(`bad replacement field '{${name}}'`);
  rest = '';
  return v;
}

/** 'template'.format(*args, **kw). */
export function pyStrFormat(template: string, args: unknown[], kw: Record<string, unknown>): string {
  const auto = { next: 0, manual: false };
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === '}') {
      if (template[i + 1] !== '}') throw new PyTypeError("Single '}' encountered in format string");
      out += '}';
      i++;
      continue;
    }
    if (ch !== '{') { out += ch; continue; }
    if (template[i + 1] === '{') { out += '{'; i++; continue; }
    const end = template.indexOf('}', i);
    if (end < 0) throw new PyTypeError("Single '{' encountered in format string");
    const field = template.slice(i + 1, end);
    if (field.includes('{')) throw new PyTypeError(`nested replacement fields ('${field}') are not supported`);
    const fm = /^([^!:]*)(?:!([rsa]))?(?::([\s\S]*))?$/.exec(field);
    if (!fm) throw new PyTypeError(`bad replacement field '{${field}}'`);
    let v = fieldValue(fm[1], args, kw, auto);
    if (fm[2] === 'r' || fm[2] === 'a') v = pyRepr(v);
    else if (fm[2] === 's') v = pyStr(v);
    out += pyFormatSpec(v, fm[3] ?? '');
    i = end;
  }
  return out;
}
