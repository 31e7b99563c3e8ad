// nfs_export: one exported path with its clients and options, in /etc/exports
// or /etc/exports.d/NAME.exports (kernel server), or as an EXPORT block in a
// Ganesha config file (server: ganesha, format in nfs-ganesha-format.ts).
//
// Kernel: equal exports compare equal whatever the order of clients and
// options. The new file is checked by exportfs itself before it is written,
// in --check too: `exportfs -ra` runs in a private mount namespace where /etc
// is an overlay holding the candidate file and /var/lib/nfs is a tmpfs, so the
// real etab is untouched (the one effect outside is exportfs flushing the
// kernel's export caches, which mountd refills from the real, unchanged etab).
// After writing, `exportfs -ra` applies it; if that fails the previous file
// is restored and exportfs re-run.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, requireAbsolute, type FileWriteState } from './common/index.js';
import { attributeProperties } from './common/dest-schema.js';
import {
  checkExport, clientsOf, editExports, exportKey, parseClient, parseExports, splitOptions, type ExportClient,
} from './nfs-exports-format.js';
import { editGanesha, findGaneshaBlock, formatGaneshaBlock, ganeshaPermissions, usedExportIds } from './nfs-ganesha-format.js';

type Options = string | string[];

interface NfsExportParams {
  path: string;
  clients?: Array<string | { host: string; options?: Options }>;
  client?: string;
  options?: Options;
  state: 'present' | 'absent';
  file?: string;
  name?: string;
  server: 'kernel' | 'ganesha';
  pseudo?: string;
  protocols: number[];
  export_id?: number;
  reload: boolean;
  mode?: string | number;
  owner?: string;
  group?: string;
}

const OPTIONS = {
  anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  description: "Export options as a list or a comma-separated string (rw, sync, no_root_squash, no_subtree_check, anonuid=..., sec=...).",
};

const schema = {
  properties: {
    path: { type: 'string', description: 'The exported directory.' },
    clients: {
      type: 'array',
      description: "Clients of the export: strings like '192.168.0.0/24(rw,no_root_squash)' or objects {host, options}. The export gets exactly these clients.",
      items: {
        anyOf: [
          { type: 'string' },
          { type: 'object', additionalProperties: false, required: ['host'], properties: { host: { type: 'string', description: 'Host, network (CIDR), wildcard or @netgroup.' }, options: OPTIONS } },
        ],
      },
    },
    client: { type: 'string', description: "One client in exports(5) form: '192.168.0.0/24(rw,no_root_squash)'." },
    options: { ...OPTIONS, description: 'Options for clients given without their own.' },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'absent removes the export of path from the file.' },
    file: { type: 'string', description: 'The exports file: /etc/exports (default) or /etc/exports.d/NAME.exports; for server: ganesha the config file (default /etc/ganesha/ganesha.conf).' },
    name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', description: 'Shorthand for file: /etc/exports.d/NAME.exports.' },
    server: { type: 'string', enum: ['kernel', 'ganesha'], default: 'kernel', description: 'kernel: exports(5) + exportfs; ganesha: an EXPORT block in the NFS-Ganesha config (reload Ganesha with a handler).' },
    pseudo: { type: 'string', description: 'ganesha: NFSv4 pseudo path (default: path).' },
    protocols: { type: 'array', items: { type: 'integer', enum: [3, 4] }, default: [3, 4], description: 'ganesha: NFS versions of the export.' },
    export_id: { type: 'integer', minimum: 1, maximum: 65535, description: 'ganesha: Export_Id (default: the block\'s current one, else the lowest free id).' },
    reload: { type: 'boolean', default: true, description: 'kernel: run exportfs -ra after a change (not on a chroot host).' },
    ...attributeProperties,
  },
  required: ['path'],
};

function optionList(o: Options | undefined): string[] {
  if (o === undefined) return [];
  return (Array.isArray(o) ? o : [o]).flatMap(splitOptions);
}

export function wantedClients(p: NfsExportParams): ExportClient[] {
  const defaults = optionList(p.options);
  const out: ExportClient[] = [];
  for (const c of [...(p.clients ?? []), ...(p.client !== undefined ? [p.client] : [])]) {
    if (typeof c === 'string') out.push(parseClient(c.trim(), defaults));
    else out.push({ host: c.host, options: c.options !== undefined ? optionList(c.options) : [...defaults] });
  }
  return out;
}

function fileOf(p: NfsExportParams): string {
  if (p.name !== undefined && p.file !== undefined) throw new TaskFailedError('give file or name, not both');
  if (p.name !== undefined) return `/etc/exports.d/${p.name}.exports`;
  if (p.file !== undefined) return requireAbsolute(p.file, 'file');
  return p.server === 'ganesha' ? '/etc/ganesha/ganesha.conf' : '/etc/exports';
}

// Fixed script; $1 = the exports file to replace, stdin = its candidate content.
export const CHECK_SCRIPT = [
  'set -e',
  'command -v exportfs >/dev/null 2>&1 || exit 127',
  'mount --make-rprivate /',
  'mount -t tmpfs converge-exportfs-check /var/lib/nfs',
  'mkdir /var/lib/nfs/.converge-upper /var/lib/nfs/.converge-work',
  'mount -t overlay converge-exportfs-check -o lowerdir=/etc,upperdir=/var/lib/nfs/.converge-upper,workdir=/var/lib/nfs/.converge-work /etc',
  'mkdir -p "$(dirname "$1")"',
  'cat > "$1"',
  'exec exportfs -ra',
].join('\n');

interface ExportfsCheck {
  afterTask?: number;
}

/** Runs exportfs on the candidate file in a private namespace; throws with exportfs's words. */
async function checkWithExportfs(ctx: ModuleContext, file: string, content: string, path: string): Promise<ExportfsCheck> {
  const r = await ctx.host.run(['unshare', '-m', '--', 'sh', '-c', CHECK_SCRIPT, 'sh', file], { stdin: content, env: { LC_ALL: 'C' } });
  if (r.rc === 0) return {};
  if (/^(unshare|mount):/m.test(r.stderr) && !/^exportfs:/m.test(r.stderr)) {
    throw new TaskFailedError(`checking the new ${file} with exportfs needs a private mount namespace, which failed (converge must run as root there: become: true): ${r.stderr.trim()}`);
  }
  const errors = r.stderr.split('\n').filter((l) => l.trim() && !/^\s/.test(l) && !/Neither 'subtree_check'|No options for|Failed to resolve/.test(l));
  if (ctx.check) {
    // exportfs (nfs-utils) or the exported directory may come from earlier tasks.
    const pkg = ctx.ledger.lastOfKind('package');
    if (r.rc === 127 && pkg !== undefined) return { afterTask: pkg };
    const dirTask = ctx.ledger.findPath(path);
    if (dirTask !== undefined && errors.length && errors.every((l) => l.includes(`Failed to stat ${path}:`))) return { afterTask: dirTask };
  }
  if (r.rc === 127) throw new TaskFailedError(`exportfs is not installed on ${ctx.host.name} (package nfs-utils / nfs-kernel-server)`);
  throw new TaskFailedError(`exportfs rejects the new ${file}, left unchanged:\n${(errors.length ? errors : [r.stderr.trim()]).join('\n')}`, { rc: r.rc, stderr: r.stderr });
}

interface NfsExportState {
  write: FileWriteState;
  content: string;
  old: string | null;
  file: string;
}

function say(ctx: ModuleContext, s: string): string { return ctx.check ? `would ${s}` : s; }

async function plan(p: NfsExportParams, ctx: ModuleContext): Promise<PlanResult<NfsExportState>> {
  const path = requireAbsolute(p.path);
  const file = fileOf(p);
  if (p.server === 'kernel' && file !== '/etc/exports' && !/^\/etc\/exports\.d\/[^/]+\.exports$/.test(file)) {
    throw new TaskFailedError(`exportfs reads only /etc/exports and /etc/exports.d/*.exports, not ${file}`);
  }
  const clients = p.state === 'present' ? wantedClients(p) : undefined;
  if (clients) {
    const problems = checkExport(path, clients);
    if (problems.length) throw new TaskFailedError(problems.join('; '));
  }
  const oldBuf = await ctx.host.readFile(file);
  const old = oldBuf?.toString('utf8') ?? null;
  const changes: Change[] = [];
  let content = old ?? '';
  let afterTask: number | undefined;

  if (p.server === 'kernel') {
    const f = parseExports(old ?? '');
    const current = clientsOf(f, path);
    const before = current ? exportKey(current) : undefined;
    const after = clients ? exportKey(clients) : undefined;
    if (before !== after) {
      changes.push({ property: `export:${path}`, before, after, summary: say(ctx, clients ? `export ${path} to ${clients.map((c) => c.host).join(' ')}` : `remove the export of ${path}`) });
      content = editExports(f, path, clients);
      afterTask = (await checkWithExportfs(ctx, file, content, path)).afterTask;
    }
  } else {
    if (clients) for (const c of clients) {
      try { ganeshaPermissions(c.options); } catch (e) { throw new TaskFailedError((e as Error).message); }
    }
    const lines = (old ?? '').split('\n');
    const at = findGaneshaBlock(lines, path);
    let block: string | undefined;
    if (clients) {
      const used = usedExportIds(old ?? '');
      if (at?.exportId !== undefined) used.delete(at.exportId);
      let id = p.export_id ?? at?.exportId;
      if (id === undefined) { id = 1; while (used.has(id)) id++; }
      if (used.has(id)) throw new TaskFailedError(`Export_Id ${id} is already used by another export in ${file}`);
      block = formatGaneshaBlock({ path, pseudo: p.pseudo ?? path, protocols: p.protocols, clients }, id);
    }
    const current = at ? lines.slice(at.first, at.last + 1).join('\n') : undefined;
    if (current !== block) {
      changes.push({ property: `export:${path}`, before: at ? 'present' : undefined, after: block ? 'present' : undefined, summary: say(ctx, block ? `write the Ganesha export of ${path}` : `remove the Ganesha export of ${path}`) });
      content = editGanesha(old ?? '', path, block);
    }
  }

  if (old === null && changes.length === 0) return { changes, result: { file, path } };
  const w = await planFileWrite({ path: file, content: Buffer.from(content), mode: p.mode, owner: p.owner, group: p.group, makeParents: file.startsWith('/etc/exports.d/') }, ctx);
  if (afterTask !== undefined) for (const c of w.changes) if (c.property === 'content') { c.afterTask = afterTask; c.summary += ' (exportfs check after an earlier task)'; }
  const all = [...changes, ...w.changes];
  if (all.length === 0) return { changes: all, result: { file, path } };
  return { changes: all, provides: w.provides, result: { file, path }, state: { write: w.state!, content, old, file } };
}

async function apply(p: NfsExportParams, planned: PlanResult<NfsExportState>, ctx: ModuleContext) {
  const st = planned.state!;
  await applyFileWrite({ path: st.file, content: Buffer.from(st.content), mode: p.mode, owner: p.owner, group: p.group }, { ...planned, state: st.write }, ctx);
  if (p.server !== 'kernel' || !p.reload || !st.write.writeContent || ctx.host.kind === 'chroot') return {};
  const r = await ctx.host.run(['exportfs', '-ra'], { env: { LC_ALL: 'C' } });
  if (r.rc === 0) return { result: { exportfs: r.stderr.trim() } };
  // Put the previous file back so the server keeps exporting what it did.
  if (st.old === null) await ctx.host.remove(st.file);
  else await ctx.host.writeFile(st.file, st.old);
  const again = await ctx.host.run(['exportfs', '-ra'], { env: { LC_ALL: 'C' } });
  throw new TaskFailedError(`exportfs -ra failed (rc ${r.rc}); the previous ${st.file} was restored${again.rc === 0 ? '' : ' (exportfs still fails with it)'}:\n${r.stderr.trim()}`, { rc: r.rc, stderr: r.stderr });
}

export const nfsExportModule: ModuleDefinition<NfsExportParams, NfsExportState> = {
  name: 'nfs_export',
  observedPaths: ['file'],
  convergeOnly: true,
  aliases: ['nfs-export'],
  description: 'Manages one NFS export (path, clients, options) in /etc/exports or /etc/exports.d/*.exports, checked with exportfs before writing (in --check too) and applied with exportfs -ra, restoring the previous file if that fails; or as an EXPORT block in an NFS-Ganesha config (server: ganesha).',
  schema,
  plan,
  apply,
};
