// authorized_key (ansible.posix.authorized_key): public keys in a user's
// authorized_keys file, present or absent, with options and comments,
// exclusive mode, and the file laid out as Ansible lays it out (keys kept in
// their order, a key whose options or comment change moves to the end, other
// lines kept as they are). The file and its directory are made 0600 / 0700
// and owned by the user when the file is written.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';
import { dirname, missingDirs, resolveLinks } from './common/paths.js';

export interface AuthorizedKeyParams {
  user: string; key: string; path?: string; manage_dir: boolean; state: 'present' | 'absent';
  key_options?: string; exclusive: boolean; comment?: string; validate_certs: boolean; follow: boolean;
}

const KEY_TYPES = new Set([
  'sk-ecdsa-sha2-nistp256@openssh.com', 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com', 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521-cert-v01@openssh.com', 'sk-ssh-ed25519@openssh.com', 'sk-ssh-ed25519-cert-v01@openssh.com',
  'ssh-ed25519', 'ssh-ed25519-cert-v01@openssh.com', 'ssh-dss', 'ssh-rsa', 'ssh-xmss@openssh.com', 'ssh-xmss-cert-v01@openssh.com',
  'rsa-sha2-256', 'rsa-sha2-512', 'ssh-rsa-cert-v01@openssh.com', 'rsa-sha2-256-cert-v01@openssh.com', 'rsa-sha2-512-cert-v01@openssh.com',
  'ssh-dss-cert-v01@openssh.com',
]);

/** One line of the file: a parsed key, or a line kept verbatim (comments, blank, unparsable). */
interface Entry { id: string; type?: string; options?: Array<[string, string | null]>; comment?: string; rank: number; raw?: string }

function parseOptions(text: string | undefined): Array<[string, string | null]> {
  const out = new Map<string, string | null>();
  for (const part of text?.match(/(?:[^,"']|"[^"]*"|'[^']*')+/g) ?? []) {
    const i = part.indexOf('=');
    if (i >= 0) out.set(part.slice(0, i), part.slice(i + 1)); else out.set(part, null);
  }
  return [...out];
}

function parseKey(line: string, rank: number): Entry | null {
  const text = line.replace(/\\#/g, '#');
  const words = text.split(/\s+/).filter(Boolean);
  if (words[0] === '#') return { id: text, rank, raw: text };
  const t = words.findIndex((w) => KEY_TYPES.has(w));
  if (t < 0 || t + 1 >= words.length) return null;
  return { id: words[t + 1], type: words[t], options: parseOptions(t > 0 ? words.slice(0, t).join(' ') : undefined), comment: words.slice(t + 2).join(' '), rank };
}

const same = (a: Entry, b: Entry) => a.id === b.id && a.type === b.type && a.comment === b.comment && JSON.stringify(a.options) === JSON.stringify(b.options);

function serialize(keys: Map<string, Entry>): string {
  return [...keys.values()].sort((a, b) => a.rank - b.rank).map((e) => {
    if (e.raw !== undefined) return e.raw;
    const opts = e.options!.length ? e.options!.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join(',') + ' ' : '';
    return `${opts}${e.type} ${e.id} ${e.comment}\n`;
  }).join('');
}

/** The new file content, or null when nothing changes. */
export function editKeys(existing: string, p: AuthorizedKeyParams): string | null {
  const keys = new Map<string, Entry>();
  (existing.match(/[^\n]*\n|[^\n]+$/g) ?? []).forEach((line, i) => {
    const e = parseKey(line, i);
    keys.set(e ? e.id : line, e ?? { id: line, rank: i, raw: line });
  });
  const wanted = p.key.split(/\r\n|\r|\n/).filter((s) => s && !s.startsWith('#'));
  const base = keys.size;
  const keep: string[] = [];
  let write = false;
  wanted.forEach((line, i) => {
    const k = parseKey(line, i);
    if (!k || k.raw !== undefined) throw new TaskFailedError(`invalid key specified: ${line}`);
    if (p.key_options !== undefined) k.options = parseOptions(p.key_options);
    if (p.comment !== undefined) k.comment = p.comment;
    const old = keys.get(k.id);
    let matched = false;
    if (old) {
      if (!same(k, old) && p.state === 'present') { keys.delete(k.id); write = true; } else matched = true;
    }
    if (p.state === 'present') {
      keep.push(k.id);
      if (!matched) { keys.set(k.id, { ...k, rank: base + i }); write = true; }
    } else if (matched) {
      keys.delete(k.id);
      write = true;
    }
  });
  if (p.state === 'present' && p.exclusive) {
    for (const id of [...keys.keys()]) if (!keep.includes(id)) { keys.delete(id); write = true; }
  }
  return write ? serialize(keys) : null;
}

interface KeyState { spec: FileWriteSpec; write?: FileWriteState; dir?: { path: string; exists: boolean } }

async function plan(p: AuthorizedKeyParams, ctx: ModuleContext): Promise<PlanResult<KeyState>> {
  if (/^http/.test(p.key)) throw new TaskFailedError('key from a URL is not supported by converge: fetch it with get_url or uri first and pass its text');
  const pw = await ctx.host.run(['getent', 'passwd', p.user]);
  const entry = pw.rc === 0 ? pw.stdout.trim().split(':') : undefined;
  if (!entry) {
    const later = ctx.check ? ctx.ledger.find('user', p.user) : undefined;
    if (later !== undefined && p.path === undefined) {
      return { changes: [{ property: 'content', afterTask: later, summary: `keys for ${p.user}, whose account task ${later} creates` }] };
    }
    if (!(ctx.check && p.path !== undefined)) {
      throw new TaskFailedError(ctx.check && p.path === undefined ? 'Either user must exist or you must provide full path to key file in check mode' : `Failed to lookup user ${p.user}: 'getpwnam(): name not found: ${p.user}'`);
    }
  }
  let file = p.path ?? `${entry![5]}/.ssh/authorized_keys`;
  if (p.follow) file = (await resolveLinks(ctx.host, file)).path;
  const st = await ctx.host.stat(file);
  const old = st.type === 'file' ? (await ctx.host.readFile(file))!.toString('utf8') : '';
  const content = editKeys(old, p);
  // Ansible's result describes the path when one is given (its state is then 'file' or 'absent').
  const state = p.path === undefined ? p.state : st.exists ? 'file' : 'absent';
  const result = { user: p.user, keyfile: file, key: p.key, state, exclusive: p.exclusive, manage_dir: p.manage_dir, path: p.path ?? null, key_options: p.key_options ?? null, comment: p.comment ?? null, follow: p.follow, validate_certs: p.validate_certs };
  if (content === null) return { changes: [], result };
  const changes: Change[] = [];
  const sshdir = dirname(file);
  let dir: KeyState['dir'];
  const owner = entry ? entry[2] : p.user;
  const group = entry ? entry[3] : undefined;
  if (p.manage_dir) {
    const ds = await ctx.host.stat(sshdir);
    dir = { path: sshdir, exists: ds.exists };
    if (!ds.exists) changes.push({ property: `state:${sshdir}`, before: 'absent', after: 'directory', summary: `create ${sshdir} (0700)` });
    else if (ds.mode !== 0o700 || String(ds.uid) !== owner) changes.push({ property: `attributes:${sshdir}`, summary: `${sshdir}: mode 0700, owner ${p.user}` });
  }
  const spec: FileWriteSpec = { path: file, content: Buffer.from(content), mode: '0600', owner, group, makeParents: true, follow: p.follow };
  const planned = await planFileWrite({ ...spec, parentsPlanned: p.manage_dir }, ctx);
  changes.push(...planned.changes);
  return { changes, result, provides: planned.provides, state: { spec: { ...spec, parentsPlanned: p.manage_dir }, write: planned.state, dir } };
}

export const authorizedKeyModule: ModuleDefinition<AuthorizedKeyParams, KeyState> = {
  name: 'authorized_key',
  aliases: ['ansible.posix.authorized_key'],
  description:
    "Adds or removes SSH public keys in a user's authorized_keys (~user/.ssh/authorized_keys or path), with key_options and comment, " +
    'several keys per task (one per line), and exclusive to keep only these. When the file is written, it is made 0600 and its directory 0700 ' +
    '(manage_dir), both owned by the user. A key whose options or comment change is rewritten at the end of the file, as Ansible does. ' +
    'Keys from URLs are not fetched (refused).',
  schema: {
    properties: {
      user: { type: 'string', description: 'The account whose keys these are.' },
      key: { type: 'string', description: 'One or more public keys, one per line (lines starting with # are ignored).' },
      path: { type: 'string', description: 'The authorized_keys file, instead of ~user/.ssh/authorized_keys.' },
      manage_dir: { type: 'boolean', default: true, description: 'Create the directory of the file (0700, owned by the user) when writing.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the keys should be in the file.' },
      key_options: { type: 'string', description: 'Options put before each key, e.g. from="10.0.0.0/24",no-pty.' },
      exclusive: { type: 'boolean', default: false, description: 'Remove every other key (and other line) from the file.' },
      comment: { type: 'string', description: 'Comment to use instead of the key\'s own.' },
      validate_certs: { type: 'boolean', default: true, description: 'Accepted for compatibility (keys from URLs are refused).' },
      follow: { type: 'boolean', default: false, description: 'Write through a symbolic link at the file instead of replacing it.' },
    },
    required: ['user', 'key'],
  },
  plan,
  async apply(p, planned, ctx) {
    const s = planned.state!;
    const owner = s.spec.owner!;
    if (s.dir) {
      if (!s.dir.exists) for (const d of await missingDirs(ctx.host, s.dir.path)) await ctx.host.mkdir(d, d === s.dir.path ? 0o700 : 0o755);
      await ctx.host.chown(s.dir.path, { owner, group: s.spec.group });
      await ctx.host.chmod(s.dir.path, 0o700);
    }
    await applyFileWrite(s.spec, { ...planned, state: s.write }, ctx);
    return p.path === undefined ? {} : { result: { state: 'file' } };
  },
};
