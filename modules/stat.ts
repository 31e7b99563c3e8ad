// stat: reports facts about a path for `register` (stat.exists, stat.isdir,
// stat.mode ...). It never changes anything.

import { createHash } from 'node:crypto';
import type { ModuleDefinition } from '../src/engine/module.js';
import { formatMode } from './common/mode.js';
import { requireAbsolute, resolveLinks } from './common/paths.js';

export interface StatParams {
  path?: string;
  dest?: string;
  name?: string;
  follow: boolean;
  get_checksum: boolean;
  checksum_algorithm: 'sha1' | 'sha256' | 'sha512' | 'md5';
}

export const statModule: ModuleDefinition<StatParams> = {
  name: 'stat',
  observedPaths: ['path', 'dest', 'name'],
  description:
    'Reports facts about a path (exists, isdir, isreg, islnk, mode as a \'0644\' string, uid, gid, pw_name, gr_name, size, mtime, checksum, ' +
    'lnk_source) under `stat` for register; the checksum is computed from the file read through the host. Never changes anything.',
  schema: {
    properties: {
      path: { type: 'string', description: 'Absolute path to look at (aliases: dest, name).' },
      dest: { type: 'string', description: 'Alias of path.' },
      name: { type: 'string', description: 'Alias of path.' },
      follow: { type: 'boolean', default: false, description: 'Follow a symbolic link and report on its target.' },
      get_checksum: { type: 'boolean', default: true, description: 'Compute the checksum of a regular file.' },
      checksum_algorithm: { type: 'string', enum: ['sha1', 'sha256', 'sha512', 'md5'], default: 'sha1', description: 'Checksum algorithm (sha1 like Ansible by default).' },
    },
    anyOf: [{ required: ['path'] }, { required: ['dest'] }, { required: ['name'] }],
  },

  async plan(p, ctx) {
    const host = ctx.host;
    const path = requireAbsolute((p.path ?? p.dest ?? p.name)!);
    const lst = await host.stat(path);
    if (!lst.exists) return { changes: [], result: { stat: { exists: false } } };
    const real = lst.type === 'link' ? await resolveLinks(host, path).catch(() => undefined) : { path, stat: lst };
    const st = p.follow && real?.stat.exists ? real.stat : lst;
    const stat: Record<string, unknown> = {
      exists: true,
      path,
      isdir: st.type === 'directory',
      isreg: st.type === 'file',
      islnk: st.type === 'link',
      mode: formatMode(st.mode!),
      uid: st.uid,
      gid: st.gid,
      pw_name: await host.userName(st.uid!),
      gr_name: await host.groupName(st.gid!),
      size: st.size,
      mtime: st.mtimeMs! / 1000,
      inode: st.ino,
      nlink: st.nlink,
    };
    if (lst.type === 'link') {
      stat.lnk_target = lst.linkTarget;
      if (real?.stat.exists) stat.lnk_source = real.path;
    }
    if (p.get_checksum && st.type === 'file') {
      const data = await host.readFile(p.follow && real ? real.path : path);
      if (data) stat.checksum = createHash(p.checksum_algorithm).update(data).digest('hex');
    }
    return { changes: [], result: { stat } };
  },

  async apply() {
    return {};
  },
};
