// Files that live next to the playbook on the controller (copy src, template
// src). These are read with node's fs on purpose: they are the playbook's own
// files, not the managed host's, which modules only ever reach via the Host.

import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { TaskFailedError } from '../../src/engine/module.js';

/** Where Ansible looks for a relative src: the role/playbook's `subdir/` first, then the directory itself. */
export function controllerCandidates(baseDir: string, src: string, subdir: 'files' | 'templates'): string[] {
  if (path.isAbsolute(src)) return [src];
  return [path.resolve(baseDir, subdir, src), path.resolve(baseDir, src)];
}

export interface ControllerFile {
  path: string;
  content: Buffer;
  mode: number;
}

export function readControllerFile(baseDir: string, src: string, subdir: 'files' | 'templates'): ControllerFile {
  const tried = controllerCandidates(baseDir, src, subdir);
  for (const p of tried) {
    let st;
    try { st = statSync(p); } catch { continue; }
    if (st.isDirectory()) throw new TaskFailedError(`src ${p} is a directory; copying directories is not supported yet`);
    return { path: p, content: readFileSync(p), mode: st.mode & 0o7777 };
  }
  throw new TaskFailedError(`src file not found: ${src} (looked in ${tried.join(', ')})`);
}
