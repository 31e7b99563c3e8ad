// The playbook as the engine runs it: plays, tasks and handlers with the
// place each came from, so that any later error can point at the source.

import type { YamlPath, YamlSource } from './yaml-source.js';
import type { ModuleDefinition } from '../engine/module.js';

export interface Origin {
  source: YamlSource;
  path: YamlPath;
}

export interface LoopControl {
  loop_var: string;
  label?: string;
  index_var?: string;
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
  loopControl: LoopControl;
  notify: string[];
  listen: string[];
  register?: string;
  tags: string[];
  ignoreErrors: boolean;
  noLog: boolean;
  checkMode?: boolean;
  diff?: boolean;
  become?: boolean;
  becomeUser?: string;
  changedWhen?: string[];
  failedWhen?: string[];
  vars: Record<string, unknown>;
  /** meta: flush_handlers and friends. */
  meta?: string;
  origin: Origin;
  /** Directory of the file the task comes from: relative src paths resolve here. */
  baseDir: string;
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
  tasks: Task[];
  handlers: Task[];
  tags: string[];
  checkMode?: boolean;
  origin: Origin;
}

export interface Playbook {
  file: string;
  dir: string;
  plays: Play[];
  /** Every file read (playbook, included task files, vars files, templates): for fingerprints. */
  files: string[];
}
