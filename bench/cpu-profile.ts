// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went:
// startup (everything before converge's main() first runs: Node's bootstrap
// and loading the module graph) against the run itself, and within each, by
// what code was on top of the stack.

import * as fs from 'node:fs';

interface CallFrame { functionName: string; url: string }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileBreakdown {
  totalMs: number;
  startupMs: number;
  runMs: number;
  startup: Record<string, number>;
  run: Record<string, number>;
}

/** What a piece of code is, from its script URL; undefined for Node's own JS. */
function owner(url: string): string | undefined {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) {
    const p = pkg[1];
    if (p.startsWith('ajv') || p === 'fast-uri' || p === 'json-schema-traverse' || p === 'fast-deep-equal') return 'ajv (JSON Schema compile + validate)';
    if (p === 'ssh2' || p === 'asn1' || p === 'bcrypt-pbkdf' || p === 'tweetnacl' || p === 'cpu-features' || p === 'safer-buffer') return 'ssh2 (+ crypto deps)';
    if (p === 'nunjucks' || p === 'asap' || p === 'a-sync-waterfall') return 'nunjucks (templates)';
    return p;
  }
  const own = /dist\/(src\/[a-z-]+|modules)\//.exec(url);
  if (own) {
    const area = own[1];
    if (area === 'src/config' || area === 'src/inventory') return 'converge: config/inventory parse + validate';
    if (area === 'src/template') return 'converge: template glue';
    if (area === 'src/host') return 'converge: host (I/O calls)';
    if (area === 'modules') return 'converge: modules (plan)';
    return `converge: ${area.replace('src/', '')}`;
  }
  return undefined;
}

function classify(stack: CallFrame[]): string {
  const leaf = stack[0];
  if (leaf.functionName === '(garbage collector)') return 'garbage collector';
  if (leaf.functionName === '(idle)') return 'idle (waiting for I/O)';
  if (leaf.functionName === '(program)') return 'V8/native (program)';
  for (const f of stack) {
    if (f.url.startsWith('node:internal/modules') || f.functionName === 'compileFunction' || f.functionName === 'wrapSafe') return 'module loading (resolve, read, compile)';
    const o = owner(f.url);
    if (o) return o;
  }
  if (stack.some((f) => f.url.startsWith('node:internal/fs') || f.url === 'node:fs')) return 'node fs';
  return 'node internals';
}

export function analyzeCpuProfile(file: string): ProfileBreakdown {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = new Map<number, CallFrame[]>();
  const stack = (id: number): CallFrame[] => {
    let s = stackOf.get(id);
    if (!s) {
      s = [];
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) s.push(byId.get(cur)!.callFrame);
      stackOf.set(id, s);
    }
    return s;
  };
  const out: ProfileBreakdown = { totalMs: 0, startupMs: 0, runMs: 0, startup: {}, run: {} };
  let inRun = false;
  for (let i = 0; i < p.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; charge the interval to the sample that ends it.
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    const s = stack(p.samples[i]);
    if (!inRun && s.some((f) => f.functionName === 'main' && f.url.endsWith('/dist/src/cli/main.js'))) inRun = true;
    const k = classify(s);
    const bucket = inRun ? out.run : out.startup;
    bucket[k] = (bucket[k] ?? 0) + ms;
    if (inRun) out.runMs += ms; else out.startupMs += ms;
    out.totalMs += ms;
  }
  return out;
}
