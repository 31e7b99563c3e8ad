// The options of `converge PLAYBOOK` and what loading a playbook gives, as
// types only: the agent's run guard and loop read them without importing the
// run command, which imports the run guard.

import type { Playbook } from '../config/playbook-model.js';
import type { Inventory } from '../inventory/inventory.js';

export interface RunCliOptions {
  inventory?: string;
  check?: boolean;
  diff?: boolean;
  limit?: string;
  tags?: string;
  skipTags?: string;
  extraVars?: string[];
  forks?: string;
  json?: boolean;
  color?: string;
  detailedExitcodes?: boolean;
  verbose?: number;
  acceptNewHostKeys?: boolean;
  knownHostsFile?: string;
}

export interface Loaded {
  playbook: Playbook;
  inventory: Inventory;
  extraVars: Record<string, unknown>;
}
