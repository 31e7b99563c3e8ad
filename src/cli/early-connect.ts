// SSH connections opened while the playbook is still being validated. On a
// host the slowest part of a short run is the server's: the key exchange and,
// above all, the first session (PAM, the login shell, sudo), a few hundred
// milliseconds during which converge would otherwise sit idle after its own
// validation. So for the first play's SSH hosts the connection and the first
// privileged shell are started as soon as the inventory is loaded (the first
// play is peeked at for its hosts), and the run takes them over when it asks
// for exactly the same connection. Nothing is sent but the handshake, the
// shell start and, when the first play gathers facts, the facts' read-only
// request; if validation fails they are closed, and the host is not changed.

import { loadYamlFile } from '../config/yaml-source.js';
import { connectHost, connectionKind, type ConnectOptions } from '../host/connect.js';
import type { Host } from '../host/host.js';
import type { Inventory } from '../inventory/inventory.js';
import { withReadOnlyLookups } from '../template/render.js';
import { VarScope } from '../engine/variables.js';
import { connectionVarsOf, withConnectionKeywords } from '../engine/connection-vars.js';
import { ansibleBoolean } from '../config/ansible-coercion.js';

/** More hosts than this in the first play: the run opens them as before (forks decide how many at once). */
const MAX_EARLY = 8;

/** What makes two SSH hosts the same connection (SshHost.target). */
interface Targeted { target?: string; prepare?(): void }

export class EarlyConnections {
  private readonly hosts = new Map<string, Host>();

  constructor(private readonly opts: ConnectOptions) {}

  /**
   * Starts the SSH hosts of the playbook's first play (after --limit), before the playbook is loaded:
   * its first play is peeked at (hosts, become, become_user, remote_user, connection as written) and the
   * connection variables are the inventory's and the extra vars'. What the run later asks for is compared
   * whole (take), so a guess that is wrong only costs the unused connection. True when some started.
   */
  start(playbookFile: string, inventory: Inventory, extraVars: Record<string, unknown>, limit?: (hosts: string[]) => string[]): boolean {
    let play: Record<string, unknown> | undefined;
    let names: string[];
    try {
      const doc = loadYamlFile(playbookFile, 'playbook').value;
      play = Array.isArray(doc) && doc[0] && typeof doc[0] === 'object' ? doc[0] as Record<string, unknown> : undefined;
      if (!play || typeof play.hosts !== 'string' || play.hosts.includes('{{')) return false;
      names = inventory.match(play.hosts);
      if (limit) names = limit(names);
    } catch {
      return false;
    }
    if (names.length > MAX_EARLY) return false;
    const gathers = play.gather_facts === undefined || ansibleBoolean(play.gather_facts) === true;
    for (const name of names) {
      if (!inventory.hosts.has(name)) continue;
      try {
        const vars = withReadOnlyLookups(() => connectionVars(inventory.varsOf(name), play!, extraVars));
        if (connectionKind(name, vars) !== 'ssh') continue;
        const host = connectHost(name, vars, this.opts);
        (host as Targeted).prepare?.();
        // The play gathers facts first thing: they are read-only, so they can be on their way too
        // (the host keeps them; an error is the play's to report, as before).
        if (gathers) void host.facts().catch(() => {});
        this.hosts.set(name, host);
      } catch { /* the run connects as it always does, and reports what is wrong */ }
    }
    return this.hosts.size > 0;
  }

  /** The early host instead of `fresh` when both are the same connection; the early one is closed otherwise. */
  take(name: string, fresh: Host): Host {
    const early = this.hosts.get(name);
    if (!early) return fresh;
    this.hosts.delete(name);
    const a = (early as Targeted).target;
    if (a !== undefined && a === (fresh as Targeted).target) return early;
    void early.close().catch(() => {});
    return fresh;
  }

  /** Closes what the run did not take (validation failed, a play that never reached the host). */
  async close(): Promise<void> {
    const left = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(left.map((h) => h.close().catch(() => {})));
  }
}

/** The play's connection as HostRun will ask for it, from the first play as written (its keywords not yet loaded). */
function connectionVars(invVars: Record<string, unknown>, play: Record<string, unknown>, extraVars: Record<string, unknown>): Record<string, unknown> {
  const text = (k: string) => (typeof play[k] === 'string' ? play[k] as string : undefined);
  return withConnectionKeywords(connectionVarsOf(new VarScope([invVars, extraVars])), {
    become: ansibleBoolean(play.become) || undefined,
    becomeUser: text('become_user'),
    remoteUser: text('remote_user'),
    connection: text('connection'),
  });
}
