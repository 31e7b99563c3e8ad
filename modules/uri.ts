// uri: an HTTP request made by the host (curl there), for APIs and health
// checks. The URL, headers, credentials and body reach curl on its standard
// input as a config file, never on a command line; url_password, the URL's
// password and Authorization-like header values are masked in every output.
// Like Ansible's, the module does not run in --check (reported skipped) and
// reports ok: a request is an action, not a state, so there is nothing to
// verify after it (changed_when decides otherwise).

import type { ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { noteSecret } from '../src/output/redact.js';
import { pyJson } from '../src/template/py-filters.js';

export interface UriParams {
  url: string;
  method: string;
  body?: unknown;
  body_format: 'raw' | 'json' | 'form-urlencoded';
  headers: Record<string, unknown>;
  return_content: boolean;
  status_code: Array<number | string> | number | string;
  url_username?: string; user?: string;
  url_password?: string; password?: string;
  force_basic_auth: boolean;
  follow_redirects: 'all' | 'no' | 'none' | 'safe' | 'urllib2' | 'yes';
  timeout: number;
  validate_certs: boolean;
  use_proxy: boolean;
  http_agent: string;
  decompress: boolean;
  creates?: string;
  removes?: string;
}

const MARK = '\n@@converge-uri-status@@';

/** A value in curl's config-file syntax: a double-quoted string with backslash escapes. */
function curlQuoted(v: string): string {
  if (v.includes('\0')) throw new TaskFailedError('a NUL byte cannot be sent in a URL, header or body');
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\v/g, '\\v')}"`;
}

/** Python's urlencode of a dict (quote_plus), as Ansible's form_urlencoded. */
function formUrlencoded(body: unknown): string {
  if (typeof body === 'string') return body;
  if (!body || typeof body !== 'object') throw new TaskFailedError('failed to parse body as form_urlencoded: a dict, a list of pairs or a string is needed');
  const pairs: Array<[string, unknown]> = Array.isArray(body) ? body.map((x) => (Array.isArray(x) ? [String(x[0]), x[1]] : (() => { throw new TaskFailedError('failed to parse body as form_urlencoded: list items must be pairs'); })())) : Object.entries(body);
  const plus = (s: string) => encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%7E/gi, '~');
  const out: string[] = [];
  for (const [k, v] of pairs) for (const item of Array.isArray(v) ? v : [v]) out.push(`${plus(k)}=${plus(String(item))}`);
  return out.join('&');
}

function bodyText(p: UriParams, headers: Record<string, string>): string | undefined {
  if (p.body === undefined || p.body === null) return undefined;
  const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
  if (p.body_format === 'json') {
    if (!hasType) headers['Content-Type'] = 'application/json';
    // A string is taken as JSON already (as Ansible does); anything else is encoded like Python's json.dumps.
    return typeof p.body === 'string' ? p.body : pyJson(p.body, PY_DUMPS);
  }
  if (p.body_format === 'form-urlencoded') {
    if (!hasType) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return formUrlencoded(p.body);
  }
  return typeof p.body === 'string' ? p.body : pyJson(p.body, PY_DUMPS);
}

/** json.dumps's defaults, as Ansible encodes a body. */
const PY_DUMPS = { sortKeys: false, itemSep: ', ', keySep: ': ', ensureAscii: true };

const secretHeader = /^(authorization|proxy-authorization|cookie|x-.*(token|key|secret|auth).*)$/i;

function curlConfig(p: UriParams, method: string): string {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.headers ?? {})) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k) || /[\r\n]/.test(String(v))) throw new TaskFailedError(`invalid HTTP header '${k}'`);
    headers[k] = String(v);
  }
  const body = bodyText(p, headers);
  const lines = [`url = ${curlQuoted(p.url)}`, `user-agent = ${curlQuoted(p.http_agent)}`, `max-time = ${p.timeout}`];
  if (method === 'HEAD') lines.push('head');
  else lines.push(`request = ${curlQuoted(method)}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`header = ${curlQuoted(`${k}: ${v}`)}`);
  if (body !== undefined) lines.push(`data-binary = ${curlQuoted(body)}`);
  const user = p.url_username ?? p.user;
  const password = p.url_password ?? p.password;
  if (user !== undefined || password !== undefined) {
    lines.push(`user = ${curlQuoted(`${user ?? ''}:${password ?? ''}`)}`);
    // Ansible sends credentials only when the server asks (401), unless force_basic_auth.
    lines.push(p.force_basic_auth ? 'basic' : 'anyauth');
  }
  const follow = p.follow_redirects === 'safe' ? method === 'GET' || method === 'HEAD' : ['all', 'yes', 'urllib2'].includes(p.follow_redirects);
  if (follow) lines.push('location');
  if (!p.validate_certs) lines.push('insecure');
  if (!p.use_proxy) lines.push('noproxy = "*"');
  if (p.decompress) lines.push('compressed');
  return lines.join('\n') + '\n';
}

function statusCodes(v: UriParams['status_code']): number[] {
  const list = Array.isArray(v) ? v : String(v).split(',');
  return list.map((x) => {
    const n = Number(String(x).trim());
    if (!Number.isInteger(n)) throw new TaskFailedError(`status_code: '${x}' is not an integer`);
    return n;
  });
}

interface Response { status: number; reason: string; headers: Record<string, string>; body: string; url: string }

/** curl -i output: header blocks (1xx and followed redirects) then the body; the status line of the last block is the answer. */
function parseResponse(stdout: string): Response {
  const at = stdout.lastIndexOf(MARK);
  if (at < 0) throw new TaskFailedError('the HTTP client printed no status');
  const [code, redirects, ...url] = stdout.slice(at + MARK.length).trim().split(' ');
  let rest = stdout.slice(0, at);
  let blocks = Number(redirects) + 1;
  let status = Number(code);
  let reason = '';
  let headers: Record<string, string> = {};
  while (blocks > 0 && /^HTTP\/\S+ \d{3}/.test(rest)) {
    const end = rest.indexOf('\r\n\r\n');
    const head = end < 0 ? rest : rest.slice(0, end);
    rest = end < 0 ? '' : rest.slice(end + 4);
    const [statusLine, ...lines] = head.split('\r\n');
    const m = /^HTTP\/\S+ (\d{3}) ?(.*)$/.exec(statusLine)!;
    if (m[1].startsWith('1')) continue;
    blocks--;
    status = Number(m[1]);
    reason = m[2];
    headers = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      if (i <= 0) continue;
      const k = l.slice(0, i).trim().toLowerCase();
      const v = l.slice(i + 1).trim();
      headers[k] = headers[k] !== undefined ? `${headers[k]}, ${v}` : v;
    }
  }
  return { status, reason, headers, body: rest, url: url.join(' ') };
}

const JSON_TYPES = new Set(['json', 'javascript']);

function maybeJson(contentType: string | undefined): boolean {
  const sub = (contentType ?? '').split(';')[0].trim().split('/')[1]?.toLowerCase() ?? '';
  return JSON_TYPES.has(sub.includes('+') ? sub.split('+').pop()! : sub);
}

function noteSecrets(p: UriParams): void {
  noteSecret(p.url_password ?? p.password);
  try { const u = new URL(p.url); if (u.password) { noteSecret(u.password); noteSecret(decodeURIComponent(u.password)); } } catch { /* the schema checked the scheme */ }
  for (const [k, v] of Object.entries(p.headers ?? {})) {
    if (!secretHeader.test(k)) continue;
    noteSecret(String(v));
    // "Bearer abc": the credential alone too, wherever it shows up.
    const cred = String(v).split(/\s+/).pop();
    if (cred) noteSecret(cred);
  }
}

async function plan(p: UriParams, ctx: ModuleContext): Promise<PlanResult> {
  noteSecrets(p);
  const method = p.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new TaskFailedError("Parameter 'method' needs to be a single word in uppercase, like GET or POST.");
  statusCodes(p.status_code);
  if (ctx.check) return { changes: [], skip: 'uri does not run in --check (a request is an action; as in Ansible)', skipAs: 'skipped' };
  if (p.creates !== undefined && (await ctx.host.stat(p.creates)).exists) return { changes: [], skip: `skipped, since '${p.creates}' exists`, result: { stdout: `skipped, since '${p.creates}' exists` } };
  if (p.removes !== undefined && !(await ctx.host.stat(p.removes)).exists) return { changes: [], skip: `skipped, since '${p.removes}' does not exist`, result: { stdout: `skipped, since '${p.removes}' does not exist` } };
  return { changes: [{ property: 'request', summary: `${method} ${p.url}`, repeats: true }] };
}

async function apply(p: UriParams, _planned: PlanResult, ctx: ModuleContext) {
  const method = p.method.toUpperCase();
  const expected = statusCodes(p.status_code);
  const config = curlConfig(p, method);
  const started = Date.now();
  const r = await ctx.host.run(['curl', '-sS', '-i', '-w', `${MARK}%{http_code} %{num_redirects} %{url_effective}`, '-K', '-'], { stdin: config, timeoutMs: (p.timeout + 5) * 1000 });
  if (r.rc === 127) throw new TaskFailedError(`curl is not installed on ${ctx.host.name}`);
  const elapsed = Math.floor((Date.now() - started) / 1000);
  if (r.rc !== 0 && !r.stdout.includes(MARK.trim())) {
    const result = { status: -1, url: p.url, elapsed, changed: false, redirected: false };
    throw new TaskFailedError(`Status code was -1 and not ${JSON.stringify(expected).replace(/,/g, ', ')}: Request failed: ${r.stderr.trim()}`, result);
  }
  const res = parseResponse(r.stdout);
  if (res.status === 0) throw new TaskFailedError(`Status code was -1 and not ${JSON.stringify(expected).replace(/,/g, ', ')}: Request failed: ${r.stderr.trim()}`, { status: -1, url: p.url, elapsed });
  const ok = res.status < 400;
  const msg = ok ? `OK (${res.headers['content-length'] ?? 'unknown'} bytes)` : `HTTP Error ${res.status}: ${res.reason}`;
  const result: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(res.headers)) result[k.replace(/-/g, '_')] = v;
  Object.assign(result, { url: res.url || p.url, status: res.status, msg, redirected: (res.url || p.url) !== p.url, elapsed, cookies: {}, cookies_string: '' });
  if (result.location !== undefined) result.location = new URL(String(result.location), p.url).toString();
  if (maybeJson(res.headers['content-type'])) { try { result.json = JSON.parse(res.body); } catch { /* not JSON after all: as Ansible, no json key */ } }
  if (p.return_content) result.content = res.body;
  if (!expected.includes(res.status)) {
    throw new TaskFailedError(`Status code was ${res.status} and not ${JSON.stringify(expected).replace(/,/g, ', ')}: ${msg}`, { ...result, msg: undefined });
  }
  return { result, changed: false };
}

export const uriModule: ModuleDefinition<UriParams> = {
  name: 'uri',
  description:
    'Makes an HTTP(S) request from the host (curl there) and returns status, the response headers (lower case, - as _), json for JSON ' +
    'answers and, with return_content, the body; fails when the status is not in status_code. URL, headers, credentials and body go to curl ' +
    'on its standard input, never on a command line; url_password and Authorization-like headers are masked in all output. Not run in ' +
    '--check (reported skipped, as Ansible does); reports ok.',
  verify: false,
  schema: {
    properties: {
      url: { type: 'string', pattern: '^https?://', description: 'HTTP or HTTPS URL.' },
      method: { type: 'string', default: 'GET', description: 'HTTP method (GET, POST, PUT, DELETE, HEAD, PATCH ...).' },
      body: { description: 'Request body: a string, or data encoded per body_format.' },
      body_format: { type: 'string', enum: ['raw', 'json', 'form-urlencoded'], default: 'raw', description: 'json: data encoded as JSON (Content-Type application/json); form-urlencoded: a dict or list of pairs (form-multipart is not supported).' },
      headers: { type: 'object', default: {}, description: 'Request headers.' },
      return_content: { type: 'boolean', default: false, description: 'Return the body in `content`.' },
      status_code: { type: ['array', 'integer', 'string'], items: { type: ['integer', 'string'] }, default: [200], description: 'Statuses that mean success (default [200]).' },
      url_username: { type: 'string', description: 'User for HTTP authentication (alias: user).' },
      user: { type: 'string', description: 'Alias of url_username.' },
      url_password: { type: 'string', description: 'Password for HTTP authentication (alias: password); never shown.' },
      password: { type: 'string', description: 'Alias of url_password.' },
      force_basic_auth: { type: 'boolean', default: false, description: 'Send Basic credentials with the first request instead of after a 401.' },
      follow_redirects: { type: 'string', enum: ['all', 'no', 'none', 'safe', 'urllib2', 'yes'], default: 'safe', description: 'safe: follow redirects of GET and HEAD only; all/yes: always; no/none: never.' },
      timeout: { type: 'integer', minimum: 1, default: 30, description: 'Seconds the whole request may take.' },
      validate_certs: { type: 'boolean', default: true, description: 'false: do not verify the server\'s TLS certificate.' },
      use_proxy: { type: 'boolean', default: true, description: 'false: ignore proxy environment variables.' },
      http_agent: { type: 'string', default: 'ansible-httpget', description: 'User-Agent header.' },
      decompress: { type: 'boolean', default: true, description: 'Ask for and decompress gzip answers.' },
      creates: { type: 'string', description: 'If this path exists on the host, the request is not made.' },
      removes: { type: 'string', description: 'If this path does not exist on the host, the request is not made.' },
    },
    required: ['url'],
    allOf: [{ not: { required: ['url_username', 'user'] } }, { not: { required: ['url_password', 'password'] } }],
  },
  plan,
  apply,
};
