// Builds the ModuleContext a module sees: its host, mode, ledger and the
// template functions bound to the task's variables.

import type { Host } from '../host/host.js';
import { evaluateExpression, renderText, type Lookup } from '../template/render.js';
import { Ledger } from './ledger.js';
import type { ModuleContext } from './module.js';

export interface ContextOptions {
  host: Host;
  check?: boolean;
  baseDir?: string;
  ledger?: Ledger;
  taskNumber?: number;
  vars?: Record<string, unknown>;
  lookup?: Lookup;
  /** Name used in template errors for expressions of this task. */
  taskSource?: string;
  progress?: (message: string) => void;
}

export function makeModuleContext(o: ContextOptions): ModuleContext {
  const vars = o.vars ?? {};
  return {
    host: o.host,
    check: o.check ?? false,
    baseDir: o.baseDir ?? process.cwd(),
    ledger: o.ledger ?? new Ledger(),
    taskNumber: o.taskNumber ?? 1,
    vars,
    renderTemplate: (text, name) => renderText(text, vars, name, o.lookup),
    evaluate: (expr, extra) => evaluateExpression(expr, extra ? withExtra(vars, extra) : vars, o.taskSource ?? 'expression', o.lookup),
    progress: o.progress ?? (() => {}),
  };
}

/** Layers extra names over vars without copying (vars may be a lazy proxy). */
function withExtra(vars: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(vars, {
    get: (t, k) => (typeof k === 'string' && k in extra ? extra[k] : Reflect.get(t, k)),
    has: (t, k) => (typeof k === 'string' && k in extra) || Reflect.has(t, k),
  });
}
