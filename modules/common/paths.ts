// Path helpers on the managed host: following links through the Host (which
// only offers lstat), finding the missing parents of a path, backup names.

import * as posix from 'node:path/posix';
import type { FileStat, Host } from '../../src/host/host.js';
import { TaskFailedError } from '../../src/engine/module.js';

/** Follows symbolic links at `path` itself (not in its parents) to the final path. */
export async function resolveLinks(host: Host, path: string): Promise<{ path: string; stat: FileStat }> {
  let p = path;
  for (let hops = 0; hops < 40; hops++) {
    const st = await host.stat(p);
    if (st.type !== 'link') return { path: p, stat: st };
    p = posix.resolve(posix.dirname(p), st.linkTarget!);
  }
  throw new TaskFailedError(`too many levels of symbolic links at ${path}`);
}

/** Directories that must be created (outermost first) for `dir` to exist. */
export async function missingDirs(host: Host, dir: string): Promise<string[]> {
  const missing: string[] = [];
  let d = posix.normalize(dir);
  for (;;) {
    const st = await host.stat(d);
    if (st.exists) {
      if (st.type === 'link') {
        const r = await resolveLinks(host, d);
        if (r.stat.type !== 'directory') throw new TaskFailedError(`${d} exists and is not a directory`);
      } else if (st.type !== 'directory') {
        throw new TaskFailedError(`${d} exists and is not a directory`);
      }
      break;
    }
    missing.unshift(d);
    if (d === '/') break;
    d = posix.dirname(d);
  }
  return missing;
}

export function requireAbsolute(path: string, param = 'path'): string {
  if (!posix.isAbsolute(path)) throw new TaskFailedError(`${param} must be an absolute path, got '${path}'`);
  return posix.normalize(path).replace(/(.)\/$/, '$1');
}

/** Ansible's backup name: dest.YYYY-MM-DD@HH:MM:SS~ (local time of the controller). */
export function backupName(path: string, now = new Date()): string {
  const z = (n: number) => String(n).padStart(2, '0');
  return `${path}.${now.getFullYear()}-${z(now.getMonth() + 1)}-${z(now.getDate())}@${z(now.getHours())}:${z(now.getMinutes())}:${z(now.getSeconds())}~`;
}

export const dirname = posix.dirname;
export const basename = posix.basename;
export const joinPath = posix.join;

/**
 * Creates a directory that the plan found missing. Another process (another
 * host's session on a shared file system, a package install) may have created
 * it since: like mkdir -p, a directory there now is fine. Returns whether this
 * call created it, so that only directories converge made get its attributes.
 */
export async function mkdirUnlessRaced(host: Host, dir: string, mode: number): Promise<boolean> {
  try {
    await host.mkdir(dir, mode);
    return true;
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
    const st = await host.stat(dir);
    const isDir = st.type === 'directory' || (st.type === 'link' && (await resolveLinks(host, dir)).stat.type === 'directory');
    if (!isDir) throw e;
    return false;
  }
}
