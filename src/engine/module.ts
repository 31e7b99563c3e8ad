// The module contract: schema, plan (read-only), apply (exactly the plan).
// The engine plans again after apply; a non-empty second plan fails the task
// as "not converged", which is how idempotence is enforced at run time.

import type { Host } from '../host/host.js';
import type { Ledger, Provided } from './ledger.js';

/** One property that differs between the host and the task. */
export interface Change {
  /** What changes: "content", "mode", "owner", "state", "package:nginx" ... */
  property: string;
  before?: unknown;
  after?: unknown;
  /** Unified diff for content changes. */
  diff?: string;
  /** A sentence a person reads: "would start nginx". */
  summary?: string;
  /**
   * Set in --check when the change can only be judged after an earlier task's
   * predicted change (1-based task number in the play).
   */
  afterTask?: number;
  /**
   * An action done every time the task runs, not a difference that converges
   * away (service state=restarted/reloaded, apt update_cache without
   * cache_valid_time). It makes the task apply and report "changed"; the
   * verifying re-plan after apply ignores changes marked this way, and still
   * checks every other property (started, enabled ...).
   */
  repeats?: boolean;
}

/** Something a task makes exist: the ledger's vocabulary, defined there. */
export type { Provided } from './ledger.js';

export interface PlanResult<S = unknown> {
  changes: Change[];
  /** Things this plan would create; recorded in --check so later tasks can depend on them. */
  provides?: Provided[];
  /** Values for `register` (stat, rc, stdout ...), when known at plan time. */
  result?: Record<string, unknown>;
  /** Skip the task with this reason (e.g. `creates` exists). */
  skip?: string;
  /** How a skip is reported: 'ok' (command's creates/removes, the default) or 'skipped' (unarchive's creates, as Ansible reports each). */
  skipAs?: 'ok' | 'skipped';
  /** Module-private data handed from plan to apply (observed state). */
  state?: S;
}

export interface ApplyResult {
  /** Values for `register` after apply (rc, stdout ...). */
  result?: Record<string, unknown>;
  /** For modules that cannot be verified by re-planning (command): whether something changed. */
  changed?: boolean;
  /** A failure the module detected (failed_when, assert, non-zero exit). */
  failed?: string;
}

export interface ModuleContext {
  host: Host;
  /** --check: plan, report, stop. */
  check: boolean;
  /** Directory of the playbook (or role) the task comes from: relative `src` resolves here. */
  baseDir: string;
  /** Predicted changes of earlier tasks on this host, in --check. */
  ledger: Ledger;
  /** 1-based number of the task in its play, for ledger entries. */
  taskNumber: number;
  /** Renders a template file's text with the task's variables. */
  renderTemplate(text: string, name: string): string;
  /** Evaluates a Jinja expression (changed_when, failed_when ...) with extra variables. */
  evaluate(expr: string, extra?: Record<string, unknown>): unknown;
  /** Variables visible to the task (read-only). */
  vars: Record<string, unknown>;
  /** Progress for long work; quiet when not on a terminal. */
  progress(message: string): void;
}

export type JSONSchema = Record<string, unknown>;

export interface ModuleDefinition<P = any, S = any> {
  name: string;
  /**
   * Other names. ansible.builtin.X and ansible.legacy.X need no listing (the
   * registry maps them for every module Ansible has); a collection's name
   * (ansible.posix.mount, community.general.timezone) is listed here, and only
   * where that collection really has the module.
   */
  aliases?: string[];
  /** One paragraph for `converge doc` and the README. */
  description: string;
  /** JSON Schema of the parameters; `description` on each property feeds the docs. */
  schema: JSONSchema;
  /** Parameter used for the free-form `command: ls -l` style. */
  freeForm?: string;
  /**
   * Modules whose effect cannot be re-observed (command, shell, restarts) say
   * false; the engine then trusts apply's `changed` instead of re-planning.
   */
  verify?: boolean;
  /** Runs on the controller only (debug, assert, set_fact, meta): no host access. */
  controllerOnly?: boolean;
  /**
   * converge's own module (sysconfig, nfs_export): Ansible has no such module,
   * so only its short name and converge.NAME reach it, never ansible.builtin.NAME.
   */
  convergeOnly?: boolean;
  /** Top-level names the facts this module returns set (service_facts: services), known to the static variable check. */
  factNames?: string[];

  // What follows is declared so that the engine and the loader never test a
  // module's name (test/architecture/no-module-names.test.ts): each property
  // says what the engine does for any module that declares it.

  /** The role or playbook subdirectory relative controller files are looked up in first (template: templates, include_vars: vars); default files. */
  searchDir?: 'files' | 'templates' | 'vars';
  /** A parameter naming a controller file that must exist before the run (copy, template: src); `template`: it is also checked as a Jinja template. Skipped when `remote_src` is set. */
  controllerSource?: { param: string; template?: boolean };
  /**
   * Parameters that name host paths its plan looks at (file: path, dest, name): the engine looks at
   * all of a play's such paths in one go before the play's tasks run (src/engine/prefetch.ts). A hint
   * only; a path missed here is looked at when the task asks. A function gets the task's parameters as
   * written (not rendered): copy looks at its src on the host only with remote_src.
   */
  observedPaths?: string[] | ((params: Record<string, unknown>) => string[]);
  /**
   * Observes, in one go, what a play's tasks of this module will ask the host (service: one
   * `systemctl show` for every unit), into the host's remembered observations (Host.remember), before
   * the play's tasks run. `params`: the parameters rendered for it ahead of time (src/engine/prefetch.ts).
   * A hint as observedPaths is: whatever it misses the task observes itself.
   */
  observeAhead?: { params: string[]; observe(host: Host, tasks: Array<Record<string, unknown>>): Promise<void> };
  /** Its parameters are variable names and values (set_fact): no schema checks them. */
  paramsAreVariables?: boolean;
  /** Where the `ansible_facts` of its result go: 'facts' as set_fact's, 'included' as include_vars' (lower precedence); otherwise they are host facts. */
  setsVariables?: 'facts' | 'included';
  /** Names of the variables a task defines for later tasks, known before the run (set_fact's keys, the files include_vars reads), for the static variable check. */
  variableNames?(params: Record<string, unknown>, where: { baseDir: string; looped: boolean }): string[];
  /** The `msg` of its result is what an ok task shows: 'always' (debug), or 'verbose' with -v unless the result says quiet (assert). */
  showsMessage?: 'always' | 'verbose';
  /** A parameter giving the -v count the task needs; below it the task is skipped (debug: verbosity). */
  verbosityParam?: string;
  /** In --check a planned change is not run and the task is skipped unless one of these parameters is given (command, shell: creates, removes), as Ansible does. */
  checkSkipsUnless?: string[];
  /** Free-form text is the parameter `freeForm` as a whole, never split as key=value (meta). */
  freeFormWhole?: boolean;
  /** The run action a task asks of the host's run (meta: flush_handlers, end_play, end_host, noop), done by the engine instead of plan/apply. */
  runAction?(params: Record<string, unknown>): string;
  /** Said when a task of this module is loaded (a module of another platform). */
  loadWarning?: string;
  /**
   * Host-free checks of parameter combinations the schema cannot express (file: state link needs
   * src), run before the host is contacted; throws TaskFailedError. plan calls it too.
   */
  validate?(params: P): void;
  plan(params: P, ctx: ModuleContext): Promise<PlanResult<S>>;
  apply(params: P, plan: PlanResult<S>, ctx: ModuleContext): Promise<ApplyResult>;
}

/** A task failed in a way the module explains (bad state on the host, validator error ...). */
export class TaskFailedError extends Error {
  constructor(message: string, public readonly result?: Record<string, unknown>) {
    super(message);
    this.name = 'TaskFailedError';
  }
}
