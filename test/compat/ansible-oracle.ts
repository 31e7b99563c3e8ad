// Runs the same playbook through the real ansible-playbook (Debian's
// ansible-core, the oracle) and through converge, on localhost, and returns
// each tool's per-task results for comparison. Ansible costs about half a
// second per task: callers batch many cases into few tasks.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { converge } from '../helpers/cli.js';

export interface TaskResult {
  name: string;
  failed: boolean;
  /** debug's msg (Ansible: the native value; converge: parsed back from its JSON when it is JSON) */
  msg?: unknown;
  /** The whole result object (Ansible) or event (converge). */
  raw: Record<string, unknown>;
}

// The callback plugin is Python source: it stays in test/compat/callback, next to this file's source.
const CALLBACKS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/compat/callback');

/** ansible-playbook through the cvg_results callback: one result per task for `host`. */
export function runAnsible(dir: string, playbook: string, opts: { host?: string; extraArgs?: string[]; inventory?: string[] } = {}): TaskResult[] {
  const host = opts.host ?? 'localhost';
  const r = spawnSync('ansible-playbook', [path.join(dir, playbook), ...(opts.inventory ?? ['-i', `${host},`, '-c', 'local']), ...(opts.extraArgs ?? [])], {
    cwd: dir, encoding: 'utf8', timeout: 600_000, maxBuffer: 256 * 1024 * 1024,
    env: {
      ...process.env, ANSIBLE_STDOUT_CALLBACK: 'cvg_results', ANSIBLE_CALLBACK_PLUGINS: CALLBACKS, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'false',
      ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false', ANSIBLE_RETRY_FILES_ENABLED: 'false', ANSIBLE_HOME: path.join(dir, '.ansible'),
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3', ANSIBLE_DEPRECATION_WARNINGS: 'false',
    },
  });
  let doc: any;
  try {
    doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  } catch {
    throw new Error(`ansible-playbook gave no JSON (exit ${r.status}): ${r.stdout.slice(0, 2000)}${r.stderr.slice(0, 2000)}`);
  }
  const out: TaskResult[] = [];
  for (const t of doc.tasks ?? []) {
    const res = t.hosts?.[host];
    if (!res) continue;
    out.push({ name: t.name, failed: res._status === 'failed', msg: res.msg, raw: res });
  }
  return out;
}

/** converge's --json report: one result per task event for `host`. */
export function runConverge(dir: string, playbook: string, opts: { host?: string; extraArgs?: string[] } = {}): TaskResult[] {
  const host = opts.host ?? 'localhost';
  const r = converge([path.join(dir, playbook), '--json', '--state-dir', path.join(dir, '.cvg-state'), ...(opts.extraArgs ?? [])], { cwd: dir });
  if (!r.json) throw new Error(`converge gave no JSON (exit ${r.code}): ${r.stdout.slice(0, 2000)}${r.stderr.slice(0, 2000)}`);
  return (r.json.hosts?.[host]?.tasks ?? []).map((t: any) => {
    let msg: unknown = t.message;
    if (t.module === 'debug' && t.status !== 'failed' && typeof msg === 'string') {
      try { msg = JSON.parse(msg); } catch { /* plain text */ }
    }
    return { name: t.name, failed: t.status === 'failed', msg, raw: t };
  });
}

export function ansibleAvailable(): boolean {
  return fs.existsSync('/usr/bin/ansible-playbook');
}
