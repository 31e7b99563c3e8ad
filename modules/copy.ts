// copy: puts a file from the playbook (src) or given text (content) on the
// host, atomically, with mode/owner/group, optional validation and backup.

import { PyFloat, pyStr } from '../src/template/py-values.js';
import { pyJson } from '../src/template/py-filters.js';
import type { ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { controllerContent, findControllerPath, readControllerTree } from './common/controller-files.js';
import type { StreamedContent } from './common/controller-stream.js';
import { MAX_DIFF_BYTES } from './common/content.js';
import { HostFileStream } from './common/host-file-stream.js';
import { applyTreeCopy, planTreeCopy, type TreeCopySpec, type TreeCopyState } from './common/copy-tree.js';
import { writeProperties } from './common/dest-schema.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';
import { modeSchema } from './common/mode.js';
import { basename, joinPath, requireAbsolute, resolveLinks } from './common/paths.js';
import { describeExpected, expectedFrom } from './common/ledger-hints.js';

export interface CopyParams {
  src?: string;
  content?: unknown;
  dest: string;
  mode?: string | number;
  owner?: string;
  group?: string;
  backup: boolean;
  validate?: string;
  force: boolean;
  follow: boolean;
  remote_src: boolean;
  directory_mode?: string | number;
  show_diff_of_secret: boolean;
}

type CopyState = { spec: FileWriteSpec; write: FileWriteState | undefined } | { tree: TreeCopySpec; treeState: TreeCopyState | undefined };

/** Ansible turns a mapping or list given as content into JSON (json.dumps), anything else into str(). */
function contentText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (c && typeof c === 'object' && !(c instanceof PyFloat)) return pyJson(c, { sortKeys: false, itemSep: ', ', keySep: ': ', ensureAscii: true });
  return pyStr(c);
}

async function source(p: CopyParams, ctx: ModuleContext): Promise<{ content: Buffer | StreamedContent; mode?: number; name?: string } | { afterTask: number; name: string; from: string }> {
  if (p.content !== undefined) return { content: Buffer.from(contentText(p.content), 'utf8') };
  const src = p.src!;
  if (!p.remote_src) {
    const f = controllerContent(ctx.baseDir, src);
    return { content: f.content, mode: f.mode, name: basename(f.path) };
  }
  const path = requireAbsolute(src, 'src');
  const r = await resolveLinks(ctx.host, path);
  if (r.stat.type === 'file') {
    // Large: compared by the checksum the host computes, brought over only to be written.
    if ((r.stat.size ?? 0) > MAX_DIFF_BYTES) return { content: new HostFileStream(ctx.host, r.path, r.stat.size!), mode: r.stat.mode, name: basename(path) };
    return { content: (await ctx.host.readFile(r.path))!, mode: r.stat.mode, name: basename(path) };
  }
  if (r.stat.exists) throw new TaskFailedError(`src ${path} on the host is not a regular file (remote_src copies single files only)`);
  const e = expectedFrom(ctx, path);
  if (e !== undefined) return { afterTask: e.task, name: basename(path), from: describeExpected(e) };
  throw new TaskFailedError(`src ${path} does not exist on ${ctx.host.name}`);
}

async function destPath(p: CopyParams, name: string | undefined, ctx: ModuleContext): Promise<{ path: string; makeParents: boolean }> {
  const raw = p.dest;
  if (raw.endsWith('/')) {
    if (!name) throw new TaskFailedError(`dest ${raw} is a directory; with content, dest must name a file`);
    return { path: joinPath(requireAbsolute(raw, 'dest'), name), makeParents: true };
  }
  const dest = requireAbsolute(raw, 'dest');
  const st = await ctx.host.stat(dest);
  const isDir = st.type === 'directory' || (st.type === 'link' && (await resolveLinks(ctx.host, dest)).stat.type === 'directory');
  if (isDir) {
    if (!name) throw new TaskFailedError(`dest ${dest} is a directory; with content, dest must name a file`);
    return { path: joinPath(dest, name), makeParents: false };
  }
  return { path: dest, makeParents: false };
}

/** src is a directory: `src: dir/` copies its contents into dest, `src: dir` copies the directory itself. */
async function planTree(p: CopyParams, ctx: ModuleContext): Promise<PlanResult<CopyState>> {
  const found = findControllerPath(ctx.baseDir, p.src!, 'files');
  const dest = requireAbsolute(p.dest, 'dest');
  const root = p.src!.endsWith('/') ? dest : joinPath(dest, basename(found.path));
  const tree: TreeCopySpec = {
    root, entries: readControllerTree(found.path), preserveMode: p.mode === 'preserve',
    mode: p.mode === 'preserve' ? undefined : p.mode, owner: p.owner, group: p.group,
    validate: p.validate, backup: p.backup, force: p.force, follow: p.follow,
    directoryMode: p.directory_mode, showSecret: p.show_diff_of_secret,
  };
  const plan = await planTreeCopy(tree, ctx);
  return { ...plan, state: { tree, treeState: plan.state } };
}

export const copyModule: ModuleDefinition<CopyParams, CopyState> = {
  name: 'copy',
  // src is the controller's unless remote_src (which may be a template: any value but false counts).
  observedPaths: (p) => (p.remote_src === undefined || p.remote_src === false ? ['dest'] : ['dest', 'src']),
  controllerSource: { param: 'src' },
  description:
    'Copies a file from the playbook (src, looked up in files/ then next to the playbook) or given text (content) to dest on the host. ' +
    'The write is atomic and the new file has its mode and owner from the first byte; validate checks the new content first (in --check too); ' +
    'backup keeps the old file. A dest ending in / or naming a directory receives the file under its own name. A directory src is copied ' +
    'recursively (src ending in / copies its contents, otherwise the directory itself); directory_mode applies to directories it creates.',
  schema: {
    properties: {
      src: { type: 'string', description: 'File to copy: relative paths are looked up in files/ and then next to the playbook; with remote_src, a path on the host.' },
      content: { description: 'Text to write instead of src (a mapping or list is written as JSON).' },
      dest: { type: 'string', description: 'Absolute path on the host; ending in / (or an existing directory) puts the file inside.' },
      ...writeProperties,
      mode: { ...modeSchema, description: `${modeSchema.description} 'preserve' keeps the mode of src.` },
      force: { type: 'boolean', default: true, description: 'Replace a file whose content differs; false writes only when dest does not exist.' },
      follow: { type: 'boolean', default: false, description: 'If dest is a symbolic link, write to its target instead of replacing the link.' },
      remote_src: { type: 'boolean', default: false, description: 'src is a file on the host rather than next to the playbook.' },
      directory_mode: { ...modeSchema, description: 'Mode of directories this task creates (dest ending in /, or a directory src copied recursively); existing directories keep theirs.' },
    },
    required: ['dest'],
    anyOf: [{ required: ['src'] }, { required: ['content'] }],
    not: { required: ['src', 'content'] },
  },

  async plan(p, ctx): Promise<PlanResult<CopyState>> {
    if (p.src !== undefined && !p.remote_src && findControllerPath(ctx.baseDir, p.src, 'files').isDir) return planTree(p, ctx);
    const s = await source(p, ctx);
    const dest = await destPath(p, s.name, ctx);
    if ('afterTask' in s) {
      return {
        changes: [{ property: 'content', afterTask: s.afterTask, summary: `copy ${p.src} to ${dest.path} (src expected from ${s.from})` }],
        provides: [{ kind: 'path', name: dest.path }],
      };
    }
    const spec: FileWriteSpec = {
      path: dest.path, content: s.content,
      mode: p.mode === 'preserve' ? s.mode : p.mode, owner: p.owner, group: p.group,
      validate: p.validate, backup: p.backup, force: p.force, follow: p.follow,
      makeParents: dest.makeParents, directoryMode: p.directory_mode, showSecret: p.show_diff_of_secret,
    };
    // A large source on the host is read only for what uses its bytes: the validator, the write.
    const hostFile = s.content instanceof HostFileStream ? s.content : undefined;
    if (hostFile && p.validate) await hostFile.load();
    const plan = await planFileWrite(spec, ctx);
    if (hostFile && plan.state?.writeContent && !ctx.check) await hostFile.load();
    return { ...plan, result: { ...plan.result, ...(p.src ? { src: p.src } : {}) }, state: { spec, write: plan.state } };
  },

  async apply(p, plan, ctx) {
    const st = plan.state!;
    if ('tree' in st) return { result: await applyTreeCopy(st.tree, { ...plan, state: st.treeState }, ctx) };
    const result = await applyFileWrite(st.spec, { ...plan, state: st.write }, ctx);
    return { result };
  },
};
