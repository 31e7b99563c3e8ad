// fetch: copies a file from the host to the controller, under
// dest/<inventory name>/<src path> (or exactly dest with flat). The host is
// not trusted: what it sends is data. The controller path is built from the
// task's own src and the inventory name only (never from anything the host
// reports), must stay below dest, and is written like every converge write
// (temp file, fsync, rename, no link followed that another user controls).

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { LocalHost } from '../src/host/local-host.js';
import { HostOperationError } from '../src/host/host.js';
import { resolveLinks } from './common/paths.js';

export interface FetchParams { src: string; dest: string; flat: boolean; fail_on_missing: boolean; validate_checksum: boolean }

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

let controller: LocalHost | undefined;
const controllerHost = () => (controller ??= new LocalHost('controller'));

/** Where the file goes on the controller (Ansible's layout), refusing names that would leave dest. */
export function controllerDest(p: FetchParams, hostName: string, baseDir: string): string {
  const root = path.resolve(baseDir, p.dest);
  const src = p.src.replace(/\\/g, '/');
  if (p.flat) {
    if (!p.dest.endsWith('/')) return root;
    const base = path.posix.basename(src);
    if (!base || base === '..' || base === '.') throw new TaskFailedError(`src '${p.src}' has no file name to store under ${p.dest}`);
    return path.join(root, base);
  }
  const rel = path.posix.join(hostName, src.startsWith('/') ? src.slice(1) : src);
  const parts = `${hostName}/${src}`.split('/');
  if (parts.includes('..') || path.posix.isAbsolute(hostName) || hostName.includes('/')) {
    throw new TaskFailedError(`fetch of '${p.src}' from '${hostName}' would be stored outside ${root} ('..' or '/' in the host name or source path); refusing`);
  }
  return path.join(root, rel);
}

interface FetchState { content: Buffer; dest: string }

/** Directories to make on the controller, outermost first. */
async function missingControllerDirs(dest: string): Promise<string[]> {
  const out: string[] = [];
  for (let d = path.dirname(dest); ; d = path.dirname(d)) {
    const st = await controllerHost().stat(d);
    if (st.exists) {
      const real = st.type === 'link' ? (await resolveLinks(controllerHost(), d)).stat : st;
      if (real.type !== 'directory') throw new TaskFailedError(`${d} exists on the controller and is not a directory`);
      return out;
    }
    out.unshift(d);
    if (d === '/') return out;
  }
}

async function plan(p: FetchParams, ctx: ModuleContext): Promise<PlanResult<FetchState>> {
  const src = p.src;
  const dest = controllerDest(p, ctx.host.name, ctx.baseDir);
  const st = await ctx.host.stat(src);
  const real = st.type === 'link' ? await resolveLinks(ctx.host, src) : { path: src, stat: st };
  if (real.stat.type === 'directory') throw new TaskFailedError('remote file is a directory, fetch cannot work on directories');
  const content = real.stat.exists ? await ctx.host.readFile(real.path) : null;
  if (content === null) {
    const later = ctx.check ? ctx.ledger.findPath(src) : undefined;
    if (later !== undefined) return { changes: [{ property: 'content', after: src, summary: `would fetch ${src} to ${dest}`, afterTask: later }] };
    const msg = 'the remote file does not exist, not transferring, ignored';
    if (p.fail_on_missing) throw new TaskFailedError(msg, { file: src });
    return { changes: [], result: { msg, file: src } };
  }
  const local = await controllerHost().stat(dest);
  if (local.type === 'directory') throw new TaskFailedError(`dest '${dest}' is an existing directory, use a trailing slash if you want to fetch src into that directory`);
  const old = local.exists ? await controllerHost().readFile(dest) : null;
  const remote = sha1(content);
  const result = { dest, checksum: remote, remote_checksum: remote, md5sum: md5(content), remote_md5sum: null };
  if (old !== null && sha1(old) === remote) return { changes: [], result: { ...result, changed: false } };
  const changes: Change[] = [{ property: 'content', before: old === null ? undefined : `sha1:${sha1(old)}`, after: `sha1:${remote}`, summary: `${ctx.check ? 'would fetch' : 'fetch'} ${src} from ${ctx.host.name} to ${dest}` }];
  await missingControllerDirs(dest);
  return { changes, result, state: { content, dest } };
}

async function apply(p: FetchParams, planned: PlanResult<FetchState>, ctx: ModuleContext) {
  const { content, dest } = planned.state!;
  try {
    for (const d of await missingControllerDirs(dest)) await controllerHost().mkdir(d, 0o755);
    await controllerHost().writeFile(dest, content);
  } catch (e) {
    if (e instanceof HostOperationError) throw new TaskFailedError(`could not store the fetched file on the controller: ${e.message}`);
    throw e;
  }
  if (p.validate_checksum) {
    const written = await controllerHost().readFile(dest);
    if (written === null || sha1(written) !== sha1(content)) throw new TaskFailedError('checksum mismatch', { dest, remote_checksum: sha1(content) });
  }
  return {};
}

export const fetchModule: ModuleDefinition<FetchParams, FetchState> = {
  name: 'fetch',
  description:
    'Copies a file from the host to the controller: dest/<inventory name>/<src path>, or with flat the file dest (dest/<src file name> ' +
    'when dest ends with /). Unchanged when the controller copy has the same SHA-1. The controller path comes from the task alone and ' +
    'must stay below dest; it is written atomically and never through a link another user controls. What the host sends is data.',
  schema: {
    properties: {
      src: { type: 'string', description: 'The file on the host (a file, not a directory).' },
      dest: { type: 'string', description: 'Directory on the controller (relative to the playbook) to store the file under; with flat, the file itself.' },
      flat: { type: 'boolean', default: false, description: 'Store at dest itself (or dest/<file name> when dest ends with /) instead of dest/<host>/<src path>.' },
      fail_on_missing: { type: 'boolean', default: true, description: 'Fail when src does not exist on the host (false: ok, with a message).' },
      validate_checksum: { type: 'boolean', default: true, description: 'Check the written copy against the host file\'s SHA-1.' },
    },
    required: ['src', 'dest'],
  },
  plan,
  apply,
};
