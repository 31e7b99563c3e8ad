// Exit codes, decided in one place. Ansible's by default; Puppet's
// --detailed-exitcodes on request (for cron and CI).

import type { HostSummary } from '../engine/events.js';

export const EXIT = {
  ok: 0,
  /** The run could not be recorded in the state directory (full disk): Ansible's generic error. */
  notRecorded: 1,
  failed: 2,
  unreachable: 3,
  parseError: 4,
  badOptions: 5,
  interrupted: 99,
  unexpected: 250,
} as const;

export function exitCodeFor(summary: Map<string, HostSummary>, interrupted: boolean, detailed: boolean): number {
  if (interrupted) return EXIT.interrupted;
  const all = [...summary.values()];
  const failed = all.some((s) => s.failed > 0);
  const unreachable = all.some((s) => s.unreachable > 0);
  const changed = all.some((s) => s.changed > 0);
  if (detailed) {
    // Puppet: 0 nothing to change, 2 changes, 4 failures, 6 both.
    return (changed ? 2 : 0) + (failed || unreachable ? 4 : 0);
  }
  if (failed) return EXIT.failed;
  if (unreachable) return EXIT.unreachable;
  return EXIT.ok;
}
