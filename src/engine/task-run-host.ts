// What the step walker (run-steps.ts) and the task runner (run-task.ts) use of
// a host's run. HostRun implements it; the two files depend on this interface
// instead of on host-run.ts, which creates them, so that no two files of the
// engine import each other, and a task runner can be driven by a stand-in.

import type { Play, Task } from '../config/playbook-model.js';
import type { Host } from '../host/host.js';
import type { Lookup } from '../template/render.js';
import type { EventStatus, TaskEvent } from './events.js';
import type { Frame } from './frame.js';
import type { Ledger } from './ledger.js';
import type { RunOptions } from './run-options.js';
import type { VarScope } from './variables.js';

/** A task's outcome on the host that ran it, and how to give its result to another host (run_once). */
export interface TaskRunOutcome {
  status: EventStatus;
  apply: (other: TaskRunHost) => void;
}

export interface TaskRunHost {
  readonly name: string;
  readonly options: RunOptions;
  readonly lookup: Lookup;
  readonly ledger: Ledger;
  readonly playbookDir: string;
  playName: string;
  unreachable?: string;
  scopeFor(task: Task, layers: Array<Record<string, unknown>>): VarScope;
  isCheck(task: Task): boolean;
  hostFor(task: Task, vars: Record<string, unknown>): Promise<Host>;
  controllerHost(): Host;
  /** The ledger of the machine a task acts on (a delegated task's is the delegate's). */
  ledgerFor(task: Task, vars: Record<string, unknown>, controllerOnly: boolean): Ledger;
  /** throttle: the hosts running each throttled task now, and those waiting for a turn. */
  readonly throttles: Map<Task, { running: number; waiting: Array<() => void> }>;
  runOnce(task: Task, run: () => Promise<TaskRunOutcome>): Promise<EventStatus>;
  report(ev: TaskEvent, count?: boolean): void;
  countTask(ev: Pick<TaskEvent, 'status' | 'ignored' | 'rescued' | 'changedToo'>): void;
  progress(message: string): void;
  register(name: string, value: Record<string, unknown>): void;
  addHostFacts(facts: Record<string, unknown>): void;
  setFacts(facts: Record<string, unknown>): void;
  includeVars(vars: Record<string, unknown>): void;
  notify(handler: string, by: Task): void;
  noteFailure(task: Task, result: Record<string, unknown>): void;
  markUnreachable(message: string, fromTask?: boolean): void;
  /** A task is about to change the host (its plan found something to apply). */
  beforeTaskChanges(): void;
}

/** What the step walker adds: tags, a play task with its meta actions, the failure a rescue sees, skip reports. */
export interface StepRunHost extends TaskRunHost {
  lastFailure?: { task: Task; result: Record<string, unknown> };
  tagged(task: { tags: string[] }): boolean;
  runPlayTask(play: Play, task: Task, frame: Frame): Promise<'ok' | 'failed' | 'ended' | 'stopped'>;
  reportStep(name: string, status: 'skipped' | 'ok', message: string, source: string, count?: boolean): void;
}
