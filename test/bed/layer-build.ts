// Builds one layer into a temporary directory (see rootfs.ts). A layer on top
// of a parent is built in an overlay (upper = the new layer) so that it stores
// only what it adds; commands inside a tree run in a throwaway
// systemd-nspawn (no boot) so that /proc, /dev and /sys are there for dpkg and rpm.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk, runSync } from './proc.js';
import { layerStack, type Layer } from './rootfs.js';

export async function buildLayer(layer: Layer, dir: string, log: (s: string) => void): Promise<void> {
  if (!layer.parent) {
    await layer.build(dir, dir, log);
    return;
  }
  const work = `${dir}.work`;
  const merged = `${dir}.merged`;
  mkdirSync(work, { recursive: true });
  mkdirSync(merged, { recursive: true });
  const lower = layerStack(layer.parent).join(':');
  await runOk(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${dir},workdir=${work}`, merged]);
  try {
    await layer.build(dir, merged, log);
  } finally {
    runSync(['umount', merged]);
    rmSync(work, { recursive: true, force: true });
    rmSync(merged, { recursive: true, force: true });
  }
}

/**
 * Runs a fixed shell script inside a tree (not booted), with the build
 * machine's network so apt can reach the mirror, and services kept from
 * starting by a policy-rc.d for the duration.
 */
export async function runInTree(tree: string, script: string, log: (s: string) => void, env: Record<string, string> = {}): Promise<void> {
  const policy = join(tree, 'usr/sbin/policy-rc.d');
  writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const setenv = Object.entries({ DEBIAN_FRONTEND: 'noninteractive', LANG: 'C.UTF-8', ...env }).flatMap(([k, v]) => ['-E', `${k}=${v}`]);
    await runOk(['systemd-nspawn', '-q', '-D', tree, '--register=no', '--keep-unit', '--resolv-conf=copy-host',
      '--timezone=off', '--link-journal=no', ...setenv, '--', '/bin/sh', '-euc', script], { onOutput: log });
  } finally {
    rmSync(policy, { force: true });
  }
}
