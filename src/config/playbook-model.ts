// The playbook as the engine runs it: plays, tasks and handlers with the
// place each came from, so that any later error can point at the source.

import type { YamlPath, YamlSource } from './yaml-source.js';
import type { ConfigError } from './errors.js';
import type { ModuleDefinition } from '../engine/module.js';

export interface Origin {
  source: YamlSource;
  path: YamlPath;
}

export interface LoopControl {
  loop_var: string;
  label?: string;
  index_var?: string;
  /** ansible_loop with index, first, last, length, previtem ... */
  extended?: boolean;
  /** Seconds between items. */
  pause?: number;
}

/** Which loop keyword a task has: `loop` or the lookup of a `with_*`. */
export type LoopKind = 'loop' | 'items' | 'list' | 'dict' | 'together' | 'subelements' | 'sequence' | 'fileglob'
  | 'first_found' | 'nested' | 'indexed_items' | 'flattened' | 'random_choice';

/** A role as loaded: where it is and the variables it brings. */
export interface RoleInfo {
  name: string;
  dir: string;
  defaults: Record<string, unknown>;
  vars: Record<string, unknown>;
}

/** Settings blocks and plays pass down to tasks (environment, delegate_to ...). */
export interface Until {
  until: string[];
  retries: number;
  delay: number;
}

export interface Task {
  /** 1-based number in its play (handlers are numbered after tasks). */
  number: number;
  name: string;
  /** The module key as written (ansible.builtin.copy). */
  moduleKey: string;
  module: ModuleDefinition;
  /** Parameters before templating. */
  params: Record<string, unknown>;
  /** Where each parameter came from: key -> path in the source (shorthand maps to the module value). */
  paramPath: (key: string) => YamlPath;
  when: string[];
  loop?: unknown;
  loopKind?: LoopKind;
  loopControl: LoopControl;
  notify: string[];
  listen: string[];
  register?: string;
  tags: string[];
  ignoreErrors: boolean;
  /** A templated ignore_errors, evaluated for each host when the task runs (ignoreErrors is then false). */
  ignoreErrorsTemplate?: string;
  noLog: boolean;
  checkMode?: boolean;
  diff?: boolean;
  become?: boolean;
  becomeUser?: string;
  changedWhen?: string[];
  failedWhen?: string[];
  vars: Record<string, unknown>;
  /** Keywords evaluated per run: each has its effect (host-run.ts, run-task.ts). */
  until?: Until;
  delegateTo?: string;
  runOnce?: boolean;
  /** At most this many hosts run the task at once (0 or unset: no limit). */
  throttle?: number;
  environment: Array<Record<string, unknown> | string>;
  remoteUser?: string;
  role?: RoleInfo;
  /** Names a task may use that validation cannot see defined (an include's loop variable). */
  localNames: string[];
  /** meta: flush_handlers and friends. */
  meta?: string;
  origin: Origin;
  /** Directory of the file the task comes from: relative src paths resolve here. */
  baseDir: string;
}

/** A block: its tasks, and rescue/always when one of them fails. */
export interface BlockStep {
  kind: 'block';
  name: string;
  block: Step[];
  rescue: Step[];
  always: Step[];
  origin: Origin;
}

/** include_tasks / include_role: decided per host when reached (when, loop, templated file name). */
export interface IncludeStep {
  kind: 'include';
  name: string;
  keyword: string;
  when: string[];
  tags: string[];
  loop?: unknown;
  loopKind?: LoopKind;
  loopControl: LoopControl;
  vars: Record<string, unknown>;
  /** Loaded at load time when the file name is static. */
  steps?: Step[];
  /** Templated file name, resolved per host and loaded then. */
  load?: (file: string) => { steps: Step[]; handlers: Task[] };
  file?: string;
  origin: Origin;
}

export type Step = Task | BlockStep | IncludeStep;

export function isTask(s: Step): s is Task {
  return !('kind' in s);
}

export interface Play {
  name: string;
  hosts: string;
  vars: Record<string, unknown>;
  /**
   * `file` is resolved at load time when static; `candidates` (first found
   * wins, as in Ansible's `- [a.yml, b.yml]` form) are resolved per host.
   */
  varsFiles: Array<{ file: string; vars: Record<string, unknown>; candidates?: string[] }>;
  become: boolean;
  becomeUser?: string;
  gatherFacts: boolean;
  /** Every task known at load time, blocks and includes opened (for validation and counts). */
  tasks: Task[];
  /** What runs, in order: tasks, blocks and includes. */
  steps: Step[];
  handlers: Task[];
  tags: string[];
  checkMode?: boolean;
  /** Defaults and vars of the play's roles (Ansible exposes them play-wide). */
  roleDefaults: Record<string, unknown>;
  roleVars: Record<string, unknown>;
  remoteUser?: string;
  connection?: string;
  /** Directory relative paths of this play resolve from (an imported playbook's own). */
  dir: string;
  origin: Origin;
}

export interface Playbook {
  file: string;
  dir: string;
  plays: Play[];
  /** Every file read (playbook, included task files, vars files, templates): for fingerprints. */
  files: string[];
  /** Accepted with a remark (file:line), printed by `converge validate` and before a run. */
  warnings?: ConfigError[];
}
