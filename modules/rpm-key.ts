// rpm_key: a GPG public key in the rpm database, as Ansible decides it: the
// key's id comes from gpg's listing of the key file (on the host, or
// downloaded there for a URL); it is present when some imported gpg-pubkey's
// listing holds that id. Import with rpm --import, removal with
// rpm --erase --allmatches gpg-pubkey-<last 8 hex digits>.

import type { ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import type { Host } from '../src/host/host.js';
import { joinPath } from './common/paths.js';

export interface RpmKeyParams { key: string; state: 'present' | 'absent'; fingerprint?: string; validate_certs: boolean }

const ENV = { LANG: 'C', LC_ALL: 'C' };
const GPG = ['gpg', '--no-tty', '--batch', '--with-colons', '--fixed-list-mode'];

async function run(host: Host, argv: string[], opts: { stdin?: string; what: string }): Promise<string> {
  const r = await host.run(argv, { env: ENV, stdin: opts.stdin, observeOnly: true });
  if (r.rc === 127) throw new TaskFailedError(`${argv[0]} is not installed on ${host.name}`);
  if (r.rc !== 0) throw new TaskFailedError(`${opts.what}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** Field `n` of gpg's first colon line of this kind (pub: key id at 4, fpr: fingerprint at 9). */
function colonField(listing: string, kind: string, n: number): string {
  const line = listing.split('\n').map((l) => l.trim()).find((l) => l.startsWith(`${kind}:`));
  if (!line) throw new TaskFailedError('Unexpected gpg output');
  return line.split(':')[n];
}

/** The key as text on the host: a path there, or a URL the host downloads (curl, URL on its standard input). */
async function keyText(host: Host, p: RpmKeyParams): Promise<string | undefined> {
  if (p.key.includes('://')) {
    const cfg = `url = "${p.key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\n`;
    const text = await run(host, ['curl', '-fsSL', ...(p.validate_certs ? [] : ['-k']), '-K', '-'], { stdin: cfg, what: `failed to fetch key at ${p.key}` });
    if (!text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) throw new TaskFailedError(`Not a public key: ${p.key}`);
    return text;
  }
  if (/^(0x)?[0-9a-f]{8}/i.test(p.key)) return undefined;
  const st = await host.stat(p.key);
  const data = st.exists ? await host.readFile(p.key) : null;
  if (data === null) throw new TaskFailedError(`Not a valid key ${p.key}`);
  return data.toString('utf8');
}

const normalize = (id: string) => id.trim().toUpperCase().replace(/^0X/, '');

async function imported(host: Host, keyid: string): Promise<boolean> {
  const q = await host.run(['rpm', '-q', 'gpg-pubkey', '--qf', '%{description}'], { env: ENV, observeOnly: true });
  if (q.rc === 127) throw new TaskFailedError(`rpm is not installed on ${host.name}`);
  if (q.rc !== 0) return false;
  const listing = await run(host, [...GPG, '-'], { stdin: q.stdout, what: 'listing the imported keys failed' });
  return listing.split('\n').some((l) => (l.trim().split(':')[4] ?? '').includes(keyid));
}

interface State { text?: string; keyid: string }

async function plan(p: RpmKeyParams, ctx: ModuleContext): Promise<PlanResult<State>> {
  const host = ctx.host;
  const text = await keyText(host, p);
  const keyid = normalize(text === undefined ? p.key : colonField(await run(host, [...GPG, '-'], { stdin: text, what: 'gpg could not read the key' }), 'pub', 4));
  // rpm lists an imported key as the package gpg-pubkey-<last 8 hex digits>: that is what the check ledger records.
  const pkg = `gpg-pubkey-${keyid.slice(-8).toLowerCase()}`;
  // An earlier task's predicted import or removal (the latest one wins) decides in --check.
  const later = ctx.check ? ctx.ledger.find('package', pkg) : undefined;
  const removed = ctx.check ? ctx.ledger.find('package', `${pkg} (removed)`) : undefined;
  const has = removed !== undefined && (later === undefined || removed > later) ? false : (await imported(host, keyid)) || later !== undefined;
  if (p.state === 'absent') {
    return has ? { changes: [{ property: `key:${keyid}`, before: 'imported', after: 'absent', summary: `${ctx.check ? 'would remove' : 'remove'} ${pkg}`, ...(later !== undefined ? { afterTask: later } : {}) }], provides: [{ kind: 'package', name: `${pkg} (removed)` }], state: { keyid } } : { changes: [] };
  }
  if (has) return { changes: [] };
  if (text === undefined) throw new TaskFailedError('When importing a key, a valid file must be given');
  if (p.fingerprint) {
    const want = p.fingerprint.replace(/ /g, '').toUpperCase();
    const got = colonField(await run(host, [...GPG, '--with-fingerprint', '-'], { stdin: text, what: 'gpg could not read the key' }), 'fpr', 9);
    if (want !== got) throw new TaskFailedError(`The specified fingerprint, '${want}', does not match the key fingerprint '${got}'`);
  }
  return { changes: [{ property: `key:${keyid}`, before: 'absent', after: 'imported', summary: `${ctx.check ? 'would import' : 'import'} key ${keyid} (${p.key})` }], provides: [{ kind: 'package', name: pkg }], state: { text, keyid } };
}

async function apply(p: RpmKeyParams, planned: PlanResult<State>, ctx: ModuleContext) {
  const host = ctx.host;
  const s = planned.state!;
  if (p.state === 'absent') {
    const r = await host.run(['rpm', '--erase', '--allmatches', `gpg-pubkey-${s.keyid.slice(-8).toLowerCase()}`], { env: ENV });
    if (r.rc !== 0) throw new TaskFailedError(r.stderr.trim() || r.stdout.trim());
    return {};
  }
  // The key text (checked above) goes to a root-only temp file: rpm --import reads a path.
  const dir = (await host.run(['mktemp', '-d', '-t', 'converge-rpmkey.XXXXXXXX'])).stdout.trim();
  if (!dir) throw new TaskFailedError(`mktemp -d failed on ${host.name}`);
  try {
    const file = joinPath(dir, 'key.asc');
    await host.writeFile(file, s.text!, { mode: 0o600 });
    const r = await host.run(['rpm', '--import', file], { env: ENV });
    if (r.rc !== 0) throw new TaskFailedError(r.stderr.trim() || r.stdout.trim());
  } finally {
    await host.remove(dir).catch(() => {});
  }
  return {};
}

export const rpmKeyModule: ModuleDefinition<RpmKeyParams, State> = {
  name: 'rpm_key',
  description:
    'Imports (rpm --import) or removes (rpm --erase --allmatches gpg-pubkey-ID) a GPG public key in the rpm database. key is a file on ' +
    'the host, a URL the host downloads (curl), or, for absent, a key id; present when an imported key\'s gpg listing holds the key\'s id, as ' +
    'Ansible decides. fingerprint must match before an import. Needs rpm and gpg on the host.',
  schema: {
    properties: {
      key: { type: 'string', description: 'Path on the host, URL, or key id (8 or more hex digits, 0x optional).' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the key is imported.' },
      fingerprint: { type: 'string', description: 'The key\'s full fingerprint (spaces allowed); an import of another key fails.' },
      validate_certs: { type: 'boolean', default: true, description: 'false: do not verify the TLS certificate of a key URL.' },
    },
    required: ['key'],
  },
  plan,
  apply,
};
