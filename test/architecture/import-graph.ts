// The import graph of the TypeScript sources, read from the import and export
// statements (static `import ... from`, `export ... from`, `import('...')`).
// Written here rather than taken from madge or dpdm: those pull in a parser
// and dozens of packages for what is a regex over ~150 files whose imports are
// all relative `./x.js` paths, and this one reads src/ directly, no build.
// Type-only imports count: a cycle of types is still two folders that cannot
// be understood, moved or tested apart.

import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Every .ts file under dir (no .d.ts), as absolute paths. */
export function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative imports of one file, resolved to .ts paths that exist. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = new Set<string>();
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const base = resolve(dirname(file), spec);
    const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
    const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
    if (hit) found.add(hit);
  }
  return [...found];
}

export type Graph = Map<string, string[]>;

/** The graph of the files under the roots and every file they reach. */
export function importGraph(roots: string[]): Graph {
  const graph: Graph = new Map();
  const todo = roots.flatMap(tsFiles);
  while (todo.length) {
    const f = todo.pop()!;
    if (graph.has(f)) continue;
    const deps = importsOf(f);
    graph.set(f, deps);
    todo.push(...deps);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan), each sorted. */
export function cycles(graph: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/** The graph with files collapsed to their folders (src/engine, src/host ...); self-edges dropped. */
export function folderGraph(graph: Graph, root: string): Graph {
  const folder = (f: string) => relative(root, dirname(f));
  const out: Graph = new Map();
  for (const [f, deps] of graph) {
    const from = folder(f);
    const set = new Set(out.get(from) ?? []);
    for (const d of deps) if (folder(d) !== from) set.add(folder(d));
    out.set(from, [...set]);
  }
  return out;
}
