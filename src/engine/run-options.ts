// The options of one converge run, as the engine receives them from the CLI
// or the agent. In a file of their own so that the task runner can read them
// without importing host-run.ts (which imports the task runner).

import type { Host } from '../host/host.js';
import type { PendingHandlerStore } from './pending-handlers.js';
import type { WriteJournal } from './write-journal.js';

export interface RunOptions {
  check: boolean;
  diff: boolean;
  tags: string[];
  skipTags: string[];
  extraVars: Record<string, unknown>;
  forks: number;
  /** -v count: debug tasks with a higher verbosity are skipped. */
  verbosity: number;
  /** Opens a Host for an inventory host (local, ssh, chroot). */
  connect: (name: string, vars: Record<string, unknown>) => Host;
  /** Set by SIGINT/SIGTERM: stop after the current task. */
  stopRequested: () => boolean;
  /** Keeps notifications until their handlers have run, across runs (pending-handlers.ts). Absent: not kept. */
  pendingHandlers?: PendingHandlerStore;
  /** Notes writes in progress, so that temp files a killed run left are swept (write-journal.ts). */
  writeJournal?: WriteJournal;
}

