// The Host is the only way a module reaches a machine. Every implementation
// (local, ssh, chroot) must behave the same for the same calls, so that a
// module written against one works on all three.

import type { FileContent } from './content-stream.js';

export type { ContentStream, FileContent } from './content-stream.js';

export interface CommandResult {
  rc: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Working directory on the host. */
  cwd?: string;
  /** Extra environment variables (names must be plain identifiers). */
  env?: Record<string, string>;
  /** Bytes written to the command's standard input. */
  stdin?: string | Buffer;
  /** Kill the command after this many milliseconds (rc 124). */
  timeoutMs?: number;
  /**
   * The command only looks (systemctl show, a firewalld query): a host that
   * remembers observations (see Host.remember) keeps them across it. Any
   * other command may change anything, so it makes such a host forget.
   */
  observeOnly?: boolean;
}

export type FileType = 'file' | 'directory' | 'link' | 'other';

export interface FileStat {
  exists: boolean;
  type?: FileType;
  /** Permission bits only (0o7777). */
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtimeMs?: number;
  /** For links: where it points (readlink, not resolved). */
  linkTarget?: string;
  /** Inode and link count, for hard links. */
  ino?: number;
  nlink?: number;
}

export interface Ownership {
  /** User name or numeric id as a string. */
  owner?: string;
  group?: string;
}

export interface WriteOptions extends Ownership {
  /** Permission bits; the file has them from the first byte written. */
  mode?: number;
}

export interface Facts {
  /** Ansible's names: Debian, RedHat, Suse. */
  os_family: string;
  distribution: string;
  distribution_version: string;
  distribution_major_version: string;
  /** ID from os-release (debian, rocky, opensuse-leap, sles ...). */
  os_id: string;
  pkg_mgr: 'apt' | 'dnf' | 'zypper' | 'unknown';
  service_mgr: 'systemd' | 'none';
  /** True when systemd is running as PID 1 (services can be started). */
  systemd_running: boolean;
  hostname: string;
  architecture: string;
  interfaces: string[];
  /** Addresses per interface (IPv4, CIDR notation). */
  ipv4: Record<string, string[]>;
  /** Memory, processors, kernel, default route, mounts, environment (not gathered inside a chroot tree). */
  hardware?: import('./hardware-facts-shape.js').HardwareFacts;
}

export interface Host {
  /** Inventory name of the host. */
  readonly name: string;
  readonly kind: 'local' | 'ssh' | 'chroot';

  /** Runs argv without any shell. Never throws for a non-zero exit code. */
  run(argv: string[], opts?: RunOptions): Promise<CommandResult>;

  /** File content, or null when the path does not exist. */
  readFile(path: string): Promise<Buffer | null>;
  /** lstat (links are not followed). A missing path gives {exists:false}. */
  stat(path: string): Promise<FileStat>;
  /**
   * SHA-1 (hex) of a regular file's content, computed on the host as it is
   * read (a large file is never brought here to be compared); null when the
   * path does not exist. Links are followed; anything but a regular file is an error.
   */
  checksum(path: string): Promise<string | null>;
  /**
   * Atomic replace: temp file in the same directory, mode/owner set, content
   * written and synced, then renamed over the target. A ContentStream is
   * written as it is read; if it throws, nothing is renamed.
   */
  writeFile(path: string, content: FileContent, opts?: WriteOptions): Promise<void>;
  mkdir(path: string, mode?: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  chown(path: string, own: Ownership): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  link(target: string, path: string): Promise<void>;
  /** Removes a file, link or (recursively) a directory. Missing is fine. */
  remove(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  /**
   * Optional: every path below directory `path` with its lstat (links below it not followed), parents
   * before their children and names in sort() order, as a walk by readdir and stat would find them, in
   * one request. undefined where the host has no such request (the caller walks the tree itself).
   */
  statTree?(path: string): Promise<Array<{ path: string; stat: FileStat }> | undefined>;

  /** Numeric id of a user or group name (numeric strings pass through). */
  uidOf(user: string): Promise<number | undefined>;
  gidOf(group: string): Promise<number | undefined>;
  userName(uid: number): Promise<string>;
  groupName(gid: number): Promise<string>;

  /** Gathered once per host and cached. */
  facts(): Promise<Facts>;
  /**
   * Optional: the result of `observe` remembered under `key` until something
   * may have changed on the host (a write, a command not marked observeOnly),
   * so that tasks looking at the same thing in a row ask the host once.
   * Hosts without it observe every time.
   */
  remember?<T>(key: string, observe: () => Promise<T>): Promise<T>;
  /**
   * Optional: looks at these paths (and their directories) together, ahead of the tasks that will,
   * and remembers what it saw as stat and readFile remember it (see remember). A hint: paths no task
   * asks for cost a little, paths it misses are asked as before. Never throws.
   */
  prefetch?(paths: string[]): Promise<void>;
  /**
   * Optional: drops the connection and everything learnt through it, so the
   * next operation connects afresh (after the host rebooted). Hosts that
   * cannot lose their connection (local, chroot) do not have it.
   */
  reconnect?(): Promise<void>;
  close(): Promise<void>;
}

/** The host could not be reached at all (connection, auth, host key). */
export class HostUnreachableError extends Error {
  constructor(public readonly host: string, message: string) {
    super(message);
    this.name = 'HostUnreachableError';
  }
}

/** The connection was lost while a task was running. */
export class ConnectionLostError extends Error {
  constructor(public readonly host: string, message: string) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

/** A host operation failed (permission denied, no such directory ...). */
export class HostOperationError extends Error {
  constructor(message: string, public readonly code?: string) {
    super(message);
    this.name = 'HostOperationError';
  }
}
