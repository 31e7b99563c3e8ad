// Plays in order; in each play, every matched host runs its tasks in order,
// hosts in parallel up to --forks. One host failing never stops the others.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Playbook } from '../config/playbook-model.js';
import type { Inventory } from '../inventory/inventory.js';
import { loadYamlFile, readTextFile } from '../config/yaml-source.js';
import { renderText, renderValue, renderVars, setRunLookup, type Lookup } from '../template/render.js';
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

function makeLookup(baseDir: string): Lookup {
  return (kind: string, ...args: unknown[]) => {
    const [arg] = args;
    switch (kind) {
      case 'env': return process.env[String(arg)] ?? '';
      case 'file': return readTextFile(path.resolve(baseDir, 'files', String(arg)), 'lookup file').replace(/\n$/, '');
      case 'template': {
        const file = path.resolve(baseDir, 'templates', String(arg));
        return renderText(readTextFile(file, 'lookup template'), renderVars(), file);
      }
      case 'pipe': throw new Error("lookup('pipe') is not supported: it would run a shell on the controller");
      default: throw new Error(`unknown lookup plugin '${kind}' (supported: env, file, template)`);
    }
  };
}

/** Ansible looks up `lookup('file', x)` relative to files/ or the playbook directory. */
function lookupFor(playbookDir: string): Lookup {
  const base = makeLookup(playbookDir);
  return (kind, ...args) => {
    if (kind === 'file' || kind === 'template') {
      const sub = kind === 'file' ? 'files' : 'templates';
      const direct = path.resolve(playbookDir, String(args[0]));
      const inSub = path.resolve(playbookDir, sub, String(args[0]));
      try { readTextFile(inSub); } catch { return kind === 'file' ? readTextFile(direct, 'lookup file').replace(/\n$/, '') : renderText(readTextFile(direct), renderVars(), direct); }
    }
    return base(kind, ...args);
  };
}

export async function runPlaybook(playbook: Playbook, inventory: Inventory, options: RunOptions, reporter: Reporter, limit?: (hosts: string[]) => string[]): Promise<RunResult> {
  const start = Date.now();
  const hostRun = (name: string) => {
    let hr = shared.hosts.get(name);
    if (!hr) { hr = new HostRun(name, shared); shared.hosts.set(name, hr); }
    return hr;
  };
  const lookup = lookupFor(playbook.dir);
  setRunLookup(lookup);
  const shared: SharedRun = { inventory, playbookDir: playbook.dir, options, reporter, lookup, hosts: new Map(), hostRun, playHosts: [], runOnce: new Map(), playEnded: false };
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
      await forEachLimited(hosts, options.forks, async (h) => {
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
      });
    }
  } finally {
    await Promise.all([...shared.hosts.values()].map((h) => h.close()));
  }
  const summary = new Map<string, HostSummary>();
  for (const [n, h] of shared.hosts) summary.set(n, h.summary);
  const durationMs = Date.now() - start;
  reporter.finish(summary, durationMs);
  return { summary, interrupted: options.stopRequested(), durationMs };
}
