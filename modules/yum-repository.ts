// yum_repository: one [repoid] section of a .repo file in reposdir, written as
// Ansible writes it (Python's configparser: other sections kept in their
// order, the managed section's keys sorted, booleans as 1/0, several baseurl
// or gpgkey values as continuation lines). The file is rewritten only when
// its sections and keys differ (comments and layout alone do not count), and
// removed when its last section goes. password and proxy_password are masked.

import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { noteSecret } from '../src/output/redact.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';
import { attributeProperties } from './common/dest-schema.js';
import { joinPath, requireAbsolute } from './common/paths.js';

type Sections = Array<[string, Array<[string, string]>]>;

/** Python's RawConfigParser reading: [section], key = value or key: value, indented continuation lines, # and ; comments; keys lower-cased. */
export function parseRepoFile(text: string, file: string): Sections {
  const out: Sections = [];
  let cur: Array<[string, string]> | undefined;
  let last: [string, string] | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*[#;]/.test(raw) || !raw.trim()) return;
    if (/^\s/.test(raw) && last) { last[1] += `\n${raw.trim()}`; return; }
    const sec = /^\[([^\]]+)\]/.exec(raw);
    if (sec) {
      if (out.some(([n]) => n === sec[1])) throw new TaskFailedError(`${file} line ${i + 1}: section '${sec[1]}' already exists`);
      cur = [];
      out.push([sec[1], cur]);
      last = undefined;
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!cur || !kv) throw new TaskFailedError(`${file} line ${i + 1}: cannot parse '${raw}' (no section header, or not key = value)`);
    const key = kv[1].trim().toLowerCase();
    const existing = cur.find(([k]) => k === key);
    if (existing) throw new TaskFailedError(`${file} line ${i + 1}: option '${key}' in section already exists`);
    last = [key, kv[2].trim()];
    cur.push(last);
  });
  return out;
}

/** configparser's write: 'key = value', continuation lines indented by a tab, a blank line after each section. */
export function writeRepoFile(s: Sections): string {
  return s.map(([name, kvs]) => `[${name}]\n${kvs.map(([k, v]) => `${k} = ${v.replace(/\n/g, '\n\t')}\n`).join('')}\n`).join('');
}

/** Ansible's dump(): sections and keys sorted, to decide whether anything changed. */
function dump(s: Sections): string {
  return [...s].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([n, kvs]) => `[${n}]\n${[...kvs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k} = ${v}\n`).join('')}\n`).join('');
}

const STRING_OPTIONS = ['bandwidth', 'cost', 'deltarpm_metadata_percentage', 'deltarpm_percentage', 'gpgcakey', 'include', 'metadata_expire', 'metalink', 'mirrorlist', 'mirrorlist_expire', 'password', 'priority', 'proxy', 'proxy_password', 'proxy_username', 'retries', 'throttle', 'timeout', 'ui_repoid_vars', 'username'];
const BOOL_OPTIONS = ['async', 'enabled', 'enablegroups', 'gpgcheck', 'module_hotfixes', 'keepalive', 'protect', 'repo_gpgcheck', 's3_enabled', 'skip_if_unavailable', 'ssl_check_cert_permissions', 'sslverify'];
const CHOICES: Record<string, string[]> = {
  failovermethod: ['roundrobin', 'priority'], http_caching: ['all', 'packages', 'none'], ip_resolve: ['4', '6', 'IPv4', 'IPv6', 'whatever'],
  keepcache: ['0', '1'], metadata_expire_filter: ['never', 'read-only:past', 'read-only:present', 'read-only:future'],
};
const ALIASES: Record<string, string> = { ca_cert: 'sslcacert', client_cert: 'sslclientcert', client_key: 'sslclientkey', validate_certs: 'sslverify' };

type Params = Record<string, unknown> & { name: string; description?: string; file?: string; reposdir: string; state: 'present' | 'absent'; mode?: string | number; owner?: string; group?: string };

const asList = (v: unknown) => (Array.isArray(v) ? v.map(String) : String(v).split(',').map((s) => s.trim()));
const pyStr = (v: unknown) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));

/** The section's keys as Ansible sets them: sorted by parameter name, booleans 1/0, lists joined. */
function sectionOf(p: Params): Array<[string, string]> {
  const v: Record<string, string> = {};
  for (const [alias, real] of Object.entries(ALIASES)) if (p[alias] !== undefined && p[real] === undefined) p[real] = p[alias];
  if (p.description !== undefined) v.name = String(p.description);
  for (const k of STRING_OPTIONS) if (p[k] !== undefined && p[k] !== null) v[k] = pyStr(p[k]);
  for (const k of BOOL_OPTIONS) if (p[k] !== undefined && p[k] !== null) v[k] = p[k] ? '1' : '0';
  for (const k of Object.keys(CHOICES)) if (p[k] !== undefined) v[k] = String(p[k]);
  for (const k of ['sslcacert', 'sslclientcert', 'sslclientkey']) if (p[k] !== undefined) v[k] = String(p[k]);
  if (p.baseurl !== undefined) v.baseurl = asList(p.baseurl).join('\n');
  if (p.gpgkey !== undefined) v.gpgkey = asList(p.gpgkey).join('\n');
  for (const k of ['exclude', 'includepkgs']) if (p[k] !== undefined) v[k] = Array.isArray(p[k]) ? (p[k] as unknown[]).join(' ') : String(p[k]);
  return Object.keys(v).sort().map((k) => [k, v[k]]);
}

interface State { remove?: string; write?: { spec: FileWriteSpec; state: FileWriteState } }

async function plan(p: Params, ctx: ModuleContext): Promise<PlanResult<State>> {
  noteSecret(p.password);
  noteSecret(p.proxy_password);
  if (p.state === 'present') {
    if (p.baseurl === undefined && p.metalink === undefined && p.mirrorlist === undefined) throw new TaskFailedError("Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.");
    if (p.description === undefined) throw new TaskFailedError("Parameter 'description' is required.");
  }
  const dir = requireAbsolute(p.reposdir, 'reposdir');
  const d = await ctx.host.stat(dir);
  const later = !d.exists && ctx.check ? ctx.ledger.findPath(dir) : undefined;
  if (d.type !== 'directory' && later === undefined && !(d.type === 'link')) throw new TaskFailedError(`Repo directory '${dir}' does not exist.`);
  const dest = joinPath(dir, `${p.file ?? p.name}.repo`);
  const st = await ctx.host.stat(dest);
  const text = st.type === 'file' ? (await ctx.host.readFile(dest))?.toString('utf8') ?? '' : '';
  const before = parseRepoFile(text, dest);
  let after: Sections = before.filter(([n]) => n !== p.name);
  if (p.state === 'present') {
    // configparser: remove_section then add_section puts the section last.
    after = [...after, [p.name, sectionOf(p)]];
  }
  const result = { repo: p.name, state: p.state };
  const changed = dump(before) !== dump(after);
  if (after.length === 0) {
    if (!changed) return { changes: [], result };
    return { changes: [{ property: 'state', before: 'present', after: 'absent', summary: `${ctx.check ? 'would remove' : 'remove'} ${dest} (its last section ${p.name} goes)` }], result, state: { remove: dest } };
  }
  const content = changed ? Buffer.from(writeRepoFile(after)) : Buffer.from(text);
  if (!changed && !st.exists) return { changes: [], result };
  const spec: FileWriteSpec = { path: dest, content, mode: p.mode, owner: p.owner, group: p.group, follow: true };
  const planned = await planFileWrite(spec, ctx);
  const changes: Change[] = planned.changes.map((c) => (later !== undefined ? { ...c, afterTask: later } : c));
  return { changes, result, provides: planned.provides, state: { write: { spec, state: planned.state! } } };
}

async function apply(_p: Params, planned: PlanResult<State>, ctx: ModuleContext) {
  const s = planned.state!;
  if (s.remove) await ctx.host.remove(s.remove);
  if (s.write) await applyFileWrite(s.write.spec, { ...planned, state: s.write.state }, ctx);
  return {};
}

const str = (description: string) => ({ type: ['string', 'number'], description });
const bool = (description: string) => ({ type: 'boolean', description });

export const yumRepositoryModule: ModuleDefinition<Params, State> = {
  name: 'yum_repository',
  description:
    'Keeps one [repoid] section of a .repo file in reposdir (default /etc/yum.repos.d, file <file or name>.repo) as Ansible writes it; ' +
    'state absent removes the section and the file with its last section. Rewritten only when sections or keys differ. password and ' +
    'proxy_password never show in output.',
  schema: {
    properties: {
      name: { type: 'string', description: 'The repository id (the section name).' },
      description: { type: 'string', description: 'The repository\'s human name (written as name =); required with state present.' },
      baseurl: { type: ['array', 'string'], items: { type: 'string' }, description: 'URL(s) of the repository; one of baseurl, metalink, mirrorlist is required.' },
      metalink: { type: 'string', description: 'Metalink URL.' },
      mirrorlist: { type: 'string', description: 'Mirror list URL.' },
      file: { type: 'string', description: 'File name without .repo (default: name).' },
      reposdir: { type: 'string', default: '/etc/yum.repos.d', description: 'Directory of .repo files; must exist.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the section is in the file.' },
      gpgkey: { type: ['array', 'string'], items: { type: 'string' }, description: 'URL(s) of the GPG key(s).' },
      exclude: { type: ['array', 'string'], items: { type: 'string' }, description: 'Packages to exclude (space-joined).' },
      includepkgs: { type: ['array', 'string'], items: { type: 'string' }, description: 'Only these packages (space-joined).' },
      ...Object.fromEntries(STRING_OPTIONS.filter((k) => !['metalink', 'mirrorlist'].includes(k)).map((k) => [k, str(`Written as ${k} =.`)])),
      ...Object.fromEntries(BOOL_OPTIONS.map((k) => [k, bool(`Written as ${k} = 1 or 0.`)])),
      ...Object.fromEntries(Object.entries(CHOICES).map(([k, c]) => [k, { type: 'string', enum: c, description: `Written as ${k} =.` }])),
      sslcacert: { type: 'string', description: 'Written as sslcacert = (alias: ca_cert).' },
      sslclientcert: { type: 'string', description: 'Written as sslclientcert = (alias: client_cert).' },
      sslclientkey: { type: 'string', description: 'Written as sslclientkey = (alias: client_key).' },
      ca_cert: { type: 'string', description: 'Alias of sslcacert.' },
      client_cert: { type: 'string', description: 'Alias of sslclientcert.' },
      client_key: { type: 'string', description: 'Alias of sslclientkey.' },
      validate_certs: { type: 'boolean', description: 'Alias of sslverify.' },
      ...attributeProperties,
    },
    required: ['name'],
  },
  plan,
  apply,
};
