// nunjucks compiles Jinja operators to JavaScript's (`==` by reference, `*`
// on strings gives NaN, `[]` is true, `(1, 2)` is 2). These compiler patches
// route every operator, every truth test and every printed value through
// py-values.ts instead, so templates compute what Jinja2 computes.

import nunjucks from 'nunjucks';
import * as py from './py-values.js';
import { installPySyntax, pySlice, SLICE } from './py-syntax.js';
import { allowCall } from './sandbox.js';

interface Node { typename: string; lineno: number; colno: number; [k: string]: any }
interface Compiler {
  compile(node: unknown, frame: unknown): void;
  _emit(code: string): void;
  [k: string]: any;
}

let installed = false;

export function installPySemantics(): void {
  if (installed) return;
  installed = true;
  const lib = nunjucks as unknown as { compiler: { Compiler: { prototype: Compiler } }; runtime: Record<string, any>; nodes: Record<string, any> };
  const rt = lib.runtime;
  const proto = lib.compiler.Compiler.prototype;
  const nodes = lib.nodes;

  rt.py = py;
  rt.pySlice = pySlice;
  installPySyntax();
  const call = (fn: string) => function (this: Compiler, node: Node, frame: unknown) {
    this._emit(`runtime.py.${fn}(`);
    this.compile(node.left, frame);
    this._emit(', ');
    this.compile(node.right, frame);
    this._emit(')');
  };
  proto.compileAdd = call('pyAdd');
  proto.compileSub = call('pySub');
  proto.compileMul = call('pyMul');
  proto.compileDiv = call('pyDiv');
  proto.compileFloorDiv = call('pyFloorDiv');
  proto.compileMod = call('pyMod');
  proto.compilePow = call('pyPow');
  const unary = (fn: string) => function (this: Compiler, node: Node, frame: unknown) {
    this._emit(`runtime.py.${fn}(`);
    this.compile(node.target, frame);
    this._emit(')');
  };
  proto.compileNeg = unary('pyNeg');
  proto.compilePos = unary('pyPos');
  // A whole float literal is a boxed PyFloat: emitted as a call that makes it again.
  const compileLiteral = proto.compileLiteral;
  proto.compileLiteral = function (this: Compiler, node: Node, frame: unknown) {
    if (node.value instanceof py.PyFloat) {
      this._emit(`runtime.py.pyFloat(${Object.is(node.value.value, -0) ? '-0' : String(node.value.value)})`);
      return;
    }
    return compileLiteral.call(this, node, frame);
  };
  proto.compileConcat = function (this: Compiler, node: Node, frame: unknown) {
    this._emit('(runtime.py.pyStr(');
    this.compile(node.left, frame);
    this._emit(') + runtime.py.pyStr(');
    this.compile(node.right, frame);
    this._emit('))');
  };
  proto.compileCompare = function (this: Compiler, node: Node, frame: unknown) {
    this._emit('runtime.py.pyCompare(');
    this.compile(node.expr, frame);
    for (const op of node.ops as Node[]) {
      const sym = op.type === '===' ? '==' : op.type === '!==' ? '!=' : op.type;
      this._emit(`, ${JSON.stringify(sym)}, `);
      this.compile(op.expr, frame);
    }
    this._emit(')');
  };
  rt.inOperator = (item: unknown, container: unknown) => py.pyIn(item, container);
  // `a or b` and `a and b` give an operand, as in Python; b is evaluated only when needed.
  proto.compileOr = function (this: Compiler, node: Node, frame: unknown) {
    this._emit('(function(l){ return runtime.py.pyTruth(l) ? l : (');
    this.compile(node.right, frame);
    this._emit('); })(');
    this.compile(node.left, frame);
    this._emit(')');
  };
  proto.compileAnd = function (this: Compiler, node: Node, frame: unknown) {
    this._emit('(function(l){ return !runtime.py.pyTruth(l) ? l : (');
    this.compile(node.right, frame);
    this._emit('); })(');
    this.compile(node.left, frame);
    this._emit(')');
  };
  proto.compileNot = function (this: Compiler, node: Node, frame: unknown) {
    this._emit('(!runtime.py.pyTruth(');
    this.compile(node.target, frame);
    this._emit('))');
  };
  // `if` statements and inline ifs test Python truth: not(not(cond)).
  const truthy = (cond: Node) => new nodes.Not(cond.lineno, cond.colno, new nodes.Not(cond.lineno, cond.colno, cond));
  for (const name of ['compileIf', 'compileInlineIf']) {
    const original = proto[name];
    proto[name] = function (this: Compiler, node: Node, frame: unknown, ...rest: unknown[]) {
      if (!node.__pyTruth) {
        node.cond = truthy(node.cond);
        node.__pyTruth = true;
      }
      return original.call(this, node, frame, ...rest);
    };
  }
  // A list, tuple or dict written in a template with an undefined inside fails there (Ansible
  // would carry the undefined along and fail, or not, later: not reproduced).
  const compileAggregate = proto._compileAggregate;
  proto._compileAggregate = function (this: Compiler, node: Node, frame: unknown, start?: string, end?: string) {
    if ((start === '[' && end === ']' && (node.typename === 'Array' || node.typename === 'Group')) || (start === '{' && end === '}' && node.typename === 'Dict')) {
      this._emit('runtime.py.definedItems(');
      compileAggregate.call(this, node, frame, start, end);
      this._emit(')');
      return;
    }
    return compileAggregate.call(this, node, frame, start, end);
  };
  // `(1, 2)` is a tuple; `(x)` is x.
  const compileGroup = proto.compileGroup;
  proto.compileGroup = function (this: Compiler, node: Node, frame: unknown) {
    if ((node.children as Node[]).length <= 1 && !node.__tuple) return compileGroup.call(this, node, frame);
    this._emit('runtime.py.PyTuple.of2(');
    this._compileAggregate(node, frame, '[', ']');
    this._emit(')');
  };
  // `{% set ns.attr = value %}` on a namespace() object, as Jinja allows.
  const compileSet = proto.compileSet;
  proto.compileSet = function (this: Compiler, node: Node, frame: unknown) {
    const target = (node.targets as Node[])[0];
    if (node.targets.length === 1 && target.typename === 'LookupVal' && node.value) {
      this._emit('runtime.pySetAttr(');
      this.compile(target.target, frame);
      this._emit(', ');
      this.compile(target.val, frame);
      this._emit(', ');
      this.compile(node.value, frame);
      this._emitLine(');');
      return;
    }
    if ((node.targets as Node[]).some((t) => t.typename !== 'Symbol')) this.fail('this assignment target is not supported (only names and namespace attributes)', node.lineno, node.colno);
    if (node.targets.length > 1 && node.value) {
      // Unpacked as Python does: a hidden name holds the checked sequence, each target takes its item.
      const n = node.targets.length;
      const hidden = new nodes.Symbol(node.lineno, node.colno, `__cvg_unpack_${unpacks++}`);
      const unpack = new nodes.FunCall(node.lineno, node.colno, new nodes.Symbol(node.lineno, node.colno, '__cvg_unpack'), new nodes.NodeList(node.lineno, node.colno, [node.value, new nodes.Literal(node.lineno, node.colno, n)]));
      compileSet.call(this, new nodes.Set(node.lineno, node.colno, [hidden], unpack), frame);
      (node.targets as Node[]).forEach((t, i) => {
        const item = new nodes.LookupVal(node.lineno, node.colno, hidden, new nodes.Literal(node.lineno, node.colno, i));
        compileSet.call(this, new nodes.Set(node.lineno, node.colno, [t], item), frame);
      });
      return;
    }
    return compileSet.call(this, node, frame);
  };
  rt.pySetAttr = (obj: unknown, key: unknown, value: unknown) => {
    if (!py.isNamespace(obj)) throw new Error('cannot assign attribute on non-namespace object');
    (obj as Record<string, unknown>)[String(key)] = value;
  };
  // A test with several arguments (`is version('2.10', '>=')`): nunjucks joins them without commas.
  proto.compileIs = function (this: Compiler, node: Node, frame: unknown) {
    const right = node.right.name ? node.right.name.value : node.right.value;
    this._emit(`(env.getTest(${JSON.stringify(String(right))}).call(context, `);
    this.compile(node.left, frame);
    if (node.right.args) {
      this._emit(', ');
      this._compileAggregate(node.right.args, frame);
    }
    this._emit(') === true)');
  };
  // What `{{ }}` prints: Python's str() of the value; None prints nothing (Ansible's finalize).
  const suppress = rt.suppressValue;
  rt.suppressValue = (val: unknown, autoescape: boolean) => {
    if (val instanceof rt.SafeString) return suppress(val, autoescape);
    if (val === undefined || val === null) return '';
    if (val instanceof py.PyUndefined) val.fail();
    return suppress(py.pyStr(val), autoescape);
  };
  // loop.previtem, loop.nextitem, loop.cycle(...) and loop.depth as Jinja has them.
  const emitLoopBindings = proto._emitLoopBindings;
  proto._emitLoopBindings = function (this: Compiler, node: Node, arr: string, i: string, len: string) {
    emitLoopBindings.call(this, node, arr, i, len);
    this._emitLine(`frame.set("loop.previtem", ${i} > 0 ? ${arr}[${i} - 1] : runtime.pyNoItem('previous'));`);
    this._emitLine(`frame.set("loop.nextitem", ${i} < ${len} - 1 ? ${arr}[${i} + 1] : runtime.pyNoItem('next'));`);
    this._emitLine(`frame.set("loop.cycle", runtime.pyLoopCycle(${i}));`);
    this._emitLine(`frame.set("loop.depth", runtime.pyLoopDepth(frame));`);
    this._emitLine(`frame.set("loop.depth0", runtime.pyLoopDepth(frame) - 1);`);
  };
  rt.pyNoItem = (which: string) => new py.PyUndefined(`there is no ${which} item`);
  rt.pyLoopCycle = (i: number) => allowCall((...items: unknown[]) => {
    if (!items.length) throw new Error('no items for cycling given');
    return items[i % items.length];
  });
  // Nested for loops each push a frame that holds its own `loop`; count them up the chain.
  rt.pyLoopDepth = (frame: { parent?: unknown; variables?: Record<string, unknown>; isolateWrites?: boolean }) => {
    let depth = 0;
    for (let f: any = frame; f; f = f.parent) if (f.variables && Object.prototype.hasOwnProperty.call(f.variables, 'loop')) depth++;
    return Math.max(1, depth);
  };
  rt.pyUnpack = (v: unknown, n: number) => {
    py.defined(v);
    const items = typeof v === 'string' ? [...v] : Array.isArray(v) ? v : undefined;
    if (!items) throw new py.PyTypeError(`cannot unpack non-iterable ${py.typeName(v)} object`);
    if (items.length > n) throw new py.PyTypeError(`too many values to unpack (expected ${n})`);
    if (items.length < n) throw new py.PyTypeError(`not enough values to unpack (expected ${n}, got ${items.length})`);
    return items;
  };
  // `for a, b in x`: each item is unpacked as Python does; a mapping would give its keys (strings),
  // which nunjucks would silently turn into key/value pairs: refused instead.
  rt.pyIterPairs = (v: unknown, n: number) => {
    py.defined(v);
    if (v && typeof v === 'object' && !Array.isArray(v)) throw new py.PyTypeError('a for loop with several names over a mapping unpacks its keys; loop over .items() or | dictsort');
    const items = typeof v === 'string' ? [...v] : (v as unknown[]) ?? [];
    return items.map((x) => rt.pyUnpack(x, n));
  };
  // A loop over a mapping iterates its keys, as in Python.
  rt.pyIter = (v: unknown) => (py.defined(v) && typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof rt.SafeString) ? Object.keys(v) : v);
  // `{% for x in items if cond %}`: the items are filtered first, so loop.index,
  // loop.length and the loop's else see only what passed, as in Jinja.
  const compileFor = proto.compileFor;
  let filtered = 0;
  let unpacks = 0;
  proto.compileFor = function (this: Compiler, node: Node, frame: any) {
    const single = node.name.typename === 'Symbol';
    if (node.arr.typename === 'InlineIf' && node.arr.else_ == null && !node.__pyFiltered) {
      if (!single) this.fail('a loop filter (`for a, b in x if ...`) over pairs is not supported; filter with selectattr first', node.lineno, node.colno);
      node.__pyFiltered = true;
      const out = this._tmpid();
      const src = this._tmpid();
      const idx = this._tmpid();
      const item = this._tmpid();
      this._emitLine(`var ${out} = [];`);
      this._emit(`var ${src} = runtime.fromIterator(runtime.pyIter(`);
      this.compile(node.arr.body, frame);
      this._emitLine(')) || [];');
      this._emitLine(`for (var ${idx} = 0; ${idx} < ${src}.length; ${idx}++) { var ${item} = ${src}[${idx}];`);
      const inner = frame.push();
      inner.set(node.name.value, item);
      this._emit('if (runtime.py.pyTruth(');
      this.compile(node.arr.cond, inner);
      this._emitLine(`)) ${out}.push(${item}); }`);
      const name = `__cvg_filtered_${filtered++}`;
      frame.set(name, out);
      node.arr = new nodes.Symbol(node.lineno, node.colno, name);
    } else if (!single && !node.__pyIter && node.name.typename === 'Array') {
      node.__pyIter = true;
      node.arr = new nodes.FunCall(node.lineno, node.colno, new nodes.Symbol(node.lineno, node.colno, '__cvg_py_pairs'), new nodes.NodeList(node.lineno, node.colno, [node.arr, new nodes.Literal(node.lineno, node.colno, node.name.children.length)]));
    } else if (single && !node.__pyIter) {
      node.__pyIter = true;
      node.arr = new nodes.FunCall(node.lineno, node.colno, new nodes.Symbol(node.lineno, node.colno, '__cvg_py_iter'), new nodes.NodeList(node.lineno, node.colno, [node.arr]));
    }
    return compileFor.call(this, node, frame);
  };
  // The FunCall above compiles to a call of this name.
  const compileFunCall = proto.compileFunCall;
  proto.compileFunCall = function (this: Compiler, node: Node, frame: unknown) {
    if (node.name?.typename === 'Symbol' && node.name.value === SLICE) {
      this._emit('runtime.pySlice(');
      (node.args.children as Node[]).forEach((c, i) => {
        if (i) this._emit(', ');
        this.compile(c, frame);
      });
      this._emit(')');
      return;
    }
    if (node.name?.typename === 'Symbol' && node.name.value === '__cvg_unpack') {
      this._emit('runtime.pyUnpack(');
      this.compile(node.args.children[0], frame);
      this._emit(', ');
      this.compile(node.args.children[1], frame);
      this._emit(')');
      return;
    }
    if (node.name?.typename === 'Symbol' && node.name.value === '__cvg_py_pairs') {
      this._emit('runtime.pyIterPairs(');
      this.compile(node.args.children[0], frame);
      this._emit(', ');
      this.compile(node.args.children[1], frame);
      this._emit(')');
      return;
    }
    if (node.name?.typename === 'Symbol' && node.name.value === '__cvg_py_iter') {
      this._emit('runtime.pyIter(');
      this.compile(node.args.children[0], frame);
      this._emit(')');
      return;
    }
    return compileFunCall.call(this, node, frame);
  };
}
