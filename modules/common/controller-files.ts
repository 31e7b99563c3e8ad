// Files that live next to the playbook on the controller (copy src, template
// src). These are read with node's fs on purpose: they are the playbook's own
// files, not the managed host's, which modules only ever reach via the Host.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { TaskFailedError } from '../../src/engine/module.js';
import { MAX_DIFF_BYTES } from './content.js';
import { ControllerFileStream } from './controller-stream.js';

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

/** The first candidate that exists (file or directory); TaskFailedError naming every path tried. */
export function findControllerPath(baseDir: string, src: string, subdir: 'files' | 'templates'): { path: string; isDir: boolean } {
  const tried = controllerCandidates(baseDir, src, subdir);
  for (const p of tried) {
    try {
      return { path: p, isDir: statSync(p).isDirectory() };
    } catch { /* try the next one */ }
  }
  throw new TaskFailedError(`src file not found: ${src} (looked in ${tried.join(', ')})`);
}

export function readControllerFile(baseDir: string, src: string, subdir: 'files' | 'templates'): ControllerFile {
  const found = findControllerPath(baseDir, src, subdir);
  if (found.isDir) throw new TaskFailedError(`src ${found.path} is a directory, not a file`);
  return { path: found.path, content: readFileSync(found.path), mode: statSync(found.path).mode & 0o7777 };
}

/**
 * A file's content for copying: read now when small (a diff can be shown),
 * otherwise a stream read as the host writes it (memory stays flat whatever
 * the file's size).
 */
export function contentOf(file: string, size: number): Buffer | ControllerFileStream {
  return size > MAX_DIFF_BYTES ? new ControllerFileStream(file, size) : readFileSync(file);
}

/** readControllerFile for `copy`: large content is streamed (see contentOf). */
export function controllerContent(baseDir: string, src: string): { path: string; content: Buffer | ControllerFileStream; mode: number } {
  const found = findControllerPath(baseDir, src, 'files');
  if (found.isDir) throw new TaskFailedError(`src ${found.path} is a directory, not a file`);
  const st = statSync(found.path);
  return { path: found.path, content: contentOf(found.path, st.size), mode: st.mode & 0o7777 };
}

export interface TreeEntry {
  /** Path relative to the tree's root, with '/' separators. */
  rel: string;
  isDir: boolean;
  content?: Buffer | ControllerFileStream;
  mode: number;
}

/** Every directory and file below `root`, parents before children, links followed (Ansible's local_follow). */
export function readControllerTree(root: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(p);
      if (st.isDirectory()) {
        out.push({ rel: r, isDir: true, mode: st.mode & 0o7777 });
        walk(p, r);
      } else if (st.isFile()) {
        out.push({ rel: r, isDir: false, content: contentOf(p, st.size), mode: st.mode & 0o7777 });
      }
    }
  };
  walk(root, '');
  return out;
}
