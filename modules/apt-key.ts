// apt_key: a public key in apt's keyrings through apt-key, as Ansible decides
// it. The key's id is the one given, or the first id in gpg's listing of the
// key (a file on the host, inline data, or a URL the host downloads); it is
// present when `apt-key adv --list-public-keys --keyid-format=long` lists it
// (the last 16 hex digits, or the last 8 when the id given has 8). Added with
// `apt-key add`, fetched from a keyserver with `apt-key adv --recv`, removed
// with `apt-key del` of the short id. Key text goes to apt-key on its standard
// input and is never part of a result or a message.

import type { ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import type { Host } from '../src/host/host.js';
import { noteSecret } from '../src/output/redact.js';

export interface AptKeyParams {
  id?: string; url?: string; data?: string; file?: string; keyring?: string; keyserver?: string;
  state: 'present' | 'absent'; validate_certs: boolean;
}

const ENV = { LANG: 'C', LC_ALL: 'C', LC_MESSAGES: 'C' };

/** The ids of the pub/sub lines of a listing (apt-key's "pub rsa2048/ID" or gpg's colon fields), expired keys left out. */
export function listedIds(listing: string): string[] {
  const out: string[] = [];
  for (const line of listing.split('\n')) {
    if (!/^(pub|sub)/.test(line) || line.includes('expired')) continue;
    const words = line.split(/\s+/);
    const slash = words[1]?.split('/');
    if (slash && slash.length === 2) out.push(slash[1]);
    else if (line.split(':').length > 4) out.push(line.split(':')[4]);
  }
  return out;
}

export interface KeyIds { short: string; fp: string; long: string }

/** The id split as Ansible does: the last 8 hex digits, the last 16, and the whole (0x dropped, upper case). */
export function splitKeyId(raw: string): KeyIds | undefined {
  let id = raw.toUpperCase();
  if (id.startsWith('0X')) id = id.slice(2);
  if (!/^[0-9A-F]+$/.test(id)) return undefined;
  if (id.length !== 8 && id.length < 16) return undefined;
  return { short: id.slice(-8), fp: id.length > 16 ? id.slice(-16) : id, long: id };
}

async function runOk(host: Host, argv: string[], what: string, stdin?: string): Promise<string> {
  const r = await host.run(argv, { env: ENV, stdin, observeOnly: true });
  if (r.rc === 127) throw new TaskFailedError(`${argv[0]} is not installed on ${host.name}`);
  if (r.rc !== 0) throw new TaskFailedError(`${what}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

const aptKey = (p: AptKeyParams, ...args: string[]) => ['apt-key', ...(p.keyring ? ['--keyring', p.keyring] : []), ...args];

async function listKeys(host: Host, p: AptKeyParams, short: boolean): Promise<string[]> {
  // apt-key creates a keyring it is asked to list: one that is not there lists nothing.
  if (p.keyring && !(await host.stat(p.keyring)).exists) return [];
  const out = await runOk(host, aptKey(p, 'adv', '--list-public-keys', '--keyid-format=long'), 'Unable to list public keys');
  const ids = listedIds(out);
  return short ? ids.map((i) => i.slice(-8)) : ids;
}

/** The host downloads the key (curl; the URL goes in on its standard input, in curl's config syntax). */
async function download(host: Host, p: AptKeyParams): Promise<string> {
  const cfg = `url = "${p.url!.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n`;
  const text = await runOk(host, ['curl', '-fsSL', ...(p.validate_certs ? [] : ['-k']), '-K', '-'], `Failed to download key at ${p.url}`, cfg);
  noteSecret(text);
  return text;
}

async function firstIdOf(host: Host, source: { file?: string; text?: string }, what: string): Promise<string | undefined> {
  const argv = ['gpg', '--no-tty', '--batch', '--with-colons', source.file ?? '-'];
  const r = await host.run(argv, { env: ENV, stdin: source.text, observeOnly: true });
  if (r.rc === 127) throw new TaskFailedError(`gpg is not installed on ${host.name}`);
  if (r.rc !== 0) throw new TaskFailedError(`Unable to extract key from '${what}'`);
  return listedIds(r.stdout)[0];
}

interface State { text?: string; ids: KeyIds; shortFormat: boolean }

async function plan(p: AptKeyParams, ctx: ModuleContext): Promise<PlanResult<State>> {
  const host = ctx.host;
  noteSecret(p.data);
  let id = p.id;
  let text = p.data;
  if (!id) {
    if (p.url) text = await download(host, p);
    if (p.file) id = await firstIdOf(host, { file: p.file }, p.file);
    else if (text !== undefined) id = await firstIdOf(host, { text }, 'inline data');
  }
  const result: Record<string, unknown> = { id: id ?? null };
  const ids = id ? splitKeyId(id) : undefined;
  if (!ids) throw new TaskFailedError('Invalid key_id', result);
  Object.assign(result, { short_id: ids.short, fp: ids.fp, key_id: ids.long });
  const shortFormat = ids.long.length === 8;
  const before = await listKeys(host, p, shortFormat);
  result.before = before;
  // In --check an earlier task's predicted addition or removal of the key (the latest wins) decides.
  const entry = (k: string) => `apt-key ${p.keyring ?? '(apt)'} ${k}`;
  const probe = shortFormat ? ids.short : ids.fp;
  const added = ctx.check ? ctx.ledger.find('package', entry(probe)) : undefined;
  const removed = ctx.check ? ctx.ledger.find('package', `${entry(probe)} (removed)`) : undefined;
  const has = removed !== undefined && (added === undefined || removed > added) ? false : before.includes(probe) || added !== undefined;
  const where = p.keyring ?? 'apt\'s keyrings';
  const state: State = { text, ids, shortFormat };
  const after = added !== undefined && !before.includes(probe) ? { afterTask: added } : {};
  if (p.state === 'absent') {
    if (!has) return { changes: [], result };
    return {
      changes: [{ property: `key:${ids.fp}`, before: 'present', after: 'absent', summary: `${ctx.check ? 'would remove' : 'remove'} key ${ids.fp} from ${where}`, ...after }],
      provides: [{ kind: 'package', name: `${entry(ids.fp)} (removed)` }, { kind: 'package', name: `${entry(ids.short)} (removed)` }], result, state,
    };
  }
  if (has) return { changes: [], result };
  return {
    changes: [{ property: `key:${ids.fp}`, before: 'absent', after: 'present', summary: `${ctx.check ? 'would add' : 'add'} key ${ids.fp} to ${where}` }],
    provides: [{ kind: 'package', name: entry(ids.fp) }, { kind: 'package', name: entry(ids.short) }, ...(p.keyring ? [{ kind: 'path' as const, name: p.keyring }] : [])], result, state,
  };
}

async function apply(p: AptKeyParams, planned: PlanResult<State>, ctx: ModuleContext) {
  const host = ctx.host;
  const s = planned.state!;
  const result = planned.result ?? {};
  const fail = (what: string, r: { rc: number; stderr: string; stdout: string }) => {
    throw new TaskFailedError(`${what}: ${(r.stderr || r.stdout).trim()}`, { ...result, rc: r.rc });
  };
  if (p.state === 'absent') {
    const r = await host.run(aptKey(p, 'del', s.ids.short), { env: ENV });
    if (r.rc !== 0) fail(`Unable to remove a key with id ${s.ids.short}`, r);
    const after = await listKeys(host, p, s.shortFormat);
    if (after.includes(s.ids.fp)) throw new TaskFailedError('apt-key did not return an error, but the key was not removed (check that the id is correct and *not* a subkey)', { ...result, after });
    return { result: { ...result, after } };
  }
  if (p.file) {
    const r = await host.run(aptKey(p, 'add', p.file), { env: ENV });
    if (r.rc !== 0) fail(`Unable to add a key from file ${p.file}`, r);
  } else if (p.keyserver) {
    let r = { rc: 1, stdout: '', stderr: '' };
    for (let i = 0; i < 5 && r.rc !== 0; i++) r = await host.run(aptKey(p, 'adv', '--no-tty', '--keyserver', p.keyserver, '--recv', s.ids.long), { env: ENV });
    if (r.rc !== 0) fail(`Error fetching key ${s.ids.long} from keyserver: ${p.keyserver}`, r);
  } else {
    const text = s.text ?? (await download(host, p));
    const r = await host.run(aptKey(p, 'add', '-'), { env: ENV, stdin: text });
    if (r.rc !== 0) fail('Unable to add a key from binary data', r);
  }
  const after = await listKeys(host, p, s.shortFormat);
  if (!after.includes(s.shortFormat ? s.ids.short : s.ids.fp)) {
    throw new TaskFailedError('apt-key did not return an error, but failed to add the key (check that the id is correct and *not* a subkey)', { ...result, after });
  }
  return { result: { ...result, after } };
}

const SOURCES = ['data', 'file', 'keyserver', 'url'];

export const aptKeyModule: ModuleDefinition<AptKeyParams, State> = {
  name: 'apt_key',
  description:
    'Adds (apt-key add, or apt-key adv --recv from a keyserver) or removes (apt-key del) a public key in apt\'s keyrings, or in one keyring ' +
    'file. The key comes from a file on the host, inline data, a URL the host downloads (curl) or a keyserver; its id is the one given or the ' +
    'first in gpg\'s listing of the key. Registers id, key_id, short_id, fp, before and (after a change) after, as Ansible does. Needs apt-key ' +
    'and gpg on the host.',
  schema: {
    properties: {
      id: { type: 'string', description: 'The key id (8, 16 or more hex digits, 0x optional); required with keyserver; with it --check needs nothing else.' },
      data: { type: 'string', description: 'The key itself (armored text). Never shown.' },
      file: { type: 'string', description: 'Path of a key file on the host.' },
      url: { type: 'string', description: 'URL of the key, downloaded by the host.' },
      keyserver: { type: 'string', description: 'Keyserver to fetch the key id from (apt-key adv --recv).' },
      keyring: { type: 'string', description: 'Keyring file to use instead of apt\'s (apt-key --keyring), e.g. /etc/apt/trusted.gpg.d/x.gpg.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the key is in the keyring.' },
      validate_certs: { type: 'boolean', default: true, description: 'false: do not verify the TLS certificate of the key URL.' },
    },
    allOf: [
      ...SOURCES.flatMap((a, i) => SOURCES.slice(i + 1).map((b) => ({ not: { required: [a, b] } }))),
      { anyOf: [{ required: ['id'] }, { required: ['data'] }, { required: ['file'] }, { required: ['url'] }] },
    ],
    dependentRequired: { keyserver: ['id'] },
  },
  plan,
  apply,
};
