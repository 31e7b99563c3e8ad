// Jinja's `+` on two lists makes one list (`a + ['x']`, common in Ansible
// vars); nunjucks compiles `+` to JavaScript's, which turns lists into a
// string ("1,23"). The compiler's add is routed through jinjaAdd instead.

import nunjucks from 'nunjucks';

export function jinjaAdd(a: unknown, b: unknown): unknown {
  const la = Array.isArray(a);
  const lb = Array.isArray(b);
  if (la && lb) return [...(a as unknown[]), ...(b as unknown[])];
  if (la || lb) {
    // What Jinja says, rather than JavaScript's silent string.
    throw new Error(`can only concatenate a list to a list, not ${la ? describe(b) : describe(a)}`);
  }
  return (a as number) + (b as number);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  return typeof v === 'object' ? 'a mapping' : `a ${typeof v}`;
}

interface CompilerProto {
  compile(node: unknown, frame: unknown): void;
  _emit(code: string): void;
}

let installed = false;

/** Once per process: every template compiled afterwards uses jinjaAdd for `+`. */
export function installJinjaAdd(): void {
  if (installed) return;
  installed = true;
  const lib = nunjucks as unknown as { compiler: { Compiler: { prototype: CompilerProto & { compileAdd: unknown } } }; runtime: Record<string, unknown> };
  lib.runtime.convergeJinjaAdd = jinjaAdd;
  lib.compiler.Compiler.prototype.compileAdd = function compileAdd(this: CompilerProto, node: { left: unknown; right: unknown }, frame: unknown) {
    this._emit('runtime.convergeJinjaAdd(');
    this.compile(node.left, frame);
    this._emit(', ');
    this.compile(node.right, frame);
    this._emit(')');
  };
}
