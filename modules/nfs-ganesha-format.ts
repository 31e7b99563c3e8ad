// The EXPORT blocks nfs_export writes for NFS-Ganesha (server: ganesha).
// Each export is one block between marker comments, so that converge finds
// and replaces its own blocks without parsing Ganesha's whole grammar:
//
//   # BEGIN converge nfs_export /srv/images
//   EXPORT {
//       Export_Id = 2;
//       Path = "/srv/images";
//       Pseudo = "/srv/images";
//       Protocols = 3, 4;
//       Access_Type = None;          # access only through the CLIENT blocks
//       FSAL { Name = VFS; }
//       CLIENT {
//           Clients = 192.168.0.0/24;
//           Access_Type = RW;
//           Squash = No_Root_Squash;
//       }
//   }
//   # END converge nfs_export /srv/images
//
// Kernel export options map to Ganesha's export permissions (ganesha-export-
// config(8)): rw/ro -> Access_Type, root_squash/no_root_squash/all_squash ->
// Squash, anonuid/anongid -> Anonymous_Uid/Gid, sec= -> SecType, secure/
// insecure -> PrivilegedPort, with the kernel's defaults (root_squash,
// anonuid/anongid 65534) written out where Ganesha's differ. Options that only mean something to the kernel
// server (sync, async, wdelay, subtree_check, hide ...) are accepted and left
// out; anything else is an error, never silently dropped.

import type { ExportClient } from './nfs-exports-format.js';

export interface GaneshaExport {
  path: string;
  pseudo: string;
  protocols: number[];
  clients: ExportClient[];
}

const KERNEL_ONLY = new Set(['sync', 'async', 'wdelay', 'no_wdelay', 'hide', 'nohide', 'subtree_check', 'no_subtree_check',
  'secure_locks', 'insecure_locks', 'auth_nlm', 'no_auth_nlm', 'crossmnt', 'nocrossmnt', 'acl', 'no_acl', 'no_pnfs']);

const SQUASH: Record<string, string> = { root_squash: 'Root_Squash', no_root_squash: 'No_Root_Squash', all_squash: 'All_Squash' };

/** Ganesha permission lines for one client's kernel-style options; throws on an option Ganesha has no meaning for. */
export function ganeshaPermissions(options: string[]): string[] {
  const out = new Map<string, string>();
  out.set('Access_Type', 'RO'); // the kernel default
  for (const o of options) {
    const [k, v] = o.split('=', 2);
    if (k === 'rw') out.set('Access_Type', 'RW');
    else if (k === 'ro') out.set('Access_Type', 'RO');
    else if (SQUASH[k]) out.set('Squash', SQUASH[k]);
    else if (k === 'no_all_squash') { if (out.get('Squash') === 'All_Squash') out.delete('Squash'); }
    else if (k === 'anonuid') out.set('Anonymous_Uid', v);
    else if (k === 'anongid') out.set('Anonymous_Gid', v);
    else if (k === 'sec') out.set('SecType', v.split(':').join(', '));
    else if (k === 'secure') out.set('PrivilegedPort', 'true');
    else if (k === 'insecure') out.set('PrivilegedPort', 'false');
    else if (!KERNEL_ONLY.has(k)) throw new Error(`export option '${o}' has no NFS-Ganesha equivalent`);
  }
  // The kernel's defaults, written out: root squashed, and squashed users become
  // nobody (65534). Ganesha's own anonymous id is -2 (4294967294): the same
  // export would then give files different owners on the two servers.
  if (!out.has('Squash')) out.set('Squash', 'Root_Squash');
  if (out.get('Squash') !== 'No_Root_Squash') {
    if (!out.has('Anonymous_Uid')) out.set('Anonymous_Uid', '65534');
    if (!out.has('Anonymous_Gid')) out.set('Anonymous_Gid', '65534');
  }
  // Stable order: the same options always give the same text.
  return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} = ${v};`);
}

export function beginMarker(path: string): string { return `# BEGIN converge nfs_export ${path}`; }
export function endMarker(path: string): string { return `# END converge nfs_export ${path}`; }

export function formatGaneshaBlock(e: GaneshaExport, exportId: number): string {
  const lines = [
    beginMarker(e.path),
    'EXPORT {',
    `    Export_Id = ${exportId};`,
    `    Path = "${e.path}";`,
    `    Pseudo = "${e.pseudo}";`,
    `    Protocols = ${e.protocols.join(', ')};`,
    '    Access_Type = None;',
    '    FSAL { Name = VFS; }',
  ];
  for (const c of e.clients) {
    lines.push('    CLIENT {', `        Clients = ${c.host};`, ...ganeshaPermissions(c.options).map((l) => `        ${l}`), '    }');
  }
  lines.push('}', endMarker(e.path));
  return lines.join('\n');
}

export interface GaneshaBlockLocation {
  first: number;
  last: number;
  exportId?: number;
}

/** Where our block for `path` is in the file's lines, and its Export_Id. */
export function findGaneshaBlock(lines: string[], path: string): GaneshaBlockLocation | undefined {
  const first = lines.indexOf(beginMarker(path));
  if (first < 0) return undefined;
  const end = lines.indexOf(endMarker(path), first);
  if (end < 0) return undefined;
  const id = lines.slice(first, end).map((l) => /^\s*Export_Id\s*=\s*(\d+)\s*;/i.exec(l)).find(Boolean);
  return { first, last: end, exportId: id ? Number(id[1]) : undefined };
}

/** Export ids used anywhere in the file (ours and hand-written blocks). */
export function usedExportIds(text: string): Set<number> {
  const ids = new Set<number>();
  for (const m of text.matchAll(/^\s*Export_Id\s*=\s*(\d+)\s*;/gim)) ids.add(Number(m[1]));
  return ids;
}

/** The file with the block for `path` replaced, added (block given) or removed (undefined). */
export function editGanesha(text: string, path: string, block: string | undefined): string {
  const finalNewline = text.endsWith('\n');
  const lines = text === '' ? [] : (finalNewline ? text.slice(0, -1) : text).split('\n');
  const at = findGaneshaBlock(lines, path);
  let out: string[];
  if (at) out = [...lines.slice(0, at.first), ...(block ? block.split('\n') : []), ...lines.slice(at.last + 1)];
  else out = block ? [...lines, ...block.split('\n')] : lines;
  return out.length ? out.join('\n') + '\n' : '';
}
