// known_hosts: one host's key in a known_hosts file. Lines are found with
// ssh-keygen -F on the host, as Ansible finds them (hashed names, [host]:port,
// patterns); a key of the same type with other material loses its line and
// the new key is appended, as Ansible does; absent without a key removes every line of
// the host with ssh-keygen -R (which leaves FILE.old, as with Ansible).

import { createHmac, randomBytes } from 'node:crypto';
import * as posix from 'node:path/posix';
import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';
import { createTwoFilesPatch } from 'diff';

interface KnownHostsParams { name?: string; host?: string; key?: string; path: string; hash_host: boolean; state: 'present' | 'absent' }

interface KnownHostsState {
  path: string;
  removeAll: boolean;
  write?: { spec: FileWriteSpec; state: FileWriteState | undefined };
}

interface KeyFields { options?: string; host: string; type: string; key: string }

/** The fields that identify a key line (the comment after the key is not one of them). */
export function keyFields(line: string): KeyFields {
  const k = line.trim().split(/\s+/);
  return k[0].startsWith('@') ? { options: k[0], host: k[1], type: k[2], key: k[3] } : { host: k[0], type: k[1], key: k[2] };
}

/** The key line with its host field replaced by |1|salt|HMAC-SHA1(salt, host), as ssh-keygen -H writes it. */
export function hashHostKey(host: string, key: string, salt = randomBytes(20)): string {
  const parts = key.trim().split(/\s+/);
  const i = parts[0].startsWith('@') ? 1 : 0;
  parts[i] = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(host).digest('base64')}`;
  return parts.join(' ');
}

/** Whether a key line's host field names `host` (plain names, [host]:port, * and ? patterns, hashed names). */
export function hostFieldMatches(field: string, host: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    return createHmac('sha1', Buffer.from(salt ?? '', 'base64')).update(host).digest('base64') === hash;
  }
  let ok = false;
  for (const raw of field.split(',')) {
    const neg = raw.startsWith('!');
    const pat = (neg ? raw.slice(1) : raw).toLowerCase();
    const re = new RegExp(`^${pat.replace(/[.+^${}()|\\[\]]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    if (re.test(host)) { if (neg) return false; ok = true; }
  }
  return ok;
}

async function homeOf(ctx: ModuleContext): Promise<string> {
  const r = await ctx.host.run(['sh', '-c', 'printf %s "$HOME"'], { observeOnly: true });
  if (r.rc !== 0 || !r.stdout.startsWith('/')) throw new TaskFailedError(`cannot find the home directory on ${ctx.host.name} to expand ~`);
  return r.stdout;
}

async function plan(p: KnownHostsParams, ctx: ModuleContext): Promise<PlanResult<KnownHostsState>> {
  const host = (p.name ?? p.host)!.toLowerCase();
  let path = p.path;
  if (path === '~' || path.startsWith('~/')) path = posix.join(await homeOf(ctx), path.slice(1));
  if (!path.startsWith('/')) throw new TaskFailedError(`path must be absolute or start with ~/, got '${p.path}'`);
  if (!p.key && p.state !== 'absent') throw new TaskFailedError('No key specified when adding a host');
  let key = p.key;
  if (key && p.hash_host) key = hashHostKey(host, key);
  if (key && !key.endsWith('\n')) key += '\n';
  if (key) {
    if (/\S+(\s+)?,(\s+)?/.test(host)) throw new TaskFailedError('Comma separated list of names is not supported. Please pass a single name to lookup in the known_hosts file.');
    if (!hostFieldMatches(keyFields(key).host, host)) throw new TaskFailedError('Host parameter does not match hashed host field in supplied key');
  }

  // What ssh-keygen finds for the host: every matching line, each after a "# Host ... found: line N" note.
  const st = await ctx.host.stat(path);
  let found = false; let replace = false; let foundLine: number | undefined; const allLines: number[] = [];
  if (st.exists) {
    const r = await ctx.host.run(['ssh-keygen', '-F', host, '-f', path], { env: { LC_ALL: 'C' }, observeOnly: true });
    if (r.rc === 127) throw new TaskFailedError(`ssh-keygen is not installed on ${ctx.host.name} (openssh-client)`);
    if (!(r.stdout === '' && r.stderr === '' && (r.rc === 0 || r.rc === 1))) {
      if (r.rc !== 0) throw new TaskFailedError(`ssh-keygen failed (rc=${r.rc}, stdout='${r.stdout}',stderr='${r.stderr}')`);
      found = true;
      const want = key ? keyFields(key) : undefined;
      let line: number | undefined;
      for (const l of r.stdout.split('\n')) {
        if (l === '') continue;
        if (l.startsWith('#')) { const m = /found: line (\d+)/.exec(l); if (!m) throw new TaskFailedError(`failed to parse output of ssh-keygen for line number: '${l}'`); line = Number(m[1]); allLines.push(line); continue; }
        if (!want || foundLine !== undefined || replace) continue;
        const have = keyFields(l);
        if (want.host.startsWith('|1|') && have.host.startsWith('|1|')) { want.host = have.host; key = key!.replace(/^(@\S+\s+)?\S+/, (m0, o) => `${o ?? ''}${have.host}`); }
        if (JSON.stringify(want) === JSON.stringify(have)) { foundLine = line; break; }
        if (want.type === have.type) { replace = true; foundLine = line; break; }
      }
      if (want && foundLine === undefined) replace = true;
    }
  }
  // state is what Ansible registers after its file attributes overwrite the parameter: what the path is.
  const result: Record<string, unknown> = { name: host, key: p.key ?? null, path, hash_host: p.hash_host, state: st.exists || p.state === 'present' ? 'file' : 'absent' };
  if (p.state === 'absent' && foundLine === undefined && key) return { changes: [], result };
  const removeAll = found && !key && p.state === 'absent';
  if (!(replace || found !== (p.state === 'present'))) return { changes: [], result };

  const old = st.exists ? (await ctx.host.readFile(path))!.toString('utf8') : '';
  const lines = old.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const drop = new Set(removeAll ? allLines : (replace || p.state === 'absent') && foundLine !== undefined ? [foundLine] : []);
  const kept = lines.filter((_l, i) => !drop.has(i + 1));
  const text = kept.join('') + (p.state === 'present' ? key : '');
  const changes: Change[] = [];
  const state: KnownHostsState = { path, removeAll };
  if (removeAll) {
    changes.push({ property: 'content', diff: createTwoFilesPatch(`before: ${path}`, `after: ${path}`, old, text, undefined, undefined, { context: 3 }), summary: `${ctx.check ? 'would remove' : 'remove'} every key of ${host} (ssh-keygen -R)` });
  } else {
    const spec: FileWriteSpec = { path, content: Buffer.from(text), follow: true, mode: st.exists ? undefined : '0644' };
    const planned = await planFileWrite(spec, ctx);
    changes.push(...planned.changes);
    state.write = { spec, state: planned.state };
  }
  return { changes, result, state };
}

async function apply(p: KnownHostsParams, planned: PlanResult<KnownHostsState>, ctx: ModuleContext) {
  const st = planned.state!;
  if (st.removeAll) {
    const r = await ctx.host.run(['ssh-keygen', '-R', (p.name ?? p.host)!.toLowerCase(), '-f', st.path], { env: { LC_ALL: 'C' } });
    if (r.rc !== 0) throw new TaskFailedError(`ssh-keygen -R failed (rc ${r.rc}): ${(r.stdout + r.stderr).trim()}`);
  }
  if (st.write) await applyFileWrite(st.write.spec, { ...planned, state: st.write.state }, ctx);
  return { result: planned.result };
}

export const knownHostsModule: ModuleDefinition<KnownHostsParams, KnownHostsState> = {
  name: 'known_hosts',
  description:
    'Keeps one host\'s key in a known_hosts file (default ~/.ssh/known_hosts of the connecting user). present adds the key, or replaces ' +
    'the line of a key of the same type; absent with a key removes that line, without a key every line of the host (ssh-keygen -R, which ' +
    'keeps FILE.old). Lines are found with ssh-keygen -F, so hashed names and [host]:port work; hash_host writes the name hashed.',
  schema: {
    properties: {
      name: { type: 'string', description: 'The host name as ssh looks it up (a single name, [host]:port for other ports; alias: host).' },
      host: { type: 'string', description: 'Alias of name.' },
      key: { type: 'string', description: 'The known_hosts line (host field, key type, key); required with state present.' },
      path: { type: 'string', default: '~/.ssh/known_hosts', description: 'The known_hosts file.' },
      hash_host: { type: 'boolean', default: false, description: 'Write the host name hashed.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the key (or, without key, the host) should be in the file.' },
    },
    anyOf: [{ required: ['name'] }, { required: ['host'] }],
  },
  plan,
  apply,
};
