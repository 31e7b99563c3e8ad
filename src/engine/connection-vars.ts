// The variables a host's connection is made from, as Ansible takes them: every
// ansible_* variable in scope (not facts, not the run's magic variables), then
// the play's or task's keywords where no variable says otherwise. HostRun asks
// it for each task's connection; the early connection (src/cli/early-connect.ts)
// asks it before the play exists, and both must agree for the run to take over
// what was opened early.

import type { VarScope } from './variables.js';

/** Magic variables named ansible_* that say nothing about the connection. */
const MAGIC_NAMES = new Set(['ansible_check_mode', 'ansible_diff_mode', 'ansible_run_tags', 'ansible_skip_tags', 'ansible_play_name',
  'ansible_play_hosts_all', 'ansible_play_hosts', 'ansible_play_batch', 'ansible_verbosity', 'ansible_loop_var', 'ansible_index_var', 'ansible_loop']);

export interface ConnectionKeywords {
  become?: boolean;
  becomeUser?: string;
  remoteUser?: string;
  connection?: string;
}

/** The ansible_* connection variables of a scope. */
export function connectionVarsOf(scope: VarScope): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  for (const k of scope.keys()) if (k.startsWith('ansible_') && !k.startsWith('ansible_facts') && !MAGIC_NAMES.has(k)) c[k] = scope.get(k);
  return c;
}

/** `vars` with the keywords added where no variable sets the same thing (variables win, as in Ansible). */
export function withConnectionKeywords(vars: Record<string, unknown>, kw: ConnectionKeywords): Record<string, unknown> {
  if (kw.become !== undefined && vars.ansible_become === undefined) vars.ansible_become = kw.become;
  if (kw.becomeUser !== undefined && vars.ansible_become_user === undefined) vars.ansible_become_user = kw.becomeUser;
  if (kw.remoteUser !== undefined && vars.ansible_user === undefined) vars.ansible_user = kw.remoteUser;
  if (kw.connection !== undefined && vars.ansible_connection === undefined) vars.ansible_connection = kw.connection;
  return vars;
}
