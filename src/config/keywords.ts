// Every keyword converge accepts on a play, block, task, include and role
// entry, and the ones it refuses with the reason. A keyword is in exactly one
// of these lists; test/engine/keywords.test.ts shows each accepted one has its
// effect, so nothing is accepted and ignored.

export const LOOP_KEYS: Record<string, import('./playbook-model.js').LoopKind> = {
  loop: 'loop', with_items: 'items', with_list: 'list', with_dict: 'dict', with_together: 'together',
  with_subelements: 'subelements', with_sequence: 'sequence', with_fileglob: 'fileglob', with_first_found: 'first_found',
  with_nested: 'nested', with_cartesian: 'nested', with_indexed_items: 'indexed_items', with_flattened: 'flattened',
};

export const LOOP_CONTROL_KEYS = ['loop_var', 'label', 'index_var', 'extended', 'pause'];

/** Keywords a task, block or include passes down to the tasks inside it. */
export const INHERITED_KEYS = ['when', 'tags', 'vars', 'become', 'become_user', 'become_method', 'ignore_errors', 'no_log',
  'check_mode', 'diff', 'environment', 'delegate_to', 'run_once', 'remote_user', 'throttle'];

export const TASK_KEYS = ['name', ...INHERITED_KEYS, ...Object.keys(LOOP_KEYS), 'loop_control', 'notify', 'listen', 'register',
  'changed_when', 'failed_when', 'args', 'until', 'retries', 'delay'];

export const BLOCK_KEYS = ['block', 'rescue', 'always', 'name', 'notify', ...INHERITED_KEYS];

export const INCLUDE_ACTIONS = ['include_tasks', 'import_tasks', 'include_role', 'import_role'];
export const INCLUDE_KEYS = ['name', ...INHERITED_KEYS, ...Object.keys(LOOP_KEYS), 'loop_control', 'apply'];

/**
 * include_tasks / include_role (dynamic): keywords on the include belong to the include itself; only
 * `apply` and `vars` reach the included tasks. Ansible 2.14 refuses become, environment, delegate_to,
 * check_mode, diff, remote_user, throttle ... there ("not a valid attribute for a TaskInclude"), so does
 * converge. ignore_errors, no_log and run_once, which Ansible applies to the include alone, are refused
 * too: converge does not give them that effect.
 */
export const DYNAMIC_INCLUDE_KEYS = ['name', 'when', 'tags', 'vars', ...Object.keys(LOOP_KEYS), 'loop_control', 'apply'];
export const DYNAMIC_INCLUDE_REFUSED: Record<string, string> = {
  ignore_errors: 'applies to the include itself in Ansible (not to the included tasks), which converge does not support; put it under apply: or on the included tasks',
  no_log: 'applies to the include itself in Ansible (not to the included tasks), which converge does not support; put it under apply: or on the included tasks',
  run_once: 'applies to the include itself in Ansible (not to the included tasks), which converge does not support; put it under apply: or on the included tasks',
};

export const PLAY_KEYS = ['name', 'hosts', 'vars', 'vars_files', 'become', 'become_user', 'become_method', 'gather_facts',
  'tasks', 'pre_tasks', 'post_tasks', 'handlers', 'roles', 'tags', 'check_mode', 'remote_user', 'connection', 'environment',
  'ignore_errors', 'no_log', 'diff', 'throttle'];

/** Keys of a `roles:` entry besides the role's own parameters. */
export const ROLE_ENTRY_KEYS = ['role', 'name', ...INHERITED_KEYS];

export const REFUSED: Record<string, string> = {
  async: 'async/poll is not supported: converge waits for each task',
  poll: 'async/poll is not supported: converge waits for each task',
  serial: 'serial is not supported; converge runs all hosts in parallel (--forks)',
  strategy: 'strategy is not supported; converge runs each host through its tasks independently',
  max_fail_percentage: 'max_fail_percentage is not supported: one host failing never stops the others',
  any_errors_fatal: 'any_errors_fatal is not supported: one host failing never stops the others',
  ignore_unreachable: 'ignore_unreachable is not supported: an unreachable host stops its run',
  local_action: 'local_action is not supported; write the module with `delegate_to: localhost`',
  module_defaults: 'module_defaults is not supported; give the parameters on each task',
  timeout: 'task timeout is not supported',
  delegate_facts: 'delegate_facts is not supported',
  debugger: 'debugger is not supported',
  collections: 'collections is not supported; name modules by their short or ansible.builtin names',
  order: 'play order is not supported; hosts run in parallel',
  fact_path: 'fact_path (local facts) is not supported',
  gather_subset: 'play-level gather_subset is not supported; converge gathers its own fixed set of facts',
  gather_timeout: 'gather_timeout is not supported',
  force_handlers: 'force_handlers is not supported',
  vars_prompt: 'vars_prompt is not supported: converge runs unattended; pass values with -e',
  port: 'play-level port is not supported; set ansible_port in the inventory',
  become_flags: 'become_flags is not supported (converge runs sudo itself)',
  become_exe: 'become_exe is not supported (converge runs sudo itself)',
  connection: 'task-level connection is not supported; set ansible_connection in the inventory or on the play',
  include: "the bare 'include' was removed from Ansible; use include_tasks or import_tasks",
  with_lines: 'with_lines is not supported: it runs a command on the controller',
  with_random_choice: 'with_random_choice is not supported: a run must be repeatable',
  with_inventory_hostnames: "with_inventory_hostnames is not supported; use loop: \"{{ groups['GROUP'] }}\"",
  with_env: 'with_env is not supported; use lookup(\'env\', NAME)',
};
