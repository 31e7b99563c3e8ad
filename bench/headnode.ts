// The head node scenarios: playbooks/headnode.yaml, no-change and --check,
// against a converged debian12 test-bed host. They run only when both the
// playbook and the test bed exist; otherwise the report says why not.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Scenario } from './scenario.js';
import { REPO_ROOT } from './tools.js';

export interface HeadnodeSetup {
  scenarios: Scenario[];
  skipped: Array<{ id: string; reason: string }>;
  cleanup(): Promise<void>;
}

export async function headnodeScenarios(_ctx: { work: string }, _skipAnsible: boolean): Promise<HeadnodeSetup> {
  const playbook = path.join(REPO_ROOT, 'playbooks', 'headnode.yaml');
  const bed = path.join(REPO_ROOT, 'dist', 'test', 'bed', 'index.js');
  const none = async () => {};
  if (!fs.existsSync(playbook)) {
    return { scenarios: [], skipped: [{ id: 'headnode', reason: 'playbooks/headnode.yaml does not exist yet' }], cleanup: none };
  }
  if (!fs.existsSync(bed)) {
    return { scenarios: [], skipped: [{ id: 'headnode', reason: 'the test bed (dist/test/bed) is not built' }], cleanup: none };
  }
  return {
    scenarios: [],
    skipped: [{ id: 'headnode', reason: 'headnode scenarios are not wired into the bench yet' }],
    cleanup: none,
  };
}
