// mount (ansible.posix.mount): a file system's line in fstab and whether it
// is mounted now. present/absent/absent_from_fstab edit the file only;
// mounted also creates the mount point and mounts it (remounting when its
// fstab line changed); unmounted only unmounts; remounted and ephemeral act
// every time, as in Ansible. Whether a path is mounted comes from findmnt.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';
import { missingDirs } from './common/paths.js';
import { setEntry, unsetEntry, type FstabEntry } from './mount-fstab.js';

type State = 'mounted' | 'present' | 'unmounted' | 'absent' | 'absent_from_fstab' | 'remounted' | 'ephemeral';

export interface MountParams {
  path?: string; name?: string;
  src?: string; fstype?: string; opts?: string;
  dump: string | number; passno: string | number;
  state: State;
  fstab?: string;
  boot: boolean;
  backup: boolean;
}

type Action = 'mkdir' | 'mount' | 'remount' | 'umount' | 'rmdir' | 'ephemeral';

interface MountState {
  fstab?: { spec: FileWriteSpec; write: FileWriteState | undefined };
  dirs: string[];
  actions: Action[];
}

const ENV = { LC_ALL: 'C' };

/** The live mount at exactly this mount point (source and type), or undefined. */
async function liveMount(ctx: ModuleContext, path: string): Promise<{ source: string; fstype: string } | undefined> {
  const r = await ctx.host.run(['findmnt', '-n', '-r', '-o', 'SOURCE,FSTYPE', '--mountpoint', path], { env: ENV, observeOnly: true });
  if (r.rc === 127) throw new TaskFailedError(`findmnt is not installed on ${ctx.host.name} (util-linux): needed to see what is mounted`);
  if (r.rc !== 0 || !r.stdout.trim()) return undefined;
  // -r escapes blanks as \x20; the last line is the mount on top.
  const last = r.stdout.trim().split('\n').pop()!.split(' ');
  const unescape = (s: string) => s.replace(/\\x([0-9a-f]{2})/gi, (_m, h) => String.fromCharCode(parseInt(h, 16)));
  return { source: unescape(last[0] ?? ''), fstype: last[1] ?? '' };
}

/** The fields Ansible writes: opts 'defaults', boot: false adds noauto unless opts has defaults or noauto. */
function entryOf(p: MountParams, path: string): { entry: FstabEntry; warnings: string[] } {
  const warnings: string[] = [];
  let opts = p.opts ?? 'defaults';
  const list = opts.split(',');
  if (list.includes('noauto')) { if (!p.boot) warnings.push("Ignore the 'boot' due to 'opts' contains 'noauto'."); }
  else if (!p.boot) {
    if (list.includes('defaults')) warnings.push("Ignore the 'boot' due to 'opts' contains 'defaults'.");
    else opts = [...list, 'noauto'].join(',');
  }
  return { entry: { src: p.src ?? '', name: path, fstype: p.fstype ?? '', opts, dump: String(p.dump), passno: String(p.passno) }, warnings };
}

async function plan(p: MountParams, ctx: ModuleContext): Promise<PlanResult<MountState>> {
  const path = (p.path ?? p.name)!;
  if (!path.startsWith('/')) throw new TaskFailedError(`path must be absolute, got '${path}'`);
  if (['mounted', 'present', 'ephemeral'].includes(p.state) && (p.src === undefined || p.fstype === undefined)) {
    throw new TaskFailedError(`state is ${p.state} but all of the following are missing: ${['src', 'fstype'].filter((k) => (p as any)[k] === undefined).join(', ')}`);
  }
  if (p.state === 'ephemeral' && p.fstab !== undefined) throw new TaskFailedError('fstab has no effect with state ephemeral (it never touches fstab)');
  const fstab = p.fstab ?? '/etc/fstab';
  if (!fstab.startsWith('/')) throw new TaskFailedError(`fstab must be an absolute path, got '${fstab}'`);
  const say = (s: string) => (ctx.check ? `would ${s}` : s);
  const { entry, warnings } = entryOf(p, path);
  const changes: Change[] = [];
  const actions: Action[] = [];
  const st: MountState = { dirs: [], actions };

  // The fstab edit (planned as a file write: diff, backup, atomic).
  let fstabChanged = false;
  if (['mounted', 'present', 'absent', 'absent_from_fstab'].includes(p.state)) {
    const fst = await ctx.host.stat(fstab);
    if (fst.exists && fst.type !== 'file') throw new TaskFailedError(`${fstab} is not a regular file`);
    const old = fst.exists ? (await ctx.host.readFile(fstab))!.toString('utf8') : '';
    const edit = p.state === 'mounted' || p.state === 'present' ? setEntry(old, entry) : unsetEntry(old, path, p.src);
    fstabChanged = edit.changed;
    if (edit.changed) {
      const spec: FileWriteSpec = { path: fstab, content: Buffer.from(edit.text), backup: p.backup, follow: true, makeParents: true };
      const planned = await planFileWrite(spec, ctx);
      changes.push(...planned.changes);
      st.fstab = { spec, write: planned.state };
    }
  }

  const live = p.state === 'present' || p.state === 'absent_from_fstab' ? undefined : await liveMount(ctx, path);
  if (p.state === 'mounted' || p.state === 'ephemeral') {
    st.dirs = await missingDirs(ctx.host, path);
    if (st.dirs.length) changes.push({ property: 'mountpoint', before: 'absent', after: 'directory', summary: say(`create ${path}`) });
    if (p.state === 'ephemeral') {
      if (live && live.source !== p.src) {
        throw new TaskFailedError(`${path} is already mounted from ${live.source}, not ${p.src}: unmount it first (state: unmounted), or use another path`);
      }
      actions.push('ephemeral');
      // Ansible remounts an ephemeral mount on every run and reports it changed.
      changes.push({ property: 'mounted', before: live ? 'mounted' : 'unmounted', after: 'mounted', summary: say(`${live ? 'remount' : 'mount'} ${p.src} on ${path} (${p.fstype})`), repeats: !!live });
    } else if (!live) {
      actions.push('mount');
      changes.push({ property: 'mounted', before: 'unmounted', after: 'mounted', summary: say(`mount ${path}`) });
    } else if (fstabChanged) {
      actions.push('remount');
      changes.push({ property: 'mounted', before: 'mounted (old fstab line)', after: 'remounted', summary: say(`remount ${path} with its new fstab line`), repeats: true });
    }
  } else if (p.state === 'unmounted' && live) {
    actions.push('umount');
    changes.push({ property: 'mounted', before: 'mounted', after: 'unmounted', summary: say(`unmount ${path}`) });
  } else if (p.state === 'absent' && fstabChanged) {
    // As in Ansible: unmount and remove the mount point only when the fstab line went away.
    if (live) {
      actions.push('umount');
      changes.push({ property: 'mounted', before: 'mounted', after: 'unmounted', summary: say(`unmount ${path}`) });
    }
    if ((await ctx.host.stat(path)).exists) {
      actions.push('rmdir');
      changes.push({ property: 'mountpoint', before: 'directory', after: 'absent', summary: say(`remove the mount point ${path}`) });
    }
  } else if (p.state === 'remounted') {
    actions.push('remount');
    changes.push({ property: 'mounted', before: live ? 'mounted' : 'unmounted', after: 'remounted', summary: say(`remount ${path}`), repeats: true });
  }

  const result: Record<string, unknown> = { name: path, opts: entry.opts, dump: entry.dump, passno: entry.passno, fstab, boot: p.boot ? 'yes' : 'no', ...(p.src !== undefined ? { src: p.src } : {}), ...(p.fstype !== undefined ? { fstype: p.fstype } : {}) };
  if (warnings.length) result.warnings = warnings;
  return { changes, result, state: st };
}

async function run(ctx: ModuleContext, argv: string[]): Promise<{ rc: number; out: string }> {
  const r = await ctx.host.run(argv, { env: ENV });
  return { rc: r.rc, out: (r.stdout + r.stderr).trim() };
}

async function apply(p: MountParams, planned: PlanResult<MountState>, ctx: ModuleContext) {
  const st = planned.state!;
  const path = (p.path ?? p.name)!;
  const fstab = p.fstab ?? '/etc/fstab';
  const fstabArgs = fstab !== '/etc/fstab' ? ['-T', fstab] : [];
  const opts = String(planned.result?.opts ?? 'defaults');
  let result: Record<string, unknown> = {};
  const oldFstab = st.fstab ? await ctx.host.readFile(fstab) : null;
  if (st.fstab) result = await applyFileWrite(st.fstab.spec, { ...planned, state: st.fstab.write }, ctx);
  for (const d of st.dirs) await ctx.host.mkdir(d, 0o755);
  const undo = async (why: string) => {
    // A line that cannot be mounted would break the next boot: put the old fstab back, as Ansible does.
    if (st.fstab && oldFstab !== null) await ctx.host.writeFile(fstab, oldFstab).catch(() => {});
    for (const d of [...st.dirs].reverse()) await ctx.host.run(['rmdir', d]).catch(() => {});
    throw new TaskFailedError(`Error mounting ${path}: ${why}`);
  };
  for (const a of st.actions) {
    if (a === 'mount') {
      const r = await run(ctx, ['mount', ...fstabArgs, path]);
      if (r.rc !== 0) await undo(r.out);
    } else if (a === 'ephemeral' || a === 'remount') {
      const eph = a === 'ephemeral';
      const live = eph ? await liveMount(ctx, path) : true;
      const spec = eph ? ['-t', p.fstype!, ...(opts !== 'defaults' ? ['-o', opts] : []), p.src!] : [];
      if (eph && !live) {
        const r = await run(ctx, ['mount', ...spec, path]);
        if (r.rc !== 0) await undo(r.out);
        continue;
      }
      const withOpts = p.state === 'remounted' && opts !== 'defaults';
      const r = await run(ctx, ['mount', '-o', withOpts ? `remount,${opts}` : 'remount', ...(eph ? spec : fstabArgs), path]);
      if (r.rc === 0) continue;
      if (withOpts) throw new TaskFailedError('Options were specified with remounted, but the remount command failed: unmount (state: unmounted) and mount (state: mounted) with the full options instead');
      // Remount not supported by the file system: unmount and mount again.
      const u = await run(ctx, ['umount', path]);
      if (u.rc !== 0) throw new TaskFailedError(`Error remounting ${path}: ${u.out}`);
      const m = await run(ctx, ['mount', ...(eph ? spec : fstabArgs), path]);
      if (m.rc !== 0) throw new TaskFailedError(`Error remounting ${path}: ${m.out}`);
    } else if (a === 'umount') {
      const r = await run(ctx, ['umount', path]);
      if (r.rc !== 0) throw new TaskFailedError(`Error unmounting ${path}: ${r.out}`);
    } else if (a === 'rmdir') {
      const r = await run(ctx, ['rmdir', path]);
      if (r.rc !== 0) throw new TaskFailedError(`Error rmdir ${path}: ${r.out}`);
    }
  }
  return { result };
}

export const mountModule: ModuleDefinition<MountParams, MountState> = {
  name: 'mount',
  aliases: ['ansible.posix.mount'],
  description:
    'Keeps a file system\'s line in fstab and its mount state. mounted: the line is there, the mount point exists and it is mounted ' +
    '(remounted when its line changed); present: the line only; unmounted: unmounted, fstab kept; absent: the line removed and, when it was ' +
    'there, unmounted and the mount point removed; absent_from_fstab: the line removed only; remounted: remount every run; ephemeral: mount ' +
    'src without fstab. Lines are written and matched as ansible.posix.mount does (fields escaped, a changed line rewritten whole).',
  schema: {
    properties: {
      path: { type: 'string', description: 'The mount point (alias: name).' },
      name: { type: 'string', description: 'Alias of path.' },
      src: { type: 'string', description: 'The device, label (LABEL=...), UUID=... or server:/export to mount; required for mounted, present and ephemeral.' },
      fstype: { type: 'string', description: 'File system type (ext4, xfs, nfs, tmpfs ...); required for mounted, present and ephemeral.' },
      opts: { type: 'string', description: 'Mount options, comma separated. Default: defaults.' },
      dump: { type: ['string', 'integer'], default: '0', description: 'fstab\'s dump field.' },
      passno: { type: ['string', 'integer'], default: '0', description: 'fstab\'s pass number (fsck order).' },
      state: { type: 'string', enum: ['mounted', 'present', 'unmounted', 'absent', 'absent_from_fstab', 'remounted', 'ephemeral'], description: 'See above.' },
      fstab: { type: 'string', description: 'Another fstab file to keep the line in (mount and remount then read it with -T). Default: /etc/fstab.' },
      boot: { type: 'boolean', default: true, description: 'false adds noauto to the options (unless they have defaults or noauto), so the line is not mounted at boot.' },
      backup: { type: 'boolean', default: false, description: 'Keep a timestamped copy of fstab before changing it.' },
    },
    required: ['state'],
    anyOf: [{ required: ['path'] }, { required: ['name'] }],
  },
  plan,
  apply,
};
