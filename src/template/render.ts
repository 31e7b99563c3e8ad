// Jinja2 through nunjucks: strings with {{ }} are rendered against the task's
// variables; a string that is exactly one {{ expression }} keeps its native
// type when Ansible keeps it (a list stays a list, a number becomes text). Undefined variables are errors
// that name the variable, the template and the line.

import nunjucks from 'nunjucks';
import { installFilters } from './filters.js';
import { installPyFilters } from './py-filters.js';
import { undefinedNames } from './undefined-names.js';
import { balanceBraces } from './balance-braces.js';
import { installPySemantics } from './py-semantics.js';
import { lastUndefinedFailure, makeNamespace, PyFloat, pyStr, pyTruth, PyTypeError, PyUndefined, UndefinedValueError } from './py-values.js';
import { allowCall, installSandbox, spend, withBudget } from './sandbox.js';
import { isData, UnsafeText } from './data-tag.js';

export class TemplateError extends Error {
  constructor(message: string, public readonly source: string, public readonly line?: number, public readonly col?: number) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** A template used an undefined variable, attribute, key or index (Ansible's AnsibleUndefinedVariable). */
export class TemplateUndefinedError extends TemplateError {}

let captured: unknown;
const GLOBALS = new Set(['True', 'False', 'None', '__native', 'lookup', 'query', 'q', 'range', 'cycler', 'joiner', 'omit', 'dict', 'namespace', 'lipsum', '__cvg_slice', '__cvg_py_iter']);
installPySemantics();
installSandbox();
const env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false, trimBlocks: true });
// Only the functions handed to templates here can be called from one (sandbox.ts).
{
  const addGlobal = env.addGlobal.bind(env);
  env.addGlobal = (name: string, value: unknown) => addGlobal(name, typeof value === 'function' ? allowCall(value as Function) : value);
}
installFilters(env as never);
installPyFilters(env as never);
// Undefined values (py-values.ts PyUndefined): `is defined`, `default` and `mandatory`
// see them, isinstance-like tests are false for them, anything else fails as Ansible fails.
{
  const e = env as unknown as { filters: Record<string, Function>; tests: Record<string, Function> };
  const isUndef = (v: unknown) => v === undefined || v instanceof PyUndefined;
  const strictArgs = (fn: Function) => function (this: unknown, ...args: unknown[]) {
    for (const a of args) {
      if (a instanceof PyUndefined) a.fail();
      if (a && typeof a === 'object' && (a as { __keywords?: boolean }).__keywords) for (const x of Object.values(a)) if (x instanceof PyUndefined) x.fail();
    }
    return fn.apply(this, args);
  };
  const seeUndefined = (fn: Function) => function (this: unknown, v: unknown, ...args: unknown[]) {
    return strictArgs(fn).call(this, v instanceof PyUndefined ? undefined : v, ...args);
  };
  for (const [n, fn] of Object.entries(e.filters)) e.filters[n] = ['default', 'd', 'mandatory'].includes(n) ? seeUndefined(fn) : strictArgs(fn);
  e.tests.defined = (v: unknown) => !isUndef(v);
  e.tests.undefined = isUndef;
  for (const [n, fn] of Object.entries(e.tests)) {
    if (n === 'defined' || n === 'undefined') continue;
    // isinstance() and `is` tests are false for an undefined; the others use the value and fail.
    if (['none', 'null', 'string', 'number', 'integer', 'float', 'boolean', 'mapping', 'sequence', 'sameas', 'true', 'false', 'callable', 'lower', 'upper'].includes(n)) {
      e.tests[n] = function (this: unknown, v: unknown, ...args: unknown[]) { return v instanceof PyUndefined ? false : strictArgs(fn).call(this, v, ...args); };
    } else e.tests[n] = strictArgs(fn);
  }
}
// Ansible's fully qualified names of its builtin filters and tests.
{
  const e = env as unknown as { filters: Record<string, unknown>; tests: Record<string, unknown> };
  for (const [n, fn] of Object.entries(e.filters)) if (!n.includes('.')) e.filters[`ansible.builtin.${n}`] = fn;
  for (const [n, fn] of Object.entries(e.tests)) if (!n.includes('.')) e.tests[`ansible.builtin.${n}`] = fn;
}
env.addGlobal('namespace', (...args: unknown[]) => {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  const { __keywords, ...kw } = last && typeof last === 'object' && (last as { __keywords?: boolean }).__keywords ? last : ({} as Record<string, unknown>);
  return makeNamespace(kw);
});
env.addGlobal('dict', (...args: unknown[]) => {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  const { __keywords, ...kw } = last && typeof last === 'object' && (last as { __keywords?: boolean }).__keywords ? last : ({} as Record<string, unknown>);
  return kw;
});
env.addGlobal('__native', (v: unknown) => {
  if (v instanceof PyUndefined) v.fail();
  if (typeof v === 'function') throw new PyTypeError('a method or function is not a value to show; call it (items(), not items)');
  captured = v;
  return '';
});
env.addGlobal('lookup', () => {
  throw new Error('lookup() is set per render');
});
// Jinja2 spells its constants True, False and None as well.
env.addGlobal('True', true);
env.addGlobal('False', false);
env.addGlobal('None', null);
env.addGlobal('range', (a: number, b?: number, step = 1) => {
  const [start, end] = b === undefined ? [0, a] : [a, b];
  if (!step) throw new Error('range() arg 3 must not be zero');
  // Counted before it is built: range(10**9) stops here, not in an allocation.
  spend(Math.max(0, Math.ceil((end - start) / step)));
  const out: number[] = [];
  for (let i = start; step > 0 ? i < end : i > end; i += step) out.push(i);
  return out;
});
env.addGlobal('cycler', (...items: unknown[]) => {
  let i = -1;
  const c = {
    current: null as unknown,
    next: allowCall(() => { i = (i + 1) % items.length; c.current = items[i]; return c.current; }),
    reset: allowCall(() => { i = -1; c.current = null; return null; }),
  };
  return c;
});
env.addGlobal('joiner', (sep = ', ') => {
  let first = true;
  return allowCall(() => { if (first) { first = false; return ''; } return sep; });
});

// nunjucks copies the context object's keys when a render starts, which
// would evaluate every lazy variable. Make its Context read through instead.
{
  let proto: { init: (...a: any[]) => void } | undefined;
  // A name no variable, loop or set defines is Jinja's undefined (the static check refuses
  // most; what it lets through, as a name set only in a branch not taken, is caught here).
  const rt = (nunjucks as unknown as { runtime: Record<string, any> }).runtime;
  const contextOrFrameLookup = rt.contextOrFrameLookup;
  rt.contextOrFrameLookup = (context: unknown, frame: unknown, name: string) => {
    let v;
    try {
      v = contextOrFrameLookup(context, frame, name);
    } catch (e) {
      // A variable whose own template uses an undefined is undefined (Ansible's lazy variables):
      // `is defined` is false and default() applies; any other use fails with the first cause.
      if (e instanceof TemplateUndefinedError) return new PyUndefined(`${e.message} (in variable '${name}')`);
      throw e;
    }
    return v !== undefined ? v : new PyUndefined(`'${name}' is undefined`);
  };
  env.addGlobal('__grab_context', function (this: object) {
    proto = Object.getPrototypeOf(this);
    return '';
  });
  new nunjucks.Template('{{ __grab_context() }}', env).render({});
  const original = proto!.init;
  proto!.init = function (this: { ctx: object }, ctx: object, blocks: unknown, e: unknown) {
    original.call(this, {}, blocks, e);
    this.ctx = Object.create(ctx ?? {});
  };
}

export type Lookup = (kind: string, ...args: unknown[]) => unknown;

/** A lookup plugin's list of results: lookup() joins them with commas as Ansible does, query() keeps the list. */
export class LookupResults extends Array<unknown> {
  static of2(items: unknown[]): LookupResults {
    const r = new LookupResults();
    r.push(...items);
    return r;
  }
}

function lookupValue(v: unknown): unknown {
  if (!(v instanceof LookupResults)) return v;
  if (!v.length) return [];
  if (v.every((x) => typeof x === 'string')) return v.join(',');
  return v.length === 1 ? v[0] : [...v];
}
let currentLookup: Lookup | undefined;
// The run's lookups, for renders whose caller passed none (task parameters, loops).
let runLookup_: Lookup | undefined;
export function setRunLookup(lookup: Lookup | undefined): void {
  runLookup_ = lookup;
}

// Set while rendering ahead of a task (see withReadOnlyLookups): a lookup that acts (pipe and lines
// run commands) never runs twice or early; one that only reads the playbook's files or the
// environment may (a loop over items built with lookup('template') is still known ahead).
let actingLookupsRefused = false;
const READ_ONLY_LOOKUPS = new Set(['env', 'file', 'fileglob', 'first_found', 'template']);

/** A lookup was asked for where none may run (withReadOnlyLookups). */
export class LookupRefusedError extends Error {}

/** Runs fn (synchronous renders) with every lookup and query refused but those that only read, for renders that only guess. */
export function withReadOnlyLookups<T>(fn: () => T): T {
  const before = actingLookupsRefused;
  actingLookupsRefused = true;
  try {
    return fn();
  } finally {
    actingLookupsRefused = before;
  }
}

/** Runs a lookup; `errors='ignore'` or `'warn'` turns its failure into None, as in Ansible (not an undefined variable). */
function runLookup(kind: string, args: unknown[]): unknown {
  // Before errors= is read: errors='ignore' must not turn the refusal into a value.
  if (actingLookupsRefused && !READ_ONLY_LOOKUPS.has(kind)) throw new LookupRefusedError(`lookup('${kind}') is not run ahead of its task`);
  if (!currentLookup) throw new Error(`lookup('${kind}') is not available here`);
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  const kw = last && typeof last === 'object' && (last as { __keywords?: boolean }).__keywords ? last : undefined;
  const errors = kw?.errors;
  if (kw) {
    const { __keywords, errors: _e, ...rest } = kw;
    args = Object.keys(rest).length ? [...args.slice(0, -1), { ...rest, __keywords: true }] : args.slice(0, -1);
  }
  if (errors !== undefined && errors !== 'ignore' && errors !== 'warn' && errors !== 'strict') {
    throw new Error(`lookup errors= must be strict, warn or ignore, not '${String(errors)}'`);
  }
  try {
    return currentLookup(kind, ...args);
  } catch (e) {
    if ((errors === 'ignore' || errors === 'warn') && !(e instanceof TemplateUndefinedError)) return null;
    // The outer template's error would otherwise lose which file and line failed.
    if (e instanceof TemplateError) throw new Error(`${e.source}:${e.line ?? 1}${e.col ? `:${e.col}` : ''}: ${e.message}`);
    throw e;
  }
}

env.addGlobal('lookup', (kind: string, ...args: unknown[]) => {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  if (last && typeof last === 'object' && (last as { __keywords?: boolean }).__keywords && 'wantlist' in last) {
    const { wantlist, ...rest } = last;
    const v = runLookup(kind, [...args.slice(0, -1), rest]);
    if (pyTruth(wantlist)) return v instanceof LookupResults ? [...v] : Array.isArray(v) ? v : v === null ? [] : [v];
    return lookupValue(v);
  }
  return lookupValue(runLookup(kind, args));
});
// Jinja's lipsum() gives random text: defined, as in Ansible, but not reproduced.
env.addGlobal('lipsum', () => {
  throw new Error('lipsum() gives random text; not supported');
});
const query = (kind: string, ...args: unknown[]) => {
  const v = runLookup(kind, args);
  return v instanceof LookupResults ? [...v] : Array.isArray(v) ? v : v === null ? [] : [v];
};
env.addGlobal('q', query);
env.addGlobal('query', query);

// The variables of the render in progress (innermost): what lookup('template') renders with.
const varsStack: Array<Record<string, unknown>> = [];
export function renderVars(): Record<string, unknown> {
  return varsStack[varsStack.length - 1] ?? {};
}

export function hasTemplate(s: string): boolean {
  return s.includes('{{') || s.includes('{%');
}

const SINGLE_EXPR = /^\{\{((?:(?!\}\}|\{\{)[\s\S])*)\}\}$/;

function nunjucksLocation(e: unknown, name?: string): { line?: number; col?: number; msg: string } {
  let msg = e instanceof Error ? e.message : String(e);
  const raw = e as { lineno?: number; colno?: number; firstUpdate?: boolean };
  // nunjucks puts "(name) [Line l, Column c]" before the message; a name may hold parentheses.
  const prefix = name !== undefined ? `(${name})` : undefined;
  if (prefix && msg.startsWith(prefix)) msg = msg.slice(prefix.length);
  else msg = msg.replace(/^\([^)]*\)/, '');
  let line: number | undefined;
  let col: number | undefined;
  const m = /^\s*\[Line (\d+)(?:, Column (\d+))?\]/.exec(msg);
  if (m) {
    line = Number(m[1]);
    col = m[2] ? Number(m[2]) : undefined;
    msg = msg.slice(m[0].length);
  } else if (typeof raw.lineno === 'number') {
    line = raw.lineno + 1;
    col = (raw.colno ?? 0) + 1;
  }
  return { line, col, msg: msg.replace(/^\s*(Error: )?/, '').trim() };
}

function checkDefined(src: string, vars: Record<string, unknown>, name: string, lineOffset = 0): void {
  let missing;
  try {
    missing = undefinedNames(balanceBraces(src), (n) => n in vars || GLOBALS.has(n));
  } catch (e) {
    const loc = nunjucksLocation(e, name);
    // nunjucks gives no position for an error at the end of the input.
    const line = loc.line ?? src.split('\n').length;
    throw new TemplateError(`template syntax error: ${loc.msg}`, name, line + lineOffset, loc.col);
  }
  if (missing.length) {
    const m = missing[0];
    throw new TemplateUndefinedError(`undefined variable '${m.name}'`, name, m.line + lineOffset, m.col);
  }
}

// Compiled templates by text: the same parameter is rendered for every host and item, and a text
// often comes back under another name (the look-ahead's, a variable's). The name a template was
// compiled under is the one nunjucks puts in its errors (compileAndRender takes it off).
const compiledCache = new Map<string, nunjucks.Template>();
const COMPILED_CACHE_MAX = 5000;

function compiled(src: string, name: string): nunjucks.Template {
  let t = compiledCache.get(src);
  if (!t) {
    t = new nunjucks.Template(balanceBraces(src), env, name, true);
    if (compiledCache.size >= COMPILED_CACHE_MAX) compiledCache.clear();
    compiledCache.set(src, t);
  }
  return t;
}

/** ` in {{ ... }}`: the tag around a line and column of a template, to name what failed. */
function constructAt(src: string, line?: number, col?: number, missing?: string): string {
  const lines = src.split('\n');
  const naming = missing ? new RegExp(`(?:\\.|\\[\\s*['"])${missing.replace(/[^\w]/g, '')}\\b`) : undefined;
  // No line given (nunjucks gives none for an undefined attribute): the first line that names the
  // missing attribute, else the first line.
  let lineNo = line;
  if (lineNo === undefined) {
    const found = naming ? lines.findIndex((l) => naming.test(l)) : -1;
    lineNo = found >= 0 ? found + 1 : 1;
  }
  const text = lines[lineNo - 1];
  if (text === undefined) return '';
  let c = Math.min(Math.max(0, (col ?? 1) - 1), text.length);
  // nunjucks' column is often that of the output's start, not of the failing
  // lookup: with several tags on the line, name the one that holds the missing name.
  if (naming) {
    const at = text.slice(c).search(naming);
    if (at >= 0) c += at;
  }
  const open = Math.max(text.lastIndexOf('{{', c), text.lastIndexOf('{%', c));
  let tag = text.trim();
  if (open >= 0) {
    const close = text.slice(open).search(/[}%]\}/);
    tag = close >= 0 ? text.slice(open, open + close + 2) : text.slice(open);
  }
  tag = tag.replace(/__native\(([\s\S]*)\)/, '$1').replace(/\s+/g, ' ');
  return tag ? ` in ${tag.length > 160 ? tag.slice(0, 157) + '...' : tag}` : '';
}

function trailingNewlines(s: string): number {
  let n = 0;
  while (n < s.length && s[s.length - 1 - n] === '\n') n++;
  return n;
}

function compileAndRender(src: string, vars: Record<string, unknown>, name: string, lookup?: Lookup): string {
  const prev = currentLookup;
  currentLookup = lookup ?? prev ?? runLookup_;
  let compiledAs = name;
  let rendering = false;
  try {
    varsStack.push(vars);
    try {
      const t = compiled(src, name);
      compiledAs = (t as unknown as { path?: string }).path ?? name;
      rendering = true;
      const out = withBudget(() => t.render(vars));
      // Ansible gives back as many trailing newlines as the source had, even
      // where a block tag's trim_blocks ate the last one.
      const missing = trailingNewlines(src) - trailingNewlines(out);
      return missing > 0 ? out + '\n'.repeat(missing) : out;
    } finally {
      varsStack.pop();
    }
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    const loc = nunjucksLocation(e, compiledAs);
    // nunjucks counts lines from 0 in errors raised while rendering (from 1 in syntax errors).
    if (rendering && loc.line !== undefined) loc.line++;
    const undef = lastUndefinedFailure();
    if (e instanceof UndefinedValueError || (undef && loc.msg.endsWith(undef.message))) {
      const message = undef?.message ?? loc.msg;
      const missing = /has no attribute '(\w+)'/.exec(message)?.[1];
      throw new TemplateUndefinedError(`${message}${constructAt(src, loc.line, loc.col, missing)}`, name, loc.line, loc.col);
    }
    throw new TemplateError(loc.msg, name, loc.line, loc.col);
  } finally {
    currentLookup = prev;
  }
}

/** Renders a whole template file's text. */
export function renderText(src: string, vars: Record<string, unknown>, name: string, lookup?: Lookup): string {
  checkDefined(src, vars, name);
  return compileAndRender(src, vars, name, lookup);
}

/** Evaluates a bare Jinja expression (`when:`, `changed_when:`) to its native value. */
export function evaluateExpression(expr: string, vars: Record<string, unknown>, name: string, lookup?: Lookup): unknown {
  const src = `{{ __native(${expr}) }}`;
  checkDefined(src, vars, name);
  captured = undefined;
  compileAndRender(src, vars, name, lookup);
  const v = captured;
  captured = undefined;
  return v;
}

/** Renders one string value: native type for a lone {{ expr }}, text otherwise. */
export function renderValue(s: string, vars: Record<string, unknown>, name: string, lookup?: Lookup): unknown {
  if (!hasTemplate(s)) return s;
  const m = SINGLE_EXPR.exec(s);
  if (m) return loneValue(m[1], evaluateExpression(m[1], vars, name, lookup));
  return renderText(s, vars, name, lookup);
}

/**
 * What ansible-core 2.14 (jinja2_native off) keeps of a lone {{ expr }}: its
 * text, turned back into a value only when that text reads as a list, a dict
 * or a boolean. So numbers come out as their text ("{{ l | length }}" is '3')
 * and None as '' (Jinja's finalize); lists, dicts, booleans and strings stay.
 * `debug: var=` prints the same.
 */
export function loneValue(expr: string, v: unknown): unknown {
  // Ansible's shortcut: `{{ name }}` of one variable gives that variable's value itself (7 stays 7).
  if (/^\s*\w+\s*$/.test(expr) && !/^\s*(none|None|true|True|false|False)\s*$/.test(expr)) return v;
  return loneResult(v);
}

function loneResult(v: unknown): unknown {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || v instanceof PyFloat) return pyStr(v);
  return v;
}

/** Renders every string inside a structure (task parameters, vars). */
export function renderDeep(v: unknown, vars: Record<string, unknown>, name: string, lookup?: Lookup): unknown {
  if (typeof v === 'string') return renderValue(v, vars, name, lookup);
  if (v instanceof UnsafeText) return v.text;
  if (isData(v) || v instanceof PyFloat) return v;
  if (Array.isArray(v)) return v.map((x) => renderDeep(x, vars, name, lookup));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = renderDeep(x, vars, name, lookup);
    return out;
  }
  return v;
}

export { undefinedNames };
export const templateGlobals = (): string[] => [...GLOBALS];
