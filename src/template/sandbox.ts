// nunjucks compiles templates to JavaScript, where `range.constructor` is
// Function and `x.__proto__` the prototype chain. These patches on its
// runtime make a template see only data: attributes are a value's own keys,
// list items (negative indexes from the end, as in Python) and the Python
// methods of py-methods.ts; only functions converge hands out can be called;
// and loops share a budget, so a runaway template stops with an error.

import { PyGroupTuple, PyUndefined, undefinedMember } from './py-values.js';
import nunjucks from 'nunjucks';
import { hasKey, pyMethod } from './py-methods.js';

export class TemplateLimitError extends Error {}

/** Functions a template may call: globals, macros, and the methods handed out below. */
const CALLABLE = new WeakSet<Function>();

export function allowCall<T extends Function>(fn: T): T {
  CALLABLE.add(fn);
  return fn;
}

// Names that lead from a value to the JavaScript or Python runtime.
const FORBIDDEN = /^(constructor|prototype|__\w*__|__(define|lookup)[GS]etter__|func_globals|f_globals|gi_frame|tb_frame)$/;

/** Loop iterations allowed in one render (all nested templates included). */
export const MAX_ITERATIONS = 1_000_000;
/** Longest a single render may run before it is stopped. */
export const MAX_RENDER_MS = 20_000;

let iterations = 0;
let deadline = 0;
let depth = 0;

/** Runs one render inside the budget; nested renders (lazy variables) share the outer one's. */
export function withBudget<T>(fn: () => T): T {
  if (depth === 0) {
    iterations = 0;
    deadline = Date.now() + MAX_RENDER_MS;
  }
  depth++;
  try {
    return fn();
  } catch (e) {
    // nunjucks wraps what a render throws in an Error of its own: match the text.
    if (e instanceof Error && /Maximum call stack size exceeded/.test(e.message)) {
      throw new TemplateLimitError('template recursion too deep (a macro or variable that calls itself without end?)');
    }
    throw e;
  } finally {
    depth--;
  }
}

/** Counts `n` loop iterations against the budget. */
export function spend(n: number): void {
  iterations += n;
  if (iterations > MAX_ITERATIONS) {
    throw new TemplateLimitError(`template loops ran more than ${MAX_ITERATIONS} iterations; stopped`);
  }
  if (Date.now() > deadline) throw new TemplateLimitError(`template ran longer than ${MAX_RENDER_MS / 1000} s; stopped`);
}

function bound(obj: unknown, fn: (self: any, ...a: any[]) => unknown): Function {
  return allowCall((...args: unknown[]) => fn(obj, ...args));
}

export function safeMember(obj: unknown, key: unknown): unknown {
  // An undefined's attributes and items are itself (AnsibleUndefined keeps the first failure).
  if (obj instanceof PyUndefined) return obj;
  if (obj === undefined || obj === null) return undefinedMember(obj, key);
  const name = typeof key === 'number' ? key : String(key);
  if (typeof name === 'string' && FORBIDDEN.test(name)) {
    throw new Error(`access to '${name}' is not allowed in a template`);
  }
  if (typeof obj === 'string' || Array.isArray(obj)) {
    if (typeof key === 'number' || (typeof key === 'string' && /^-?\d+$/.test(key))) {
      const i = Number(key);
      const j = i < 0 ? obj.length + i : i;
      if (j < 0 || j >= obj.length) return undefinedMember(obj, i);
      return (obj as ArrayLike<unknown>)[j];
    }
    if (obj instanceof PyGroupTuple && (name === 'grouper' || name === 'list')) return obj[name === 'grouper' ? 0 : 1];
    const m = pyMethod(obj, String(name));
    return m ? bound(obj, m) : undefinedMember(obj, key);
  }
  if (typeof obj === 'function' || typeof obj !== 'object') return undefinedMember(obj, key);
  const k = String(name);
  if (hasKey(obj, k)) {
    const v = (obj as Record<string, unknown>)[k];
    if (typeof v === 'function') return CALLABLE.has(v) ? bound(obj, (self, ...a) => v.apply(self, a)) : undefinedMember(obj, key);
    return v;
  }
  const m = pyMethod(obj, k);
  return m ? bound(obj, m) : undefinedMember(obj, key);
}

let installed = false;

/** Once per process, before any template is compiled. */
export function installSandbox(): void {
  if (installed) return;
  installed = true;
  const rt = (nunjucks as unknown as { runtime: Record<string, any> }).runtime;
  rt.memberLookup = safeMember;
  rt.callWrap = (obj: unknown, name: string, context: unknown, args: unknown[]) => {
    if (obj instanceof PyUndefined) obj.fail();
    if (typeof obj !== 'function') throw new Error(`'${name}' is not callable`);
    if (!CALLABLE.has(obj)) throw new Error(`calling '${name}' is not allowed in a template`);
    return obj.apply(context, args);
  };
  const makeMacro = rt.makeMacro;
  rt.makeMacro = (...a: unknown[]) => allowCall(makeMacro(...a));
  const fromIterator = rt.fromIterator;
  rt.fromIterator = (arr: unknown) => {
    const out = fromIterator(arr);
    spend(Array.isArray(out) ? out.length : out && typeof out === 'object' ? Object.keys(out).length : 0);
    return out;
  };
}
