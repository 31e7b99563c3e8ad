// The plan/apply shared by modules that edit one text file in place (replace,
// blockinfile, ini_file): read the file through the host, let the module
// compute the new text, and hand the result to planFileWrite so that content,
// mode and owner changes are planned, diffed, validated and written together.

import type { ModuleContext, PlanResult } from '../../src/engine/module.js';
import { TaskFailedError } from '../../src/engine/module.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './file-write.js';
import { requireAbsolute, resolveLinks } from './paths.js';
import { describeExpected, expectedFrom } from './ledger-hints.js';

export interface TextEditParams {
  mode?: string | number; owner?: string; group?: string;
  validate?: string; backup?: boolean; show_diff_of_secret?: boolean;
}

/** What the module's edit returns: the new bytes (null: leave the file as it is) and Ansible's msg. */
export interface Edited { content: Buffer | null; msg: string; result?: Record<string, unknown> }

export interface TextEditOptions {
  path: string;
  /** What happens when the file is missing: fail with this message, or edit an empty file (create). */
  missing: { create: true } | { create: false; message: string } | { create: false; ok: Edited };
  edit(old: Buffer | null): Edited;
}

export interface TextEditState { spec: FileWriteSpec; write: FileWriteState | undefined }

export async function planTextEdit(p: TextEditParams, o: TextEditOptions, ctx: ModuleContext): Promise<PlanResult<TextEditState>> {
  const path = requireAbsolute(o.path, 'path');
  const real = await resolveLinks(ctx.host, path);
  if (real.stat.exists && real.stat.type === 'directory') throw new TaskFailedError(`Path ${path} is a directory !`);
  if (real.stat.exists && real.stat.type !== 'file') throw new TaskFailedError(`${path} is not a regular file`);
  const old = real.stat.exists ? await ctx.host.readFile(real.path) : null;
  if (old === null && !o.missing.create) {
    if ('ok' in o.missing) return { changes: [], result: { msg: o.missing.ok.msg, ...o.missing.ok.result } };
    const e = expectedFrom(ctx, path);
    if (e === undefined) throw new TaskFailedError(o.missing.message, { rc: 257 });
    return { changes: [{ property: 'content', afterTask: e.task, summary: `edit ${path} once ${describeExpected(e)} created it` }] };
  }
  const edited = o.edit(old);
  if (edited.content === null && old === null) return { changes: [], result: { msg: edited.msg, ...edited.result } };
  const spec: FileWriteSpec = {
    path: real.path, content: edited.content ?? old!, mode: p.mode, owner: p.owner, group: p.group,
    validate: p.validate, backup: p.backup, follow: true, makeParents: true, showSecret: p.show_diff_of_secret,
  };
  const planned = await planFileWrite(spec, ctx);
  for (const c of planned.changes) if (c.property === 'content' && edited.msg) c.summary = `${edited.msg}: ${path}`;
  return { ...planned, result: { ...planned.result, ...edited.result, msg: edited.msg }, state: { spec, write: planned.state } };
}

export async function applyTextEdit(planned: PlanResult<TextEditState>, ctx: ModuleContext): Promise<Record<string, unknown>> {
  const { spec, write } = planned.state!;
  return { msg: planned.result?.msg, ...(await applyFileWrite(spec, { ...planned, state: write }, ctx)) };
}

/** Lines with their endings (\n, \r\n or \r), as Python's bytes.splitlines(True). */
export function splitKeepEnds(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** Decodes bytes so that encoding them again gives the same bytes (latin1 for non-UTF-8). */
export function decodeText(b: Buffer): { text: string; encoding: BufferEncoding } {
  const utf8 = b.toString('utf8');
  return Buffer.from(utf8, 'utf8').equals(b) ? { text: utf8, encoding: 'utf8' } : { text: b.toString('latin1'), encoding: 'latin1' };
}
