// --check on a fresh host: a path that is missing now may be made by an
// earlier task. The ledger knows paths that tasks create (or their parents);
// packages also create files and directories we cannot list in advance, so
// the latest package install is the fallback explanation (a guess, and said
// so in the change it annotates).

import type { ModuleContext } from '../../src/engine/module.js';

export interface Expected {
  task: number;
  /** 'path': a task creates it or a parent; 'package': it may come from a package. */
  via: 'path' | 'package';
}

export function expectedFrom(ctx: ModuleContext, path: string): Expected | undefined {
  if (!ctx.check) return undefined;
  const t = ctx.ledger.findPath(path);
  if (t !== undefined) return { task: t, via: 'path' };
  const p = ctx.ledger.lastOfKind('package');
  return p !== undefined ? { task: p, via: 'package' } : undefined;
}

/** Words for a summary: "task 3" or "a package of task 2". */
export function describeExpected(e: Expected): string {
  return e.via === 'path' ? `task ${e.task}` : `a package of task ${e.task}`;
}
