// A scripted host: a Host that replays recorded observations instead of
// reaching a machine, for the fast table tests of modules' planning (issue 17).
// The test states what the host looks like (files, directories, links, users,
// the answers of commands); paths it does not list do not exist, and a
// command it has no answer for fails the test, so a table never passes on a
// guess. What a module does to the host (writes, mkdir, chmod, commands) is
// applied to the script's state, so the engine's verifying re-plan after apply
// sees it, and is recorded in `actions` for the table to compare.

import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { CommandResult, Facts, FileStat, Host, Ownership, RunOptions, WriteOptions } from '../../src/host/host.js';
import type { FileContent } from '../../src/host/host.js';

export type ObservedPath =
  | { content: string; mode?: number; uid?: number; gid?: number }
  | { dir: true; mode?: number; uid?: number; gid?: number }
  | { link: string };

/** A command's result, and for a command that changes the host, the paths it leaves (modprobe: /proc/modules). */
export interface ScriptedResult extends CommandResult {
  sets?: Record<string, ObservedPath>;
}

/** A command's answer: its stdout (rc 0), or the whole result; a list answers in turn (the last one repeats). */
export type ObservedAnswer = string | ScriptedResult | Array<string | ScriptedResult>;

export interface Observations {
  /** Paths on the host; parent directories of listed paths exist (root-owned, 0755). */
  paths?: Record<string, ObservedPath>;
  /** Commands that only look, answered by argv joined with single spaces: `sysctl -n net.ipv4.ip_forward`. */
  commands?: Record<string, ObservedAnswer>;
  /** Commands that change the host (recorded in `actions` as `run ...`), with their answers. */
  effects?: Record<string, ObservedAnswer>;
  /** Names and ids; root (0) is always there. */
  users?: Record<string, number>;
  groups?: Record<string, number>;
  facts?: Partial<Facts>;
  /** The host can be reconnected to, as an SSH host (reboot needs it); recorded in `actions` as `reconnect`. */
  reconnects?: boolean;
}

interface Node { type: 'file' | 'directory' | 'link'; content?: Buffer; target?: string; mode: number; uid: number; gid: number }

const FACTS: Facts = {
  os_family: 'Debian', distribution: 'Debian', distribution_version: '12', distribution_major_version: '12', os_id: 'debian',
  pkg_mgr: 'apt', service_mgr: 'systemd', systemd_running: true, hostname: 'scripted', architecture: 'x86_64', interfaces: ['lo'], ipv4: {},
};

async function bufferOf(content: FileContent): Promise<Buffer> {
  if (typeof content === 'string') return Buffer.from(content);
  if (Buffer.isBuffer(content)) return content;
  const parts: Buffer[] = [];
  for await (const chunk of content.chunks()) parts.push(chunk);
  return Buffer.concat(parts);
}

const octal = (m: number) => '0' + m.toString(8).padStart(3, '0');

export class ScriptedHost implements Host {
  readonly name = 'scripted';
  readonly kind = 'local' as const;
  /** What the module did, in order: `write /etc/x 0644`, `run sysctl -w a=1` ... */
  readonly actions: string[] = [];
  /** Every command run, looking or changing, as argv joined with spaces. */
  readonly commands: string[] = [];
  /** What each command was last fed on stdin (crontab -, apt-key add -), by command. */
  readonly stdin = new Map<string, string>();
  private readonly nodes = new Map<string, Node>([['/', { type: 'directory', mode: 0o755, uid: 0, gid: 0 }]]);
  private readonly answers = new Map<string, ObservedAnswer>();
  private readonly effects = new Set<string>();
  private readonly asked = new Map<string, number>();
  private readonly users: Map<string, number>;
  private readonly groups: Map<string, number>;
  private readonly factsGiven: Facts;

  constructor(o: Observations = {}) {
    this.setPaths(o.paths ?? {});
    for (const [k, v] of Object.entries(o.commands ?? {})) this.answers.set(k, v);
    for (const [k, v] of Object.entries(o.effects ?? {})) { this.answers.set(k, v); this.effects.add(k); }
    this.users = new Map(Object.entries({ root: 0, ...(o.users ?? {}) }));
    this.groups = new Map(Object.entries({ root: 0, ...(o.groups ?? {}) }));
    this.factsGiven = { ...FACTS, ...(o.facts ?? {}) };
    if (o.reconnects) this.reconnect = async () => { this.actions.push('reconnect'); };
  }

  reconnect?: () => Promise<void>;

  private setPaths(paths: Record<string, ObservedPath>): void {
    for (const [p, v] of Object.entries(paths)) {
      this.makeParents(p);
      if ('link' in v) this.nodes.set(p, { type: 'link', target: v.link, mode: 0o777, uid: 0, gid: 0 });
      else if ('dir' in v) this.nodes.set(p, { type: 'directory', mode: v.mode ?? 0o755, uid: v.uid ?? 0, gid: v.gid ?? 0 });
      else this.nodes.set(p, { type: 'file', content: Buffer.from(v.content), mode: v.mode ?? 0o644, uid: v.uid ?? 0, gid: v.gid ?? 0 });
    }
  }

  /** The content of a path now (after apply), or undefined. */
  contentOf(path: string): string | undefined {
    return this.nodes.get(path)?.content?.toString('utf8');
  }

  private makeParents(p: string): void {
    for (let d = posix.dirname(p); !this.nodes.has(d); d = posix.dirname(d)) this.nodes.set(d, { type: 'directory', mode: 0o755, uid: 0, gid: 0 });
  }

  private resolve(path: string, depth = 0): Node | undefined {
    const n = this.nodes.get(path);
    if (n?.type === 'link' && depth < 20) return this.resolve(posix.resolve(posix.dirname(path), n.target!), depth + 1);
    return n;
  }

  async run(argv: string[], opts?: RunOptions): Promise<CommandResult> {
    const key = argv.join(' ');
    this.commands.push(key);
    if (opts?.stdin !== undefined) this.stdin.set(key, opts.stdin.toString());
    const answer = this.answers.get(key);
    if (answer === undefined) throw new Error(`scripted host: no recorded answer for the command \`${key}\``);
    const list = Array.isArray(answer) ? answer : [answer];
    const i = this.asked.get(key) ?? 0;
    this.asked.set(key, i + 1);
    const a = list[Math.min(i, list.length - 1)];
    if (this.effects.has(key)) this.actions.push(`run ${key}`);
    if (typeof a === 'string') return { rc: 0, stdout: a, stderr: '' };
    const { sets, ...result } = a;
    if (sets) this.setPaths(sets);
    return result;
  }

  async readFile(path: string): Promise<Buffer | null> {
    const n = this.resolve(path);
    return n?.type === 'file' ? Buffer.from(n.content!) : null;
  }

  async stat(path: string): Promise<FileStat> {
    const n = this.nodes.get(path);
    if (!n) return { exists: false };
    return {
      exists: true, type: n.type === 'link' ? 'link' : n.type, mode: n.mode, uid: n.uid, gid: n.gid,
      size: n.content?.length ?? 0, mtimeMs: 0, ino: 1, nlink: 1, ...(n.type === 'link' ? { linkTarget: n.target } : {}),
    };
  }

  async checksum(path: string): Promise<string | null> {
    const n = this.resolve(path);
    if (!n) return null;
    if (n.type !== 'file') throw new Error(`scripted host: ${path} is not a regular file`);
    return createHash('sha1').update(n.content!).digest('hex');
  }

  async writeFile(path: string, content: FileContent, opts: WriteOptions = {}): Promise<void> {
    if (this.resolve(posix.dirname(path))?.type !== 'directory') throw new Error(`scripted host: no directory for ${path}`);
    const old = this.nodes.get(path);
    const uid = opts.owner !== undefined ? (await this.uidOf(opts.owner))! : old?.uid ?? 0;
    const gid = opts.group !== undefined ? (await this.gidOf(opts.group))! : old?.gid ?? 0;
    const mode = opts.mode ?? old?.mode ?? 0o644;
    this.nodes.set(path, { type: 'file', content: await bufferOf(content), mode, uid, gid });
    this.actions.push(`write ${path} ${octal(mode)}`);
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    this.makeParents(path);
    this.nodes.set(path, { type: 'directory', mode, uid: 0, gid: 0 });
    this.actions.push(`mkdir ${path} ${octal(mode)}`);
  }

  async chmod(path: string, mode: number): Promise<void> {
    const n = this.resolve(path);
    if (!n) throw new Error(`scripted host: chmod of missing ${path}`);
    n.mode = mode;
    this.actions.push(`chmod ${path} ${octal(mode)}`);
  }

  async chown(path: string, own: Ownership): Promise<void> {
    const n = this.nodes.get(path);
    if (!n) throw new Error(`scripted host: chown of missing ${path}`);
    if (own.owner !== undefined) n.uid = (await this.uidOf(own.owner))!;
    if (own.group !== undefined) n.gid = (await this.gidOf(own.group))!;
    this.actions.push(`chown ${path} ${own.owner ?? ''}:${own.group ?? ''}`);
  }

  async symlink(target: string, path: string): Promise<void> {
    this.makeParents(path);
    this.nodes.set(path, { type: 'link', target, mode: 0o777, uid: 0, gid: 0 });
    this.actions.push(`symlink ${path} -> ${target}`);
  }

  async link(target: string, path: string): Promise<void> {
    const n = this.resolve(target);
    if (!n) throw new Error(`scripted host: link to missing ${target}`);
    this.nodes.set(path, n);
    this.actions.push(`link ${path} => ${target}`);
  }

  async remove(path: string): Promise<void> {
    for (const p of [...this.nodes.keys()]) if (p === path || p.startsWith(path + '/')) this.nodes.delete(p);
    this.actions.push(`remove ${path}`);
  }

  async readdir(path: string): Promise<string[]> {
    const prefix = path.endsWith('/') ? path : path + '/';
    return [...this.nodes.keys()].filter((p) => p !== path && p.startsWith(prefix) && !p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length));
  }

  async uidOf(user: string): Promise<number | undefined> {
    return /^\d+$/.test(user) ? Number(user) : this.users.get(user);
  }

  async gidOf(group: string): Promise<number | undefined> {
    return /^\d+$/.test(group) ? Number(group) : this.groups.get(group);
  }

  async userName(uid: number): Promise<string> {
    return [...this.users].find(([, id]) => id === uid)?.[0] ?? String(uid);
  }

  async groupName(gid: number): Promise<string> {
    return [...this.groups].find(([, id]) => id === gid)?.[0] ?? String(gid);
  }

  async facts(): Promise<Facts> {
    return this.factsGiven;
  }

  async close(): Promise<void> {}
}
