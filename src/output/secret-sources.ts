// Every variable source a run reads, searched for secret-named variables
// before the first host is contacted: their literal values are masked from the
// first line of output on. Templated values are learned when the engine
// resolves them (VarScope).

import type { Playbook } from '../config/playbook-model.js';
import type { Inventory } from '../inventory/inventory.js';
import { noteSecretVars } from './redact.js';

export function noteSecretsOfRun(playbook: Playbook, inventory: Inventory, extraVars: Record<string, unknown>): void {
  noteSecretVars(extraVars);
  for (const h of inventory.hosts.keys()) noteSecretVars(inventory.varsOf(h));
  for (const play of playbook.plays) {
    noteSecretVars(play.vars);
    for (const vf of play.varsFiles) noteSecretVars(vf.vars);
    for (const t of [...play.tasks, ...play.handlers]) {
      noteSecretVars(t.vars);
      // set_fact: its parameters are the variables it sets.
      if (t.module.paramsAreVariables) noteSecretVars(t.params);
    }
  }
}
