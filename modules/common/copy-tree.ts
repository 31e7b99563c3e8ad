// copy with a directory as src: the tree is recreated under dest, each file
// planned like a single copy (content diff, attributes, backup), directories
// created with directory_mode. Properties carry the path they belong to.

import type { Change, ModuleContext, PlanResult, Provided } from '../../src/engine/module.js';
import { TaskFailedError } from '../../src/engine/module.js';
import { applyAttributes, planAttributes, type Attributes } from './attributes.js';
import type { TreeEntry } from './controller-files.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './file-write.js';
import { parseMode } from './mode.js';
import { joinPath, missingDirs, mkdirUnlessRaced } from './paths.js';

export interface TreeCopySpec extends Omit<FileWriteSpec, 'path' | 'content' | 'makeParents' | 'parentsPlanned'> {
  /** Directory on the host that receives the tree. */
  root: string;
  entries: TreeEntry[];
  /** mode: preserve — each file keeps its mode from the controller. */
  preserveMode: boolean;
}

export interface TreeCopyState {
  /** Directories to create, parents first. */
  mkdirs: string[];
  /** Existing directories whose owner/group differ. */
  dirAttrs: string[];
  files: Array<{ spec: FileWriteSpec; plan: PlanResult<FileWriteState> }>;
}

function relabel(c: Change, path: string): Change {
  return c.property.includes(':') ? c : { ...c, property: `${c.property}:${path}` };
}

export async function planTreeCopy(spec: TreeCopySpec, ctx: ModuleContext): Promise<PlanResult<TreeCopyState>> {
  const host = ctx.host;
  const changes: Change[] = [];
  const provides: Provided[] = [];
  const state: TreeCopyState = { mkdirs: [], dirAttrs: [], files: [] };
  const dirOwnership: Attributes = { owner: spec.owner, group: spec.group };
  const created = new Set<string>();
  const create = (d: string) => {
    state.mkdirs.push(d);
    created.add(d);
    changes.push({ property: `state:${d}`, before: 'absent', after: 'directory', summary: `create directory ${d}` });
    provides.push({ kind: 'path', name: d });
  };
  for (const d of await missingDirs(host, spec.root)) create(d);
  for (const e of spec.entries) {
    const path = joinPath(spec.root, e.rel);
    const parentNew = created.has(joinPath(path, '..'));
    if (e.isDir) {
      const st = parentNew ? { exists: false } : await host.stat(path);
      if (!st.exists) create(path);
      else if (st.type !== 'directory') throw new TaskFailedError(`${path} exists and is not a directory`);
      else {
        const cs = await planAttributes(host, path, st, dirOwnership, { check: ctx.check, ledger: ctx.ledger, label: path });
        if (cs.length) state.dirAttrs.push(path);
        changes.push(...cs);
      }
      continue;
    }
    const fileSpec: FileWriteSpec = {
      ...spec, path, content: e.content!, mode: spec.preserveMode ? e.mode : spec.mode, parentsPlanned: parentNew,
    };
    const plan = await planFileWrite(fileSpec, ctx);
    if (plan.changes.length) {
      changes.push(...plan.changes.map((c) => relabel(c, path)));
      provides.push(...(plan.provides ?? []));
      state.files.push({ spec: fileSpec, plan });
    }
  }
  return changes.length ? { changes, provides, state, result: { dest: spec.root } } : { changes, result: { dest: spec.root } };
}

export async function applyTreeCopy(spec: TreeCopySpec, plan: PlanResult<TreeCopyState>, ctx: ModuleContext): Promise<Record<string, unknown>> {
  const host = ctx.host;
  const st = plan.state!;
  const dirMode = spec.directoryMode !== undefined ? parseMode(spec.directoryMode, 0o755, true) : 0o755;
  for (const d of st.mkdirs) {
    const made = await mkdirUnlessRaced(host, d, dirMode);
    if (made && (spec.owner !== undefined || spec.group !== undefined)) await host.chown(d, { owner: spec.owner, group: spec.group });
  }
  for (const d of st.dirAttrs) await applyAttributes(host, d, { owner: spec.owner, group: spec.group });
  const backups: string[] = [];
  for (const f of st.files) {
    const r = await applyFileWrite(f.spec, f.plan, ctx);
    if (r.backup_file) backups.push(String(r.backup_file));
  }
  return backups.length ? { backup_files: backups } : {};
}
