// Where a task runs inside blocks and includes, shared by the step walker
// (run-steps.ts), the task runner (run-task.ts) and the host's run (host-run.ts).

/** Extra variable layers, and whether a rescue follows a failure. */
export interface Frame {
  layers: Array<Record<string, unknown>>;
  rescuable: boolean;
}

export const TOP_FRAME: Frame = { layers: [], rescuable: false };
