// Fixtures for the file module tests: a fresh temp directory per case, a
// byte-for-byte snapshot of a tree (content, type, mode, owner, link target),
// and the check -> run -> re-plan cycle every case goes through.

import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { LocalHost } from '../../src/host/local-host.js';
import type { Change, ModuleDefinition } from '../../src/engine/module.js';
import type { TaskOutcome } from '../../src/engine/converge-task.js';
import type { ContextOptions } from '../../src/engine/context.js';
import { planModule, runModule } from '../helpers/module-harness.js';

export const host = new LocalHost('localhost');

export async function tempDir(): Promise<string> {
  return fs.mkdtemp('/tmp/converge-filemod-');
}

export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

export interface Entry { type: string; mode: number; uid: number; gid: number; content?: string; link?: string }

/** Everything observable about a tree, for "check mode touched nothing". */
export async function snapshot(root: string): Promise<Record<string, Entry>> {
  const out: Record<string, Entry> = {};
  async function walk(p: string): Promise<void> {
    const st = await fs.lstat(p);
    const rel = path.relative(root, p) || '.';
    const e: Entry = { type: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'other', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    if (st.isFile()) e.content = (await fs.readFile(p)).toString('base64');
    if (st.isSymbolicLink()) e.link = await fs.readlink(p);
    out[rel] = e;
    if (st.isDirectory()) for (const n of (await fs.readdir(p)).sort()) await walk(path.join(p, n));
  }
  await walk(root);
  return out;
}

export interface CycleResult { plan: Change[]; outcome: TaskOutcome; planResult: Record<string, unknown> | undefined }

/**
 * The cycle every case must pass: --check predicts `expect` (property names)
 * and leaves the tree untouched; the real run makes the change; a second
 * plan is empty.
 */
export async function cycle(def: ModuleDefinition, params: Record<string, unknown>, root: string, expect: string[], opts: Partial<ContextOptions> = {}): Promise<CycleResult> {
  const ctx: ContextOptions = { host, baseDir: root, ...opts };
  const before = await snapshot(root);
  const plan = await planModule(def, params, ctx);
  assert.equal(plan.skip, undefined, `unexpected skip: ${plan.skip}`);
  assert.deepEqual(plan.changes.map((c) => c.property).sort(), [...expect].sort(), JSON.stringify(plan.changes, null, 1));
  assert.deepEqual(await snapshot(root), before, 'check mode changed the tree');
  const outcome = await runModule(def, params, ctx);
  assert.equal(outcome.status, expect.length ? 'changed' : 'ok', outcome.message);
  const again = await planModule(def, params, ctx);
  assert.deepEqual(again.changes, [], 'second plan not empty');
  return { plan: plan.changes, outcome, planResult: plan.result };
}
