// wait_for: waits on the managed host until a TCP port accepts connections
// (or stops accepting them), a file exists (optionally containing a match of
// a regular expression) or is gone, or simply for timeout seconds. Probes run
// on the host (the port check is bash's /dev/tcp, host and port passed as
// arguments). In --check a condition that does not hold yet is not waited for:
// the task is skipped, as Ansible skips it.

import type { ModuleContext, ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { pythonRegExp } from './common/python-regex.js';

export interface WaitForParams {
  host: string; timeout: number; connect_timeout: number; delay: number; port?: number; path?: string;
  search_regex?: string; state: 'started' | 'present' | 'stopped' | 'absent'; sleep: number; msg?: string;
}

const pause = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

async function portOpen(ctx: ModuleContext, p: WaitForParams): Promise<boolean> {
  const r = await ctx.host.run(['bash', '-c', 'exec 3<>"/dev/tcp/$1/$2"', 'wait_for', p.host, String(p.port)], { timeoutMs: p.connect_timeout * 1000 });
  return r.rc === 0;
}

interface Found { ok: boolean; groups?: unknown[]; groupdict?: Record<string, unknown> }

async function pathState(ctx: ModuleContext, p: WaitForParams, re: RegExp | undefined): Promise<Found> {
  const data = await ctx.host.readFile(p.path!).catch(() => null);
  const st = data === null ? await ctx.host.stat(p.path!) : { exists: true };
  if (!st.exists) return { ok: false };
  if (!re) return { ok: true };
  if (data === null) return { ok: false };
  const m = re.exec(data.toString('latin1'));
  if (!m) return { ok: false };
  return { ok: true, groups: m.slice(1).map((g) => g ?? null), groupdict: m.groups ? { ...m.groups } : {} };
}

export const waitForModule: ModuleDefinition<WaitForParams> = {
  name: 'wait_for',
  description:
    'Waits on the host for a TCP port to accept connections (state started) or to refuse them (stopped), for a file to exist (present/started, ' +
    'optionally until search_regex matches its content) or to be gone (absent), or, with neither, for timeout seconds. Fails with msg (or ' +
    "Ansible's message) after timeout. Returns elapsed, match_groups, match_groupdict. In --check, a condition not met yet is skipped, not waited for.",
  schema: {
    properties: {
      host: { type: 'string', default: '127.0.0.1', description: 'Address to connect to, from the managed host.' },
      timeout: { type: 'integer', minimum: 0, default: 300, description: 'Seconds to wait at most.' },
      connect_timeout: { type: 'integer', minimum: 1, default: 5, description: 'Seconds one connection attempt may take.' },
      delay: { type: 'integer', minimum: 0, default: 0, description: 'Seconds to wait before the first probe.' },
      port: { type: 'integer', minimum: 1, maximum: 65535, description: 'TCP port to probe.' },
      path: { type: 'string', description: 'File to wait for (or to be gone).' },
      search_regex: { type: 'string', description: 'With path: a Python regular expression (MULTILINE) the file must contain.' },
      state: { type: 'string', enum: ['started', 'present', 'stopped', 'absent'], default: 'started', description: 'started/present: open port or existing file; stopped/absent: closed port or missing file. (drained is not supported.)' },
      sleep: { type: 'integer', minimum: 1, default: 1, description: 'Seconds between probes.' },
      msg: { type: 'string', description: 'Failure message instead of the default.' },
    },
    not: { required: ['port', 'path'] },
    allOf: [{ not: { required: ['port', 'search_regex'] } }],
  },
  async plan(p, ctx) {
    if (p.state === 'stopped' && p.path !== undefined) throw new TaskFailedError('state=stopped should only be used for checking a port in the wait_for module', { elapsed: 0 });
    const re = p.search_regex !== undefined ? (() => { const r = pythonRegExp(p.search_regex!, 'search_regex'); return new RegExp(r.source, [...new Set(r.flags + 'm')].join('')); })() : undefined;
    const want = p.state === 'started' || p.state === 'present';
    const probe = async (): Promise<Found> => {
      if (p.port !== undefined) return { ok: (await portOpen(ctx, p)) === want };
      const f = await pathState(ctx, p, want ? re : undefined);
      return want ? f : { ok: !f.ok };
    };
    const result = (elapsed: number, f?: Found) => ({ state: p.state, port: p.port ?? null, path: p.path ?? null, search_regex: p.search_regex ?? null, match_groups: f?.groups ?? [], match_groupdict: f?.groupdict ?? {}, elapsed });
    if (ctx.check) {
      if (p.port === undefined && p.path === undefined) return { changes: [], skip: `would wait ${p.timeout} s`, result: result(0) };
      const f = await probe();
      return f.ok ? { changes: [], result: result(0, f) } : { changes: [], skip: 'the condition does not hold yet; not waited for in --check', result: result(0) };
    }
    const start = Date.now();
    const elapsed = () => Math.floor((Date.now() - start) / 1000);
    if (p.delay) await pause(p.delay);
    if (p.port === undefined && p.path === undefined) { await pause(p.timeout); return { changes: [], result: result(elapsed()) }; }
    const end = start + p.timeout * 1000;
    while (Date.now() < end) {
      const f = await probe();
      if (f.ok) return { changes: [], result: result(elapsed(), f) };
      await pause(p.sleep);
    }
    const what = p.port !== undefined
      ? (want ? `Timeout when waiting for ${p.host}:${p.port}` : `Timeout when waiting for ${p.host}:${p.port} to stop.`)
      : !want ? `Timeout when waiting for ${p.path} to be absent.` : re ? `Timeout when waiting for search string ${p.search_regex} in ${p.path}` : `Timeout when waiting for file ${p.path}`;
    throw new TaskFailedError(p.msg ?? what, { elapsed: elapsed() });
  },
  async apply() {
    return {};
  },
};
