// Plays in order; in each play, every matched host runs its tasks in order,
// hosts in parallel up to --forks. One host failing never stops the others.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Playbook } from '../config/playbook-model.js';
import type { Inventory } from '../inventory/inventory.js';
import { loadYamlFile, readTextFile } from '../config/yaml-source.js';
import { renderText, renderValue, setRunLookup } from '../template/render.js';
import { Ledger } from './ledger.js';
import { makeLookup } from './lookups.js';
import type { HostSummary, Reporter } from './events.js';
import { HostRun, type RunOptions, type SharedRun } from './host-run.js';

export interface RunResult {
  summary: Map<string, HostSummary>;
  interrupted: boolean;
  durationMs: number;
}

/** Runs `work` for each item with at most `limit` at once. */
export async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(workers);
}

export async function runPlaybook(playbook: Playbook, inventory: Inventory, options: RunOptions, reporter: Reporter, limit?: (hosts: string[]) => string[]): Promise<RunResult> {
  const start = Date.now();
  const hostRun = (name: string) => {
    let hr = shared.hosts.get(name);
    if (!hr) { hr = new HostRun(name, shared); shared.hosts.set(name, hr); }
    return hr;
  };
  const waiting: Array<() => void> = [];
  const lookup = makeLookup(playbook.dir);
  setRunLookup(lookup);
  const shared: SharedRun = { inventory, playbookDir: playbook.dir, options, reporter, lookup, hosts: new Map(), hostRun, playHosts: [], runOnce: new Map(), playEnded: false, throttles: new Map(), controllerLedger: new Ledger(),
    wake: () => { for (const w of waiting.splice(0)) w(); },
    nextWake: () => new Promise<void>((resolve) => waiting.push(resolve)),
  };
  // Hosts a play targets; a host only delegated to (or used as a chroot's way in) has no row in the recap, as in Ansible.
  const targeted = new Set<string>();
  try {
    for (const play of playbook.plays) {
      if (options.stopRequested()) break;
      let hosts = inventory.match(play.hosts);
      if (hosts.length === 0 && inventory.implicitLocalhost && /^(localhost|127\.0\.0\.1)$/.test(play.hosts.trim())) hosts = ['localhost'];
      if (limit) hosts = limit(hosts);
      reporter.playStart(play.name, hosts);
      shared.playHosts = hosts;
      shared.runOnce = new Map();
      shared.playEnded = false;
      for (const h of hosts) { targeted.add(h); hostRun(h).leftPlay = false; }
      await forEachLimited(hosts, options.forks, async (h) => {
        try {
          await hostRun(h).runPlay(play, (hr) => {
          const playLayers: Array<Record<string, unknown>> = [play.vars];
          for (const vf of play.varsFiles) {
            if (vf.candidates) {
              // Templated (per-family vars): resolved with this host's facts; first found wins.
              const scope = hr.scope().with(play.vars);
              const names = vf.candidates.map((c) => path.resolve(play.dir, String(renderValue(c, scope.proxy, 'vars_files'))));
              const file = names.find((n) => existsSync(n));
              if (!file) throw new Error(`vars_files: none of ${names.join(', ')} exists`);
              playLayers.push((loadYamlFile(file, 'vars file').value ?? {}) as Record<string, unknown>);
            } else playLayers.push(vf.vars);
          }
          return playLayers;
          });
        } finally {
          hostRun(h).leftPlay = true;
          shared.wake();
        }
      });
    }
  } finally {
    await Promise.all([...shared.hosts.values()].map((h) => h.close()));
  }
  const summary = new Map<string, HostSummary>();
  for (const [n, h] of shared.hosts) if (targeted.has(n)) summary.set(n, h.summary);
  const durationMs = Date.now() - start;
  reporter.finish(summary, durationMs);
  return { summary, interrupted: options.stopRequested(), durationMs };
}
