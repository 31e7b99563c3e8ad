// What a block, include or role passes down to the tasks inside it. Shared by
// the task loader (load-tasks.ts) and the role loader (load-roles.ts), which
// the task loader creates.

import type { RoleInfo } from './playbook-model.js';

/** What a block, include or role passes down to the tasks inside it. */
export interface Inherited {
  when: string[];
  tags: string[];
  vars: Record<string, unknown>;
  become?: boolean;
  becomeUser?: string;
  ignoreErrors?: boolean;
  /** `ignore_errors: "{{ expr }}"`: decided per host when the task runs. */
  ignoreErrorsTemplate?: string;
  noLog?: boolean;
  checkMode?: boolean;
  diff?: boolean;
  environment: Array<Record<string, unknown> | string>;
  delegateTo?: string;
  runOnce?: boolean;
  remoteUser?: string;
  /** throttle: how many hosts run the task at once. */
  throttle?: number;
  /** A block's notify: its tasks notify these unless they say their own (Ansible's parent attribute). */
  notify?: string[];
  role?: RoleInfo;
  /** Directory relative src/template paths resolve from. */
  baseDir: string;
  localNames: string[];
}

export function rootInherited(baseDir: string): Inherited {
  return { when: [], tags: [], vars: {}, environment: [], baseDir, localNames: [] };
}
