// The shared plan/apply of modules that put content into one file (copy,
// template, lineinfile): missing parents, following links, content diff,
// validation, attributes, backup — planned together so that mode, owner,
// group and content changes are reported together.

import type { Change, ModuleContext, PlanResult, Provided } from '../../src/engine/module.js';
import { TaskFailedError } from '../../src/engine/module.js';
import type { FileStat } from '../../src/host/host.js';
import { applyAttributes, planAttributes, wantedMode, writeOptionsFor, type Attributes } from './attributes.js';
import { isContentStream } from '../../src/host/content-stream.js';
import { MAX_DIFF_BYTES, planContent, planSummedContent, sha1, type SummedFile } from './content.js';
import type { StreamedContent } from './controller-stream.js';
import { parseMode } from './mode.js';
import { backupName, dirname, missingDirs, mkdirUnlessRaced, requireAbsolute, resolveLinks } from './paths.js';
import { runValidate } from './validate.js';
import { describeExpected, expectedFrom } from './ledger-hints.js';

export interface FileWriteSpec extends Attributes {
  path: string;
  /** Large content (a big copy src) is streamed and compared by checksum, never held whole. */
  content: Buffer | StreamedContent;
  validate?: string;
  backup?: boolean;
  /** false: only write when the file does not exist (attributes still apply). */
  force?: boolean;
  /** Write through a symbolic link at `path` (true) or replace the link by a file (false). */
  follow?: boolean;
  /** Create missing parent directories (lineinfile create, copy to "dir/"). */
  makeParents?: boolean;
  directoryMode?: string | number;
  showSecret?: boolean;
  /** The caller creates the missing parents itself (a directory tree copy). */
  parentsPlanned?: boolean;
}

export interface FileWriteState {
  path: string;
  stat: FileStat;
  dirs: string[];
  writeContent: boolean;
  attributeChanges: number;
}

const ABSENT: FileStat = { exists: false };

function dirChange(d: string): Change {
  return { property: `state:${d}`, before: 'absent', after: 'directory', summary: `create directory ${d}` };
}

export async function planFileWrite(spec: FileWriteSpec, ctx: ModuleContext): Promise<PlanResult<FileWriteState>> {
  const host = ctx.host;
  let path = requireAbsolute(spec.path);
  let stat = await host.stat(path);
  const changes: Change[] = [];
  if (stat.type === 'link') {
    if (spec.follow) {
      const r = await resolveLinks(host, path);
      path = r.path;
      stat = r.stat;
    } else {
      changes.push({ property: 'state', before: `link -> ${stat.linkTarget}`, after: 'file', summary: `replace link ${path} by a file` });
      stat = ABSENT;
    }
  }
  if (stat.exists && stat.type !== 'file') {
    throw new TaskFailedError(`${path} exists and is a ${stat.type === 'directory' ? 'directory' : 'special file'}, not a regular file`);
  }
  const want: Attributes = { mode: spec.mode, owner: spec.owner, group: spec.group };
  const attrOpts = { check: ctx.check, ledger: ctx.ledger };
  const provides: Provided[] = [];
  const dirs = await missingDirs(host, dirname(path));
  let afterTask: number | undefined;
  let parentNote = '';
  if (dirs.length && !spec.parentsPlanned) {
    if (spec.makeParents) {
      changes.push(...dirs.map(dirChange));
      provides.push(...dirs.map((d) => ({ kind: 'path' as const, name: d })));
    } else {
      const e = expectedFrom(ctx, dirname(path));
      if (e === undefined) throw new TaskFailedError(`destination directory ${dirname(path)} does not exist`);
      afterTask = e.task;
      parentNote = ` (directory ${dirname(path)} expected from ${describeExpected(e)})`;
    }
  }
  // Large on either side: compared by checksums (the host sums its file), neither side read whole.
  const large = isContentStream(spec.content) || (stat.exists && (stat.size ?? 0) > MAX_DIFF_BYTES);
  let old: Buffer | null = null;
  let summed: SummedFile | null = null;
  if (stat.exists && large) {
    const sum = await host.checksum(path);
    if (sum !== null) summed = { sha1: sum, size: stat.size ?? 0 };
  } else if (stat.exists) old = await host.readFile(path);
  const finalMode = wantedMode(want, stat) ?? (stat.exists ? stat.mode : 0o644);
  let content: Change | null = null;
  if ((old === null && summed === null) || spec.force !== false) {
    const how = { mode: finalMode, showSecret: spec.showSecret };
    content = large
      ? await planSummedContent(path, spec.content, summed, how)
      : await planContent(host, path, spec.content as Buffer, { old, ...how });
  }
  if (content && spec.validate) {
    const v = await runValidate(host, spec.validate, spec.content, path, { ...writeOptionsFor(want, stat), ...attrOpts });
    if (v.afterTask !== undefined) {
      content.afterTask = v.afterTask;
      content.summary += ' (validator not installed yet)';
    }
  }
  if (content) {
    if (afterTask !== undefined) {
      content.afterTask = Math.max(afterTask, content.afterTask ?? 0);
      content.summary += parentNote;
    }
    changes.push(content);
  }
  const attrs = await planAttributes(host, path, stat, want, attrOpts);
  changes.push(...attrs);
  if (!stat.exists) provides.push({ kind: 'path', name: path });
  const result: Record<string, unknown> = { dest: path, checksum: content ? content.after : old ? sha1(old) : summed?.sha1 };
  if (changes.length === 0) return { changes, result };
  return {
    changes, provides, result,
    state: { path, stat, dirs: spec.parentsPlanned ? [] : dirs, writeContent: content !== null, attributeChanges: attrs.length },
  };
}

export async function applyFileWrite(spec: FileWriteSpec, plan: PlanResult<FileWriteState>, ctx: ModuleContext): Promise<Record<string, unknown>> {
  const host = ctx.host;
  const st = plan.state!;
  const want: Attributes = { mode: spec.mode, owner: spec.owner, group: spec.group };
  const dirMode = spec.directoryMode !== undefined ? parseMode(spec.directoryMode, 0o755, true) : 0o755;
  for (const d of st.dirs) await mkdirUnlessRaced(host, d, dirMode);
  const result: Record<string, unknown> = {};
  if (st.writeContent) {
    if (spec.backup) {
      const current = await host.stat(st.path);
      if (current.type === 'file') {
        // The write renames a new file over the target: the old one, given a second name now, is the backup
        // exactly as it was (content, mode, owner, times), and a large file is never read to keep it.
        const name = backupName(st.path);
        await host.link(st.path, name);
        result.backup_file = name;
      }
    }
    await host.writeFile(st.path, spec.content, writeOptionsFor(want, st.stat));
  }
  if (st.attributeChanges) await applyAttributes(host, st.path, want);
  return result;
}
