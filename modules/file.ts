// file: the state of one path (file, directory, link, hard, absent, touch)
// and its mode, owner and group; recurse applies them to a directory's tree.

import type { Change, ModuleContext, ModuleDefinition, PlanResult, Provided } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import type { FileStat } from '../src/host/host.js';
import { applyAttributes, planAttributes, writeOptionsFor, wantedMode, type Attributes } from './common/attributes.js';
import { attributeProperties } from './common/dest-schema.js';
import { dirname, joinPath, missingDirs, mkdirUnlessRaced, requireAbsolute, resolveLinks } from './common/paths.js';
import * as posix from 'node:path/posix';
import { describeExpected, expectedFrom } from './common/ledger-hints.js';

type State = 'file' | 'directory' | 'link' | 'hard' | 'absent' | 'touch';

export interface FileParams {
  path?: string;
  dest?: string;
  name?: string;
  state?: State;
  mode?: string | number;
  owner?: string;
  group?: string;
  recurse: boolean;
  src?: string;
  force: boolean;
  follow: boolean;
  modification_time?: 'now' | 'preserve';
  access_time?: 'now' | 'preserve';
}

interface FilePlanState {
  path: string;
  action: 'none' | 'remove' | 'mkdir' | 'touch' | 'symlink' | 'hardlink';
  dirs: string[];
  /** Timestamps set to now on an existing path (Ansible's touch, or modification_time/access_time: now). */
  times?: Array<'a' | 'm'>;
  /** Paths under a recursed directory whose attributes differ. */
  recursePaths: string[];
}

const TYPE_NAMES: Record<string, string> = { file: 'file', directory: 'directory', link: 'link', other: 'special file' };

function targetPath(p: FileParams): string {
  return requireAbsolute((p.path ?? p.dest ?? p.name)!, 'path');
}

/** Walks a directory tree (links are not followed) and lists every path below it. */
async function treeBelow(ctx: ModuleContext, dir: string): Promise<Array<{ path: string; stat: FileStat }>> {
  const whole = await ctx.host.statTree?.(dir);
  if (whole) return whole;
  const out: Array<{ path: string; stat: FileStat }> = [];
  for (const n of await ctx.host.readdir(dir)) {
    const p = joinPath(dir, n);
    const stat = await ctx.host.stat(p);
    out.push({ path: p, stat });
    if (stat.type === 'directory') out.push(...(await treeBelow(ctx, p)));
  }
  return out;
}

/** In --check, a missing parent may come from an earlier task; otherwise it is an error. */
function parentMissing(ctx: ModuleContext, path: string): number {
  const e = expectedFrom(ctx, dirname(path));
  if (e === undefined) throw new TaskFailedError(`parent directory ${dirname(path)} does not exist`);
  return e.task;
}

/** state: file on a missing path: an error, unless in --check an earlier task explains it. */
function notThereYet(ctx: ModuleContext, path: string): PlanResult<FilePlanState> {
  const e = expectedFrom(ctx, path);
  if (e === undefined) throw new TaskFailedError(`${path} does not exist (state: file does not create files; use state: touch, copy or template)`);
  return { changes: [{ property: 'attributes', afterTask: e.task, summary: `set attributes of ${path} once ${describeExpected(e)} created it` }] };
}

/** Owner/group of a link itself; a mode cannot be set on a link. */
function attrsForLink(p: FileParams): Attributes {
  if (p.mode !== undefined) throw new TaskFailedError('mode cannot be set on a symbolic link; set it on the link target with its own task');
  return { owner: p.owner, group: p.group };
}

/** Parameter combinations, checked before the host is contacted (and again by plan). */
function validateFile(p: FileParams): void {
  if ((p.state === 'link' || p.state === 'hard') && !p.src) throw new TaskFailedError(`state: ${p.state} requires src`);
  if (p.src && p.state !== 'link' && p.state !== 'hard') throw new TaskFailedError('src is only used with state: link or state: hard');
}

/**
 * Ansible sets an existing path's access and modification times to now on
 * every touch (and with modification_time/access_time: now on file and
 * directory): a change every run, as Ansible reports it; preserve keeps them.
 */
function timesChange(p: FileParams, dflt: 'now' | 'preserve', path: string, st0: FilePlanState, changes: Change[]): void {
  const times: Array<'a' | 'm'> = [];
  if ((p.access_time ?? dflt) === 'now') times.push('a');
  if ((p.modification_time ?? dflt) === 'now') times.push('m');
  if (!times.length) return;
  st0.times = times;
  const what = times.length === 2 ? 'access and modification times' : times[0] === 'a' ? 'access time' : 'modification time';
  changes.push({ property: 'timestamps', after: 'now', repeats: true, summary: `set the ${what} of ${path} to now` });
}

async function planFile(p: FileParams, ctx: ModuleContext): Promise<PlanResult<FilePlanState>> {
  const host = ctx.host;
  let path = targetPath(p);
  const want: Attributes = { mode: p.mode, owner: p.owner, group: p.group };
  const attrOpts = { check: ctx.check, ledger: ctx.ledger };
  const changes: Change[] = [];
  const provides: Provided[] = [];
  const st0: FilePlanState = { path, action: 'none', dirs: [], recursePaths: [] };
  let stat = await host.stat(path);
  let state = p.state;
  if (p.recurse && state !== 'directory' && !(state === undefined && stat.type === 'directory')) {
    throw new TaskFailedError('recurse requires state: directory');
  }
  validateFile(p);

  // States that act on the target of a link when follow is on.
  if ((state === undefined || state === 'file' || state === 'directory' || state === 'touch') && stat.type === 'link' && p.follow) {
    const r = await resolveLinks(host, path);
    if (r.stat.exists || state === 'touch' || state === 'directory') {
      path = r.path;
      stat = r.stat;
      st0.path = path;
    }
  }
  if (state === undefined) {
    if (!stat.exists) {
      return notThereYet(ctx, path);
    }
    state = stat.type === 'directory' ? 'directory' : stat.type === 'link' ? 'link' : 'file';
    if (state === 'link') return { changes: await planAttributes(host, path, stat, attrsForLink(p), attrOpts), state: st0 };
  }

  switch (state) {
    case 'absent':
      if (stat.exists) {
        changes.push({ property: 'state', before: TYPE_NAMES[stat.type!], after: 'absent', summary: `remove ${path}` });
        st0.action = 'remove';
      }
      break;

    case 'file':
      if (!stat.exists) {
        return notThereYet(ctx, path);
      }
      if (stat.type !== 'file') throw new TaskFailedError(`${path} is a ${TYPE_NAMES[stat.type!]}, not a file`);
      changes.push(...(await planAttributes(host, path, stat, want, attrOpts)));
      timesChange(p, 'preserve', path, st0, changes);
      break;

    case 'touch':
      if (stat.exists && stat.type !== 'file') throw new TaskFailedError(`${path} is a ${TYPE_NAMES[stat.type!]}, not a file`);
      if (!stat.exists) {
        const dirs = await missingDirs(host, dirname(path));
        const c: Change = { property: 'state', before: 'absent', after: 'file', summary: `create empty file ${path}` };
        if (dirs.length) c.afterTask = parentMissing(ctx, path);
        changes.push(c);
        provides.push({ kind: 'path', name: path });
        st0.action = 'touch';
      }
      changes.push(...(await planAttributes(host, path, stat, want, attrOpts)));
      if (stat.exists) timesChange(p, 'now', path, st0, changes);
      break;

    case 'directory': {
      if (stat.exists && stat.type !== 'directory') throw new TaskFailedError(`${path} exists and is a ${TYPE_NAMES[stat.type!]}, not a directory`);
      if (!stat.exists) {
        st0.dirs = await missingDirs(host, path);
        st0.action = 'mkdir';
        for (const d of st0.dirs) {
          changes.push({ property: d === path ? 'state' : `state:${d}`, before: 'absent', after: 'directory', summary: `create directory ${d}` });
          provides.push({ kind: 'path', name: d });
        }
      }
      changes.push(...(await planAttributes(host, path, stat, want, { ...attrOpts, isDir: true })));
      if (stat.exists) timesChange(p, 'preserve', path, st0, changes);
      if (p.recurse && stat.exists) {
        for (const e of await treeBelow(ctx, path)) {
          const cs = await planAttributes(host, e.path, e.stat, want, { ...attrOpts, label: e.path });
          if (cs.length) st0.recursePaths.push(e.path);
          changes.push(...cs);
        }
      }
      break;
    }

    case 'link': {
      const want = attrsForLink(p);
      const src = p.src!;
      const srcAbs = posix.resolve(dirname(path), src);
      if (stat.type === 'link' && stat.linkTarget === src) {
        changes.push(...(await planAttributes(host, path, stat, want, attrOpts)));
        break;
      }
      if (stat.type === 'directory' && (!p.force || (await host.readdir(path)).length)) {
        throw new TaskFailedError(`${path} is a directory; refusing to replace it by a link${p.force ? ' (it is not empty)' : ' (force: true replaces an empty one)'}`);
      }
      if ((stat.type === 'file' || stat.type === 'other') && !p.force) {
        throw new TaskFailedError(`${path} is a ${TYPE_NAMES[stat.type]}; refusing to replace it by a link without force: true`);
      }
      const c: Change = {
        property: 'state', before: stat.type === 'link' ? `link -> ${stat.linkTarget}` : stat.exists ? TYPE_NAMES[stat.type!] : 'absent',
        after: `link -> ${src}`, summary: `link ${path} -> ${src}`,
      };
      if (!(await host.stat(srcAbs)).exists && !p.force) {
        const e = expectedFrom(ctx, srcAbs);
        if (e === undefined) throw new TaskFailedError(`src ${srcAbs} does not exist (force: true creates a dangling link)`);
        c.afterTask = e.task;
      }
      if (!stat.exists && (await missingDirs(host, dirname(path))).length) c.afterTask = Math.max(c.afterTask ?? 0, parentMissing(ctx, path));
      changes.push(c);
      if (!stat.exists) provides.push({ kind: 'path', name: path });
      st0.action = 'symlink';
      // Owner/group of the new link are set after it exists.
      changes.push(...(await planAttributes(host, path, { exists: false }, want, attrOpts)));
      break;
    }

    case 'hard': {
      const srcAbs = posix.resolve(dirname(path), p.src!);
      const src = await host.stat(srcAbs);
      if (!src.exists) {
        const e = expectedFrom(ctx, srcAbs);
        if (e === undefined) throw new TaskFailedError(`src ${srcAbs} does not exist`);
        return { changes: [{ property: 'state', after: `hard link to ${srcAbs}`, afterTask: e.task, summary: `hard link ${path} -> ${srcAbs}` }], provides: [{ kind: 'path', name: path }] };
      }
      if (src.type === 'directory') throw new TaskFailedError(`src ${srcAbs} is a directory; directories cannot be hard-linked`);
      // SFTP's stat has no inode number: ask the host itself whether both names are one file.
      const same = stat.exists && (stat.ino !== undefined && src.ino !== undefined
        ? stat.ino === src.ino
        : (await host.run(['test', path, '-ef', srcAbs])).rc === 0);
      if (same) {
        changes.push(...(await planAttributes(host, path, stat, want, attrOpts)));
        break;
      }
      if (stat.type === 'directory') throw new TaskFailedError(`${path} is a directory; refusing to replace it by a hard link`);
      if (stat.exists && !p.force) throw new TaskFailedError(`${path} exists and is not a link to ${srcAbs}; force: true replaces it`);
      const c: Change = { property: 'state', before: stat.exists ? TYPE_NAMES[stat.type!] : 'absent', after: `hard link to ${srcAbs}`, summary: `hard link ${path} -> ${srcAbs}` };
      if (!stat.exists && (await missingDirs(host, dirname(path))).length) c.afterTask = parentMissing(ctx, path);
      changes.push(c);
      if (!stat.exists) provides.push({ kind: 'path', name: path });
      st0.action = 'hardlink';
      // The link shares the source's inode: its attributes are the source's.
      changes.push(...(await planAttributes(host, path, src, want, attrOpts)));
      break;
    }
  }
  return changes.length ? { changes, provides, state: st0 } : { changes };
}

async function applyFile(p: FileParams, plan: PlanResult<FilePlanState>, ctx: ModuleContext) {
  const host = ctx.host;
  const s = plan.state!;
  const want: Attributes = p.state === 'link' ? { owner: p.owner, group: p.group } : { mode: p.mode, owner: p.owner, group: p.group };
  switch (s.action) {
    case 'remove':
      await host.remove(s.path);
      return {};
    case 'mkdir': {
      // Like Ansible, every directory created gets the task's mode, owner and group.
      const mode = wantedMode(want, { exists: false }, { isDir: true }) ?? 0o755;
      for (const d of s.dirs) {
        // The path itself is converged either way; a parent someone else made is left as it is.
        const made = await mkdirUnlessRaced(host, d, mode);
        if (!made && d === s.path) await host.chmod(d, mode);
        if ((made || d === s.path) && (want.owner !== undefined || want.group !== undefined)) await host.chown(d, { owner: want.owner, group: want.group });
      }
      break;
    }
    case 'touch':
      await host.writeFile(s.path, Buffer.alloc(0), writeOptionsFor(want, { exists: false }));
      break;
    case 'symlink': {
      const st = await host.stat(s.path);
      if (st.type === 'directory') await host.remove(s.path); // force: true and empty, checked in plan
      await host.symlink(p.src!, s.path);
      break;
    }
    case 'hardlink':
      await host.link(posix.resolve(dirname(s.path), p.src!), s.path);
      break;
  }
  await applyAttributes(host, s.path, want, { isDir: p.state === 'directory' });
  for (const sub of s.recursePaths) await applyAttributes(host, sub, want);
  if (s.times && s.action === 'none') {
    // -c: never create; -h: the path itself when it is a link (follow resolved it otherwise).
    const r = await host.run(['touch', '-c', '-h', ...(s.times.length === 1 ? [`-${s.times[0]}`] : []), '--', s.path]);
    if (r.rc !== 0) throw new TaskFailedError(`touch ${s.path}: ${r.stderr.trim() || `exit ${r.rc}`}`);
  }
  return {};
}

export const fileModule: ModuleDefinition<FileParams, FilePlanState> = {
  name: 'file',
  observedPaths: ['path', 'dest', 'name'],
  description:
    'Manages the state of a path: file (must exist; sets attributes), directory (created with its parents, like mkdir -p; every created ' +
    'directory gets the mode/owner/group), link, hard, absent, or touch. As in Ansible, touch creates a missing empty file and sets an ' +
    'existing one\'s access and modification times to now, a change on every run (modification_time/access_time: preserve keep them). Without state, the path keeps its current type and must exist. recurse applies ' +
    'mode/owner/group to everything under a directory (links are not followed).',
  schema: {
    properties: {
      path: { type: 'string', description: 'Absolute path to manage (aliases: dest, name).' },
      dest: { type: 'string', description: 'Alias of path.' },
      name: { type: 'string', description: 'Alias of path.' },
      state: { type: 'string', enum: ['file', 'directory', 'link', 'hard', 'absent', 'touch'], description: 'What the path should be. Default: what it is now (it must exist).' },
      ...attributeProperties,
      recurse: { type: 'boolean', default: false, description: 'With state: directory, apply mode/owner/group to everything below the directory too.' },
      src: { type: 'string', description: 'Target of the link (state: link or hard); relative paths are relative to the link\'s directory.' },
      force: { type: 'boolean', default: false, description: 'Replace an existing file (or empty directory) by the link, or create a link to a missing src.' },
      follow: { type: 'boolean', default: true, description: 'When path is a symbolic link, manage its target rather than the link.' },
      modification_time: { type: 'string', enum: ['now', 'preserve'], description: 'now: set the modification time to now (a change on every run); preserve: keep it. Default: now for state: touch, preserve otherwise. Fixed timestamps are not supported.' },
      access_time: { type: 'string', enum: ['now', 'preserve'], description: 'As modification_time, for the access time.' },
    },
    anyOf: [{ required: ['path'] }, { required: ['dest'] }, { required: ['name'] }],
  },
  validate: validateFile,
  plan: planFile,
  apply: applyFile,
};
