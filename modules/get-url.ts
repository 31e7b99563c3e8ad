// get_url: downloads a URL on the managed host (the head node fetches, not the
// controller) with curl or wget found there, into a temp file next to dest,
// verifies the checksum with the host's sha256sum, then renames it over dest.
// A present file that already matches the checksum is not downloaded again;
// a mismatch fails and leaves the old file in place.
//
// checksum is required when the file is made executable: code that runs on
// the head node must be pinned. Without a checksum, a present file is kept
// (force: false, Ansible's default); force: true fetches on every plan to
// compare (that is the only way to know), so give a checksum where you can.

import { randomBytes } from 'node:crypto';
import type { Change, ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import type { FileStat, Host } from '../src/host/host.js';
import { applyAttributes, planAttributes, requireAbsolute, wantedMode, formatMode } from './common/index.js';
import { attributeProperties } from './common/dest-schema.js';
import { basename, dirname, joinPath } from './common/paths.js';

interface GetUrlParams {
  url: string;
  dest: string;
  checksum?: string;
  mode?: string | number;
  owner?: string;
  group?: string;
  force: boolean;
  timeout: number;
  headers?: Record<string, string>;
  validate_certs: boolean;
}

const ALGORITHMS: Record<string, { tool: string; length: number }> = {
  sha256: { tool: 'sha256sum', length: 64 },
  sha512: { tool: 'sha512sum', length: 128 },
};

const schema = {
  properties: {
    url: { type: 'string', pattern: '^(https?|ftp)://', description: 'HTTP, HTTPS or FTP URL to download.' },
    dest: { type: 'string', description: 'Absolute path of the file; an existing directory gets the URL\'s file name.' },
    checksum: { type: 'string', pattern: '^(sha256|sha512):[0-9a-fA-F]+$', description: "'sha256:HEX' (or sha512:HEX). Required when mode makes the file executable. A present file with this checksum is not downloaded again; a download that does not match fails and leaves the old file." },
    ...attributeProperties,
    force: { type: 'boolean', default: false, description: 'Without checksum: download even when dest exists, and replace it when the content differs (fetches on every run).' },
    timeout: { type: 'integer', minimum: 1, default: 10, description: 'Seconds the whole download may take.' },
    headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra HTTP request headers.' },
    validate_certs: { type: 'boolean', default: true, description: 'false: do not verify the server\'s TLS certificate.' },
  },
  required: ['url', 'dest'],
};

interface Checksum { algorithm: string; hex: string; tool: string }

function parseChecksum(c: string | undefined): Checksum | undefined {
  if (c === undefined) return undefined;
  const [algorithm, hex] = c.split(':', 2);
  const a = ALGORITHMS[algorithm];
  if (!a || hex.length !== a.length) throw new TaskFailedError(`checksum must be ${algorithm}:<${a?.length ?? 64} hex digits>, got '${c}'`);
  return { algorithm, hex: hex.toLowerCase(), tool: a.tool };
}

async function digest(host: Host, tool: string, path: string): Promise<string> {
  const r = await host.run([tool, '--', path], { env: { LC_ALL: 'C' } });
  if (r.rc === 127) throw new TaskFailedError(`${tool} is not installed on ${host.name}`);
  if (r.rc !== 0) throw new TaskFailedError(`${tool} ${path} failed: ${r.stderr.trim()}`);
  return r.stdout.split(/\s/)[0].toLowerCase();
}

function headerArgs(h: Record<string, string> | undefined): Array<[string, string]> {
  return Object.entries(h ?? {}).map(([k, v]) => {
    if (!/^[A-Za-z0-9-]+$/.test(k) || /[\r\n]/.test(v)) throw new TaskFailedError(`invalid HTTP header '${k}'`);
    return [k, v];
  });
}

/** A value in curl's config-file syntax (a double-quoted string with backslash escapes). */
function curlQuoted(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t')}"`;
}

/**
 * Runs the downloader with its standard output going into `temp`, a new file
 * (noclobber: created with O_EXCL, so nothing planted under the name is
 * followed) that only root can read (umask 077) from its first byte. curl and
 * wget open their -o/-O path by name, following a link the directory's owner
 * may swap in; a shell redirection with noclobber does not. Fixed text: the
 * temp path and the argv are arguments.
 */
const INTO_NEW_FILE = 'out=$1; shift; umask 077; set -C; exec "$@" >"$out"';

/**
 * Downloads into `temp` with curl, or wget when curl is not there. The URL and
 * headers (tokens, passwords in the URL) go to curl on its standard input
 * (`-K -`), never on the command line that every user sees in ps.
 */
async function download(host: Host, p: GetUrlParams, temp: string): Promise<void> {
  const headers = headerArgs(p.headers);
  const config = [`url = ${curlQuoted(p.url)}`, ...headers.map(([k, v]) => `header = ${curlQuoted(`${k}: ${v}`)}`)].join('\n') + '\n';
  const curl = ['curl', '-fsSL', '--max-time', String(p.timeout), ...(p.validate_certs ? [] : ['-k']), '-K', '-'];
  let r = await host.run(['sh', '-c', INTO_NEW_FILE, 'sh', temp, ...curl], { stdin: config });
  if (r.rc === 127) {
    // The redirection made the file before the shell found no curl.
    await host.remove(temp);
    if (headers.length || new URL(p.url).password) {
      throw new TaskFailedError(`curl is not installed on ${host.name}: wget would show the ${headers.length ? 'headers' : 'password in the URL'} to every user in ps; install curl`);
    }
    const wget = ['wget', '-q', '-T', String(p.timeout), ...(p.validate_certs ? [] : ['--no-check-certificate']), '-O', '-', '-i', '-'];
    r = await host.run(['sh', '-c', INTO_NEW_FILE, 'sh', temp, ...wget], { stdin: p.url + '\n' });
    if (r.rc === 127) {
      await host.remove(temp);
      throw new TaskFailedError(`neither curl nor wget is installed on ${host.name}`);
    }
  }
  if (r.rc !== 0) {
    await host.remove(temp).catch(() => {});
    throw new TaskFailedError(`download of ${p.url} failed (rc ${r.rc}): ${r.stderr.trim() || r.stdout.trim()}`, { rc: r.rc, stderr: r.stderr });
  }
}

/** Named like every converge temp file (.NAME.converge-HEX.tmp): a run killed mid-download leaves one that the next write of dest sweeps. */
function tempFor(dest: string): string {
  return joinPath(dirname(dest), `.${basename(dest)}.converge-${randomBytes(6).toString('hex')}.tmp`);
}

/** Temp files of dest that a killed run left (the lock keeps two runs from writing one dest at once). */
async function removeStaleTemps(host: Host, dest: string): Promise<void> {
  const prefix = `.${basename(dest)}.converge-`;
  let names: string[];
  try { names = await host.readdir(dirname(dest)); } catch { return; }
  for (const n of names) {
    if (n.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(n.slice(prefix.length))) await host.remove(joinPath(dirname(dest), n)).catch(() => {});
  }
}

interface GetUrlState {
  dest: string;
  stat: FileStat;
  fetch: boolean;
  attributes: boolean;
}

async function resolveDest(p: GetUrlParams, host: Host): Promise<string> {
  const dest = requireAbsolute(p.dest, 'dest');
  const st = await host.stat(dest);
  if (st.type !== 'directory') return dest;
  const name = basename(new URL(p.url).pathname);
  if (!name) throw new TaskFailedError(`dest ${dest} is a directory and the URL has no file name`);
  return joinPath(dest, name);
}

async function plan(p: GetUrlParams, ctx: ModuleContext): Promise<PlanResult<GetUrlState>> {
  const host = ctx.host;
  const sum = parseChecksum(p.checksum);
  const dest = await resolveDest(p, host);
  const stat = await host.stat(dest);
  if (stat.exists && stat.type !== 'file') throw new TaskFailedError(`${dest} exists and is not a regular file`);
  const mode = wantedMode({ mode: p.mode }, stat);
  if (!sum && ((mode ?? (stat.exists ? stat.mode! : 0o644)) & 0o111)) {
    throw new TaskFailedError(`${dest} would be executable (mode ${formatMode(mode ?? stat.mode!)}): give checksum: sha256:<hex> so that what runs is what was meant`);
  }
  const dir = await host.stat(dirname(dest));
  const dirLater = !dir.exists && ctx.check ? ctx.ledger.findPath(dirname(dest)) : undefined;
  if (!dir.exists && dirLater === undefined) throw new TaskFailedError(`destination directory ${dirname(dest)} does not exist`);

  const changes: Change[] = [];
  const say = (s: string) => (ctx.check ? `would ${s}` : s);
  let before: string | undefined;
  if (stat.exists && sum) before = `${sum.algorithm}:${await digest(host, sum.tool, dest)}`;
  if (!stat.exists) {
    const c: Change = { property: 'content', before: undefined, after: sum ? `${sum.algorithm}:${sum.hex}` : p.url, summary: say(`download ${p.url} to ${dest}`) };
    if (dirLater !== undefined) c.afterTask = dirLater;
    changes.push(c);
  } else if (sum && before !== `${sum.algorithm}:${sum.hex}`) {
    changes.push({ property: 'content', before, after: `${sum.algorithm}:${sum.hex}`, summary: say(`download ${p.url} to ${dest} (checksum differs)`) });
  } else if (!sum && p.force) {
    // The only way to know whether the remote content differs is to fetch it.
    const temp = tempFor(dest);
    try {
      await download(host, p, temp);
      const now = await digest(host, 'sha256sum', dest);
      const remote = await digest(host, 'sha256sum', temp);
      if (now !== remote) changes.push({ property: 'content', before: `sha256:${now}`, after: `sha256:${remote}`, summary: say(`replace ${dest} with the changed ${p.url}`) });
    } finally {
      await host.remove(temp).catch(() => {});
    }
  }
  const fetch = changes.length > 0;
  const attrs = stat.exists ? await planAttributes(host, dest, stat, { mode: p.mode, owner: p.owner, group: p.group }, { check: ctx.check, ledger: ctx.ledger }) : [];
  if (!stat.exists) {
    if (p.mode !== undefined) changes.push({ property: 'mode', after: formatMode(mode!) });
    if (p.owner !== undefined) changes.push({ property: 'owner', after: p.owner });
    if (p.group !== undefined) changes.push({ property: 'group', after: p.group });
  }
  changes.push(...attrs);
  const result = { dest, url: p.url, checksum_dest: before };
  if (changes.length === 0) return { changes, result };
  return { changes, result, provides: stat.exists ? [] : [{ kind: 'path', name: dest }], state: { dest, stat, fetch, attributes: attrs.length > 0 } };
}

async function apply(p: GetUrlParams, planned: PlanResult<GetUrlState>, ctx: ModuleContext) {
  const host = ctx.host;
  const st = planned.state!;
  const sum = parseChecksum(p.checksum);
  if (st.fetch) {
    await removeStaleTemps(host, st.dest);
    const temp = tempFor(st.dest);
    ctx.progress(`downloading ${p.url}`);
    await download(host, p, temp);
    try {
      if (sum) {
        const got = await digest(host, sum.tool, temp);
        if (got !== sum.hex) {
          throw new TaskFailedError(`checksum mismatch for ${p.url}: expected ${sum.algorithm}:${sum.hex}, got ${sum.algorithm}:${got}; ${st.dest} left unchanged`);
        }
      }
      // The temp file gets the final owner and mode before it takes dest's place (the host's chown and chmod act on
      // the name without following a link swapped in for it).
      const current = await host.stat(st.dest);
      const mode = wantedMode({ mode: p.mode }, current) ?? (current.exists ? current.mode! : 0o644);
      const owner = p.owner ?? (current.exists ? String(current.uid) : undefined);
      const group = p.group ?? (current.exists ? String(current.gid) : undefined);
      if (owner !== undefined || group !== undefined) await host.chown(temp, { owner, group });
      await host.chmod(temp, mode);
      const made = await host.stat(temp);
      if (made.type !== 'file') throw new TaskFailedError(`the download ${temp} was replaced by a ${made.type ?? 'nothing'} before it was moved into place; ${st.dest} left unchanged`);
      const mv = await host.run(['mv', '-fT', '--', temp, st.dest]);
      if (mv.rc !== 0) throw new TaskFailedError(`could not move the download into place: ${mv.stderr.trim()}`);
      // The directory's owner may swap the temp name between the check and the rename: what is at dest now must be the download.
      const placed = await host.stat(st.dest);
      if (placed.type !== 'file' || (made.ino !== undefined && placed.ino !== made.ino)) {
        throw new TaskFailedError(`${st.dest} was replaced while the download was moved into place (it is now a ${placed.type ?? 'missing path'})`);
      }
    } finally {
      await host.remove(temp).catch(() => {});
    }
  } else if (st.attributes) {
    await applyAttributes(host, st.dest, { mode: p.mode, owner: p.owner, group: p.group });
  }
  return { result: { dest: st.dest } };
}

export const getUrlModule: ModuleDefinition<GetUrlParams, GetUrlState> = {
  name: 'get_url',
  description: 'Downloads a file over HTTP(S) on the managed host (curl or wget there) to a temp file next to dest, checks its sha256 and renames it into place. No download when the present file already has the checksum; a mismatch fails and keeps the old file. checksum is required for executable files.',
  schema,
  plan,
  apply,
};
