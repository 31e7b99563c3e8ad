// Finds the variables a Jinja template reads that nobody defines, with their
// line and column, by walking nunjucks' syntax tree. Used at run time for a
// clear "undefined variable 'x'" and before the run for static validation.
// Names guarded by `is defined`, `is undefined`, `default(...)` or `d(...)`
// are not counted, nor names bound inside the template (for, set, macro).
// Guards reach where Jinja evaluates only under them: the right of
// `x is defined and x.y`, of `x is undefined or x.y`, the branches of
// `a if x is defined else b` and of `{% if %}` / `{% elif %}` / `{% else %}`.

import nunjucks from 'nunjucks';

// nunjucks exposes its parser and node classes at runtime but not in its types.
const nj = nunjucks as unknown as {
  parser: { parse(src: string, extensions?: unknown[], opts?: unknown): Node };
  nodes: Record<string, new (...a: unknown[]) => Node>;
};

interface Node {
  typename: string;
  lineno: number;
  colno: number;
  fields: string[];
  children?: Node[];
  value?: unknown;
  [k: string]: unknown;
}

export interface UndefinedName { name: string; line: number; col: number }

const GUARD_TESTS = new Set(['defined', 'undefined', 'none']);
const GUARD_FILTERS = new Set(['default', 'd', 'mandatory']);

/** The variable an expression starts from: `x` of `x.a['b']`. */
function rootName(n: Node | undefined): string | undefined {
  while (n && n.typename === 'LookupVal') n = n.target as Node;
  return n?.typename === 'Symbol' ? String(n.value) : undefined;
}

function testOf(n: Node): string {
  const right = n.right as Node;
  return right?.typename === 'Symbol' ? String(right.value) : right?.typename === 'FunCall' ? String((right.name as Node)?.value) : '';
}

/** Names certainly defined when `n` is true (`when` is true) or false (`when` is false). */
export function definedWhen(n: Node | undefined, when: boolean): Set<string> {
  const out = new Set<string>();
  if (!n) return out;
  switch (n.typename) {
    case 'Is': {
      const t = testOf(n);
      const root = rootName(n.left as Node);
      if (root && ((t === 'defined' && when) || (t === 'undefined' && !when))) out.add(root);
      return out;
    }
    case 'Not':
      return definedWhen(n.target as Node, !when);
    case 'Group':
      return (n.children ?? []).length === 1 ? definedWhen(n.children![0], when) : out;
    case 'And':
    case 'Or': {
      const a = definedWhen(n.left as Node, when);
      const b = definedWhen(n.right as Node, when);
      // and-true / or-false: both sides held; and-false / or-true: either may have.
      if ((n.typename === 'And') === when) return new Set([...a, ...b]);
      return new Set([...a].filter((x) => b.has(x)));
    }
  }
  return out;
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  if (!b.size) return a;
  return new Set([...a, ...b]);
}

function symbolsIn(node: unknown, out: Node[], bound: Set<string>, guarded: Set<string> = new Set()): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Node;
  if (!n.typename) return;
  switch (n.typename) {
    case 'Symbol':
      if (!guarded.has(String(n.value))) out.push(n);
      return;
    case 'And':
    case 'Or':
      symbolsIn(n.left, out, bound, guarded);
      symbolsIn(n.right, out, bound, union(guarded, definedWhen(n.left as Node, n.typename === 'And')));
      return;
    case 'InlineIf':
    case 'If':
    case 'IfAsync':
      symbolsIn(n.cond, out, bound, guarded);
      symbolsIn(n.body, out, bound, union(guarded, definedWhen(n.cond as Node, true)));
      symbolsIn(n.else_, out, bound, union(guarded, definedWhen(n.cond as Node, false)));
      return;
    case 'Is': {
      const right = n.right as Node;
      const testName = right?.typename === 'Symbol' ? String(right.value) : right?.typename === 'FunCall' ? String((right.name as Node)?.value) : '';
      if (GUARD_TESTS.has(testName)) return; // the guarded operand may be undefined
      symbolsIn(n.left, out, bound, guarded);
      // The test's own name is a Symbol node but not a variable; its arguments are.
      if (right?.typename === 'FunCall') symbolsIn(right.args, out, bound, guarded);
      return;
    }
    case 'Filter': {
      const name = String((n.name as Node)?.value ?? '');
      if (GUARD_FILTERS.has(name)) {
        const args = (n.args as Node).children ?? [];
        for (const a of args.slice(1)) symbolsIn(a, out, bound, guarded);
        return;
      }
      // The filter's own name is a Symbol node but is not a variable.
      symbolsIn(n.args, out, bound, guarded);
      return;
    }
    case 'FunCall': {
      const name = n.name as Node;
      if (name?.typename !== 'Symbol') symbolsIn(name, out, bound, guarded);
      symbolsIn(n.args, out, bound, guarded);
      return;
    }
    case 'LookupVal':
      symbolsIn(n.target, out, bound, guarded);
      symbolsIn(n.val, out, bound, guarded);
      return;
    case 'For':
      collectTargets(n.name as Node, bound);
      bound.add('loop');
      break;
    case 'Set':
      for (const t of (n.targets as Node[]) ?? []) collectTargets(t, bound);
      break;
    case 'Macro':
      collectTargets(n.name as Node, bound);
      for (const a of ((n.args as Node)?.children ?? [])) collectTargets(a, bound);
      break;
    case 'Import':
    case 'FromImport':
      collectTargets(n.target as Node, bound);
      break;
    case 'KeywordArgs':
    case 'Dict':
      for (const p of n.children ?? []) symbolsIn((p as Node).value, out, bound, guarded);
      return;
  }
  for (const f of n.fields ?? []) {
    const v = n[f];
    if (Array.isArray(v)) v.forEach((c) => symbolsIn(c, out, bound, guarded));
    else symbolsIn(v, out, bound, guarded);
  }
  if (Array.isArray(n.children)) n.children.forEach((c) => symbolsIn(c, out, bound, guarded));
}

function collectTargets(n: Node | undefined, bound: Set<string>): void {
  if (!n) return;
  if (n.typename === 'Symbol') bound.add(String(n.value));
  else if (n.typename === 'Pair') { collectTargets(n.key as Node, bound); collectTargets(n.value as Node, bound); }
  for (const c of n.children ?? []) collectTargets(c, bound);
}

interface Parsed { symbols: Node[]; bound: Set<string> }

// The same template text is checked for every host and loop item: parse it once.
const parsedCache = new Map<string, Parsed>();
const PARSED_CACHE_MAX = 5000;

function parsed(src: string): Parsed {
  let p = parsedCache.get(src);
  if (!p) {
    const root = nj.parser.parse(src, [], {});
    p = { symbols: [], bound: new Set<string>() };
    symbolsIn(root, p.symbols, p.bound);
    if (parsedCache.size >= PARSED_CACHE_MAX) parsedCache.clear();
    parsedCache.set(src, p);
  }
  return p;
}

/** Throws nunjucks' own syntax error for a malformed template. */
export function undefinedNames(src: string, isDefined: (name: string) => boolean): UndefinedName[] {
  const { symbols, bound } = parsed(src);
  const seen = new Set<string>();
  const out: UndefinedName[] = [];
  for (const s of symbols) {
    const name = String(s.value);
    if (bound.has(name) || isDefined(name) || seen.has(name)) continue;
    if (['true', 'false', 'none', 'True', 'False', 'None', 'loop', 'caller'].includes(name)) continue;
    seen.add(name);
    out.push({ name, line: s.lineno + 1, col: s.colno + 1 });
  }
  return out;
}

/** Names a bare expression (a `when:` item) guarantees defined when it is true. */
export function definedIfTrue(expr: string): string[] {
  try {
    const root = nj.parser.parse(`{{ ${expr} }}`, [], {});
    const output = (root.children ?? [])[0];
    const e = output?.typename === 'Output' ? (output.children ?? [])[0] : undefined;
    return [...definedWhen(e, true)];
  } catch {
    return [];
  }
}
