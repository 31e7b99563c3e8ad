// Mode, owner and group of one path: planned as Changes with before/after
// ('0644' strings, user and group names), applied with chown then chmod
// (chown clears setuid/setgid bits, so the mode must come last).

import type { FileStat, Host } from '../../src/host/host.js';
import type { Change } from '../../src/engine/module.js';
import { TaskFailedError } from '../../src/engine/module.js';
import type { Ledger } from '../../src/engine/ledger.js';
import { formatMode, parseMode } from './mode.js';

export interface Attributes {
  mode?: string | number;
  owner?: string;
  group?: string;
}

export interface AttributeOptions {
  /** In --check, a user/group that does not exist yet may come from an earlier task. */
  check?: boolean;
  ledger?: Ledger;
  /** Prefix for the property name when several paths are reported (recurse): "mode:/a/b". */
  label?: string;
  /** Mode a path that does not exist yet would get (files 0644, directories 0755). */
  defaultMode?: number;
  isDir?: boolean;
}

/** The permission bits `want.mode` gives this path, or undefined when no mode is asked for. */
export function wantedMode(want: Attributes, stat: FileStat, opts: AttributeOptions = {}): number | undefined {
  if (want.mode === undefined) return undefined;
  const isDir = opts.isDir ?? stat.type === 'directory';
  const current = stat.exists ? stat.mode : opts.defaultMode ?? (isDir ? 0o755 : 0o644);
  try {
    return parseMode(want.mode, current, isDir);
  } catch (e) {
    throw new TaskFailedError((e as Error).message);
  }
}

async function idFor(host: Host, kind: 'user' | 'group', name: string, opts: AttributeOptions): Promise<number | 'later' > {
  const id = kind === 'user' ? await host.uidOf(name) : await host.gidOf(name);
  if (id !== undefined) return id;
  if (opts.check && opts.ledger?.find(kind, name) !== undefined) return 'later';
  throw new TaskFailedError(`${kind === 'user' ? 'owner' : 'group'} '${name}' does not exist on ${host.name}`);
}

/**
 * What differs between `stat` and `want`. For a path that does not exist yet,
 * every asked-for attribute is reported with `before` undefined.
 * Links: owner/group are the link's own (lchown); mode is not planned.
 */
export async function planAttributes(host: Host, path: string, stat: FileStat, want: Attributes, opts: AttributeOptions = {}): Promise<Change[]> {
  const changes: Change[] = [];
  const prop = (p: string) => (opts.label ? `${p}:${opts.label}` : p);
  if (want.owner !== undefined) {
    const id = await idFor(host, 'user', want.owner, opts);
    if (!stat.exists || id === 'later' || stat.uid !== id) {
      const c: Change = { property: prop('owner'), before: stat.exists ? await host.userName(stat.uid!) : undefined, after: want.owner };
      if (id === 'later') c.afterTask = opts.ledger!.find('user', want.owner);
      changes.push(c);
    }
  }
  if (want.group !== undefined) {
    const id = await idFor(host, 'group', want.group, opts);
    if (!stat.exists || id === 'later' || stat.gid !== id) {
      const c: Change = { property: prop('group'), before: stat.exists ? await host.groupName(stat.gid!) : undefined, after: want.group };
      if (id === 'later') c.afterTask = opts.ledger!.find('group', want.group);
      changes.push(c);
    }
  }
  if (want.mode !== undefined && stat.type !== 'link') {
    const mode = wantedMode(want, stat, opts)!;
    if (!stat.exists || stat.mode !== mode) {
      changes.push({ property: prop('mode'), before: stat.exists ? formatMode(stat.mode!) : undefined, after: formatMode(mode) });
    }
  }
  return changes;
}

/** Re-reads the path and makes owner, group and mode match `want`. */
export async function applyAttributes(host: Host, path: string, want: Attributes, opts: AttributeOptions = {}): Promise<void> {
  const stat = await host.stat(path);
  if (!stat.exists) throw new TaskFailedError(`${path} does not exist`);
  const own: { owner?: string; group?: string } = {};
  if (want.owner !== undefined && (await host.uidOf(want.owner)) !== stat.uid) own.owner = want.owner;
  if (want.group !== undefined && (await host.gidOf(want.group)) !== stat.gid) own.group = want.group;
  if (own.owner !== undefined || own.group !== undefined) await host.chown(path, own);
  if (want.mode !== undefined && stat.type !== 'link') {
    const after = own.owner !== undefined || own.group !== undefined ? await host.stat(path) : stat;
    const mode = wantedMode(want, stat, opts)!;
    if (after.mode !== mode) await host.chmod(path, mode);
  }
}

/** Options for host.writeFile / mkdir so a new path has its attributes from the first byte. */
export function writeOptionsFor(want: Attributes, stat: FileStat, opts: AttributeOptions = {}): { mode?: number; owner?: string; group?: string } {
  const o: { mode?: number; owner?: string; group?: string } = {};
  const mode = wantedMode(want, stat, opts);
  if (mode !== undefined) o.mode = mode;
  if (want.owner !== undefined) o.owner = want.owner;
  if (want.group !== undefined) o.group = want.group;
  return o;
}
