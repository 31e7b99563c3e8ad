// The real ansible-playbook (Debian's ansible-core) with its json callback,
// for the recap (stats) and each task's result of a whole run; the shared
// test/compat/ansible-oracle.ts gives per-task results only. Needs ansible-core
// (scripts/test-packages.txt): a test fails, never skips, when it is missing.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface AnsibleRun { code: number; json: any; stderr: string }

export function ansiblePlaybook(playbook: string, opts: { extraVars?: Record<string, string>; check?: boolean; args?: string[]; inventory?: string } = {}): AnsibleRun {
  const home = mkdtempSync(path.join(tmpdir(), 'cvg-ansible-home-'));
  try {
    const args = [playbook, ...(opts.inventory ? ['-i', opts.inventory] : ['-i', 'localhost,', '-c', 'local']), ...(opts.check ? ['--check'] : []), ...(opts.args ?? [])];
    for (const [k, v] of Object.entries(opts.extraVars ?? {})) args.push('-e', `${k}=${v}`);
    const r = spawnSync('ansible-playbook', args, {
      cwd: path.dirname(playbook), encoding: 'utf8', timeout: 300_000,
      env: {
        ...process.env, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_LOCAL_TEMP: path.join(home, 'tmp'), ANSIBLE_REMOTE_TEMP: path.join(home, 'rtmp'),
        HOME: home, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
        ANSIBLE_LOCALHOST_WARNING: '0', ANSIBLE_INVENTORY_UNPARSED_WARNING: '0', ANSIBLE_DEPRECATION_WARNINGS: '0',
      },
    });
    if (r.error) throw new Error(`ansible-playbook could not run (install ansible-core): ${r.error.message}`);
    let json: any;
    try { json = JSON.parse(r.stdout); } catch { json = undefined; }
    return { code: r.status ?? -1, json, stderr: r.stderr + (json ? '' : r.stdout) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export function ansibleSyntaxCheck(playbook: string, inventory?: string): { code: number; output: string } {
  const r = spawnSync('ansible-playbook', ['--syntax-check', playbook, '-i', inventory ?? 'localhost,'], {
    cwd: path.dirname(playbook), encoding: 'utf8', timeout: 120_000, env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
  });
  if (r.error) throw new Error(`ansible-playbook could not run (install ansible-core): ${r.error.message}`);
  return { code: r.status ?? -1, output: r.stdout + r.stderr };
}
