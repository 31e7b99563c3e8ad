// Tearing bed hosts down: by PID (the container's PID 1 first, which takes
// its whole PID namespace with it, then nspawn, then anything left in the
// host's cgroups), then mounts, directories, namespaces, links, the nft
// table and the state. Synchronous and tolerant of missing parts, so it runs
// from exit handlers, from the watchdog and after crashes.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cgroupPids, removeHostCgroups } from './cgroups.js';
import { destroyNetworks, netNames } from './network.js';
import { pidAlive, runSync } from './proc.js';
import { listStates, readState, releaseSlot, removeState, slotOwner } from './state.js';

/** Hosts this process created and must tear down at exit. */
export const ownedHosts = new Set<string>();

function procComm(pid: number | undefined): string {
  if (!pid) return '';
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Kills a PID only if it still runs the program we started (PIDs get reused). */
function killIfComm(pid: number | undefined, comms: string[], signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid || !comms.includes(procComm(pid))) return;
  try {
    process.kill(pid, signal);
  } catch { /* gone */ }
}

/** Running (not a zombie waiting for a parent that may never reap it). */
function running(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

function waitGoneSync(pid: number | undefined, ms: number): boolean {
  const deadline = Date.now() + ms;
  while (running(pid) && Date.now() < deadline) runSync(['sleep', '0.02']);
  return !running(pid);
}

/** Tears a host down completely; returns false when no such host was known. */
export function downHostSync(name: string): boolean {
  const st = readState(name);
  if (!st) return false;
  for (const vm of st.vms ?? []) killIfComm(vm.pid, ['qemu-system-x86']);
  killIfComm(st.radvdPid, ['radvd']);
  // Killing the container's PID 1 kills every process in its PID namespace at once.
  killIfComm(st.leaderPid, ['systemd']);
  // nspawn takes ~2 s to notice; nothing of it outlives its mount namespace, so kill it too.
  if (!waitGoneSync(st.nspawnPid, 200)) killIfComm(st.nspawnPid, ['systemd-nspawn']);
  waitGoneSync(st.nspawnPid, 2000);
  // anything left in the host's cgroups (a leader that was never recorded, strays)
  for (const pid of cgroupPids(name)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  for (let i = 0; i < 100 && cgroupPids(name).some(running); i++) runSync(['sleep', '0.02']);
  removeHostCgroups(name);
  for (const vm of st.vms ?? []) waitGoneSync(vm.pid, 2000);
  if (existsSync(st.rootDir)) {
    if (runSync(['umount', st.rootDir]).rc !== 0) runSync(['umount', '-l', st.rootDir]);
  }
  rmSync(st.dir, { recursive: true, force: true });
  const others = listStates().filter((s) => s.name !== name);
  destroyNetworks(netNames(st.slot), others.length === 0);
  if (slotOwner(st.slot) === name) releaseSlot(st.slot);
  removeState(name);
  ownedHosts.delete(name);
  return true;
}

/** Hosts whose creating process died without tearing them down (killed test runs). */
export function reapOrphans(): string[] {
  const reaped: string[] = [];
  for (const s of listStates()) {
    if (s.ownerPid !== null && !pidAlive(s.ownerPid)) {
      downHostSync(s.name);
      reaped.push(s.name);
    }
  }
  return reaped;
}

let watchdogStarted = false;

/** A detached process that tears this process's hosts down if it dies without doing so (see watchdog.ts). */
export function startWatchdog(): void {
  if (watchdogStarted) return;
  watchdogStarted = true;
  const script = join(dirname(fileURLToPath(import.meta.url)), 'watchdog.js');
  const child = spawn(process.execPath, [script, String(process.pid)], { detached: true, stdio: 'ignore' });
  child.unref();
}

let guardInstalled = false;

/** Tears down this process's hosts on exit, SIGINT and SIGTERM. */
export function installExitGuard(): void {
  if (guardInstalled) return;
  guardInstalled = true;
  const cleanup = () => {
    for (const name of [...ownedHosts]) {
      try {
        downHostSync(name);
      } catch { /* best effort at exit */ }
    }
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanup();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}
