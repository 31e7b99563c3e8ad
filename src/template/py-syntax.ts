// Jinja syntax nunjucks' parser lacks: slices (`lst[1:]`, `s[::-1]`) and a
// test's single argument without parentheses (`n is divisibleby 3`,
// `x is sameas true`). Slices compile to a call of py-values' pySlice.

import nunjucks from 'nunjucks';
import { pyFloat, PyTuple } from './py-values.js';
import { installJinjaStringLiterals } from './py-string-literal.js';

interface Tok { type: string; value: string; lineno: number; colno: number }

export const SLICE = '__cvg_slice';

/** Python's seq[start:stop:step] for strings, lists and tuples. */
export function pySlice(v: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  const seq: unknown[] | string = typeof v === 'string' ? v : Array.isArray(v) ? v : (() => { throw new Error(`'${v === null ? 'NoneType' : typeof v}' object is not subscriptable`); })();
  const n = seq.length;
  const st = step === null || step === undefined ? 1 : Number(step);
  if (st === 0) throw new Error('slice step cannot be zero');
  const norm = (x: unknown, dflt: number, lo: number, hi: number) => {
    if (x === null || x === undefined) return dflt;
    let i = Math.trunc(Number(x));
    if (i < 0) i += n;
    return Math.min(Math.max(i, lo), hi);
  };
  const a = st > 0 ? norm(start, 0, 0, n) : norm(start, n - 1, -1, n - 1);
  const b = st > 0 ? norm(stop, n, 0, n) : norm(stop, -1, -1, n - 1);
  const idx: number[] = [];
  for (let i = a; st > 0 ? i < b : i > b; i += st) idx.push(i);
  if (typeof seq === 'string') return idx.map((i) => seq[i]).join('');
  const items = idx.map((i) => seq[i]);
  return v instanceof PyTuple ? PyTuple.of2(items) : items;
}

let installed = false;

export function installPySyntax(): void {
  if (installed) return;
  installed = true;
  const lib = nunjucks as unknown as { parser: { Parser: { prototype: any } }; lexer: Record<string, string>; nodes: Record<string, any> };
  const P = lib.parser.Parser.prototype;
  const L = lib.lexer;
  const N = lib.nodes;

  P.parsePostfix = function (this: any, node: any) {
    let tok: Tok = this.peekToken();
    while (tok) {
      if (tok.type === L.TOKEN_LEFT_PAREN) {
        node = new N.FunCall(tok.lineno, tok.colno, node, this.parseSignature());
        tok = this.peekToken();
        continue;
      }
      if (tok.type === L.TOKEN_OPERATOR && tok.value === '.') {
        this.nextToken();
        const val: Tok = this.nextToken();
        // `item.0` and `item.0.name` index by number (the lexer reads `0.` as a float).
        if (val && (val.type === L.TOKEN_INT || val.type === L.TOKEN_FLOAT)) {
          const [whole, frac] = val.value.split('.');
          node = new N.LookupVal(tok.lineno, tok.colno, node, new N.Literal(val.lineno, val.colno, parseInt(whole, 10)));
          if (frac) node = new N.LookupVal(tok.lineno, tok.colno, node, new N.Literal(val.lineno, val.colno, parseInt(frac, 10)));
          else if (val.type === L.TOKEN_FLOAT) {
            const name: Tok = this.nextToken();
            if (!name || (name.type !== L.TOKEN_SYMBOL && name.type !== L.TOKEN_INT)) this.fail(`expected name as lookup value, got ${name?.value}`, name?.lineno, name?.colno);
            node = new N.LookupVal(tok.lineno, tok.colno, node, new N.Literal(name.lineno, name.colno, name.type === L.TOKEN_INT ? parseInt(name.value, 10) : name.value));
          }
          tok = this.peekToken();
          continue;
        }
        if (!val || val.type !== L.TOKEN_SYMBOL) this.fail(`expected name as lookup value, got ${val?.value}`, val?.lineno, val?.colno);
        node = new N.LookupVal(tok.lineno, tok.colno, node, new N.Literal(val.lineno, val.colno, val.value));
        tok = this.peekToken();
        continue;
      }
      if (tok.type !== L.TOKEN_LEFT_BRACKET) break;
      this.nextToken();
      const parts: unknown[] = [null, null, null];
      let part = 0;
      for (;;) {
        const t: Tok = this.peekToken();
        if (!t) this.fail('unexpected end of template in a subscript');
        if (t.type === L.TOKEN_RIGHT_BRACKET) { this.nextToken(); break; }
        if (t.type === L.TOKEN_COLON) {
          this.nextToken();
          part++;
          if (part > 2) this.fail('a slice has at most three parts', t.lineno, t.colno);
          continue;
        }
        if (parts[part] !== null) this.fail('expected ] or : in a subscript', t.lineno, t.colno);
        parts[part] = this.parseExpression();
      }
      if (part === 0) {
        if (parts[0] === null) this.fail('empty subscript', tok.lineno, tok.colno);
        node = new N.LookupVal(tok.lineno, tok.colno, node, parts[0]);
      } else {
        const args = [node, ...parts.map((p) => p ?? new N.Literal(tok.lineno, tok.colno, null))];
        node = new N.FunCall(tok.lineno, tok.colno, new N.Symbol(tok.lineno, tok.colno, SLICE), new N.NodeList(tok.lineno, tok.colno, args));
      }
      tok = this.peekToken();
    }
    return node;
  };

  // Float literals are Python floats (1.0 prints as 1.0), exponents included (1e3, 1.5e-3).
  const parsePrimary = P.parsePrimary;
  P.parsePrimary = function (this: any, noPostfix?: boolean) {
    const tok: Tok | null = this.peekToken();
    if (tok && tok.type === L.TOKEN_FLOAT) {
      this.nextToken();
      const node = new N.Literal(tok.lineno, tok.colno, pyFloat(Number(tok.value.replace(/_/g, ''))));
      return noPostfix ? node : this.parsePostfix(node);
    }
    return parsePrimary.call(this, noPostfix);
  };
  const lexerLib = nunjucks as unknown as { lexer: { lex(src: string, opts?: unknown): any } };
  const T = Object.getPrototypeOf(lexerLib.lexer.lex(''));
  installJinjaStringLiterals(T);
  const nextToken = T.nextToken;
  T.nextToken = function (this: any) {
    if (this.in_code && !this.isFinished()) {
      const rest: string = this.str.slice(this.index, this.index + 64);
      const m = /^\d[\d_]*(?:\.\d[\d_]*)?[eE][-+]?\d[\d_]*/.exec(rest);
      if (m && this.str[this.index - 1] !== '.') {
        const { lineno, colno } = this;
        for (let i = 0; i < m[0].length; i++) this.forward();
        return { type: L.TOKEN_FLOAT, value: m[0], lineno, colno };
      }
    }
    return nextToken.call(this);
  };
  // Tuples as Jinja writes them: `()`, `('x',)`; trailing commas in lists and dicts.
  P.parseAggregate = function (this: any) {
    const tok: Tok = this.nextToken();
    const kinds: Record<string, [string, string]> = { [L.TOKEN_LEFT_PAREN]: ['Group', L.TOKEN_RIGHT_PAREN], [L.TOKEN_LEFT_BRACKET]: ['Array', L.TOKEN_RIGHT_BRACKET], [L.TOKEN_LEFT_CURLY]: ['Dict', L.TOKEN_RIGHT_CURLY] };
    const kind = kinds[tok.type];
    if (!kind) return null;
    const node = new N[kind[0]](tok.lineno, tok.colno);
    let comma = false;
    for (;;) {
      const next: Tok = this.peekToken();
      if (!next) this.fail(`unexpected end of template, expected '${kind[1] === L.TOKEN_RIGHT_PAREN ? ')' : kind[1] === L.TOKEN_RIGHT_BRACKET ? ']' : '}'}'`, tok.lineno, tok.colno);
      if (next.type === kind[1]) { this.nextToken(); break; }
      if (node.children.length > 0 && !comma) {
        if (!this.skip(L.TOKEN_COMMA)) this.fail('expected a comma between items', next.lineno, next.colno);
        comma = true;
        continue;
      }
      if (kind[0] === 'Dict') {
        const key = this.parsePrimary();
        if (!this.skip(L.TOKEN_COLON)) this.fail('expected a colon after a dict key', key.lineno, key.colno);
        const value = this.parseExpression();
        node.addChild(new N.Pair(key.lineno, key.colno, key, value));
      } else node.addChild(this.parseExpression());
      comma = false;
    }
    if (kind[0] === 'Group' && (node.children.length === 0 || comma)) node.__tuple = true;
    return node;
  };

  // `{% set a, b = 1, 2 %}`: the value of several targets is a tuple, unpacked (py-semantics.ts).
  P.parseSet = function (this: any) {
    const tag: Tok = this.peekToken();
    if (!this.skipSymbol('set')) this.fail('parseSet: expected set', tag.lineno, tag.colno);
    const node = new N.Set(tag.lineno, tag.colno, []);
    for (;;) {
      node.targets.push(this.parsePrimary());
      if (!this.skip(L.TOKEN_COMMA)) break;
    }
    if (!this.skipValue(L.TOKEN_OPERATOR, '=')) {
      if (!this.skip(L.TOKEN_BLOCK_END)) this.fail('expected = or the end of the set tag', tag.lineno, tag.colno);
      if (node.targets.length > 1) this.fail('a block set takes one name', tag.lineno, tag.colno);
      node.body = new N.Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
      node.value = null;
      this.advanceAfterBlockEnd();
      return node;
    }
    let value = this.parseExpression();
    if (this.skip(L.TOKEN_COMMA)) {
      const group = new N.Group(value.lineno, value.colno);
      group.addChild(value);
      group.__tuple = true;
      while (this.peekToken() && this.peekToken().type !== L.TOKEN_BLOCK_END) {
        group.addChild(this.parseExpression());
        if (!this.skip(L.TOKEN_COMMA)) break;
      }
      value = group;
    }
    node.value = value;
    this.advanceAfterBlockEnd(tag.value);
    return node;
  };

  // `x is test arg`: Jinja takes one bare argument when a value follows the test's name.
  const ARG_START = new Set([L.TOKEN_STRING, L.TOKEN_INT, L.TOKEN_FLOAT, L.TOKEN_BOOLEAN, L.TOKEN_NONE, L.TOKEN_LEFT_BRACKET, L.TOKEN_LEFT_CURLY, L.TOKEN_SYMBOL]);
  const NOT_ARG = new Set(['and', 'or', 'else', 'if', 'in', 'is', 'not']);
  P.parseIs = function (this: any) {
    let node = this.parseCompare();
    if (this.skipSymbol('is')) {
      const not = this.skipSymbol('not');
      let test = this.parsePrimary();
      const next: Tok | null = this.peekToken();
      if (test.typename === 'Symbol' && next && ARG_START.has(next.type) && !(next.type === L.TOKEN_SYMBOL && NOT_ARG.has(next.value))) {
        const arg = this.parsePrimary();
        test = new N.FunCall(test.lineno, test.colno, test, new N.NodeList(arg.lineno, arg.colno, [arg]));
      }
      node = new N.Is(node.lineno, node.colno, node, test);
      if (not) node = new N.Not(node.lineno, node.colno, node);
    }
    return node;
  };
}
