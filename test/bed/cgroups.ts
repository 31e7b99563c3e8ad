// Each host's systemd-nspawn runs in a cgroup of its own. Without one,
// `--keep-unit` on a machine without systemd puts every container under the
// same /payload cgroup, and two containers' systemd would manage (and kill)
// each other's services. The cgroup also lets teardown find every process of
// the host by PID, whatever happened to nspawn.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

/** The hierarchies systemd uses on this kind of machine (v1 name=systemd, and cgroup2). */
const HIERARCHIES = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'];
const BED_CGROUP = 'converge-testbed';

export function hostCgroups(name: string): string[] {
  return HIERARCHIES.filter((h) => existsSync(join(h, 'cgroup.procs'))).map((h) => join(h, BED_CGROUP, name));
}

export function createHostCgroups(name: string): string[] {
  const dirs = hostCgroups(name);
  for (const d of dirs) mkdirSync(d, { recursive: true });
  return dirs;
}

/** Every PID in a host's cgroups (recursively). */
export function cgroupPids(name: string): number[] {
  const pids = new Set<number>();
  const walk = (d: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
      for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.add(Number(p));
    } catch { /* gone */ }
    for (const e of entries) walk(join(d, e));
  };
  for (const d of hostCgroups(name)) walk(d);
  return [...pids];
}

/** Removes a host's cgroup trees, deepest first (only empty cgroups can go). */
export function removeHostCgroups(name: string): void {
  const rm = (d: string) => {
    try {
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) rm(join(d, e.name));
      rmdirSync(d);
    } catch { /* busy or gone */ }
  };
  for (const d of hostCgroups(name)) rm(d);
}
