// service_facts: every systemd service as ansible_facts.services, read the
// way Ansible reads it (systemctl list-units and list-unit-files, the units
// only known by their file asked for their ActiveState) but in one command
// for the listings and one batched systemctl show.

import type { ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';

interface ServiceFact { name: string; state: string; status: string; source: 'systemd' }

const BAD_STATES = ['not-found', 'masked', 'failed'];
const LISTINGS = 'systemctl list-units --no-pager --type service --all; echo "--cvg-unit-files--"; systemctl list-unit-files --no-pager --type service --all';

/** list-units lines (a leading marker column for bad states, as Ansible splits them). */
export function parseUnits(text: string, services: Record<string, ServiceFact>): void {
  for (const line of text.split('\n').filter((l) => l.includes('.service'))) {
    let fields = line.trim().split(/\s+/);
    let status = 'unknown';
    const bad = BAD_STATES.find((b) => fields.includes(b));
    if (bad) { status = bad; fields = fields.slice(1); } else status = fields[2];
    services[fields[0]] = { name: fields[0], state: fields[3] === 'running' ? 'running' : 'stopped', status, source: 'systemd' };
  }
}

/** list-unit-files lines; returns the names not listed as units (their state is asked separately). */
export function parseUnitFiles(text: string, services: Record<string, ServiceFact>): string[] {
  const unknown: string[] = [];
  for (const line of text.split('\n').filter((l) => l.includes('.service'))) {
    const [name, status] = line.trim().split(/\s+/);
    if (status === undefined) throw new TaskFailedError(`Malformed output discovered from systemd list-unit-files: ${line}`);
    if (!(name in services)) { services[name] = { name, state: 'unknown', status, source: 'systemd' }; unknown.push(name); }
    else if (!BAD_STATES.includes(services[name].status)) services[name].status = status;
  }
  return unknown;
}

export const serviceFactsModule: ModuleDefinition<Record<string, never>> = {
  name: 'service_facts',
  factNames: ['services'],
  description: 'Returns ansible_facts.services: every systemd service with its state (running, stopped, or the ActiveState of units only known by their file), status (enabled, disabled, static, masked, not-found, failed ...) and source, as Ansible reports them. Empty when systemd is not running.',
  schema: { properties: {} },
  async plan(_p, ctx) {
    const services: Record<string, ServiceFact> = {};
    const facts = await ctx.host.facts();
    if (ctx.host.kind !== 'chroot' && facts.systemd_running) {
      const r = await ctx.host.run(['sh', '-c', LISTINGS], { env: { LC_ALL: 'C' }, observeOnly: true });
      const [units, files = ''] = r.stdout.split('--cvg-unit-files--');
      parseUnits(units, services);
      const unknown = parseUnitFiles(files, services);
      // Template units (foo@.service) have no state to show: Ansible's per-unit show fails and leaves 'unknown'.
      const ask = unknown.filter((n) => !n.includes('@.'));
      if (ask.length) {
        // One block per unit, in the order asked (an alias's Id is its target's, so go by position).
        const s = await ctx.host.run(['systemctl', 'show', '-p', 'ActiveState', '--', ...ask], { env: { LC_ALL: 'C' }, observeOnly: true });
        const blocks = s.stdout.split(/\n\n/);
        if (s.rc === 0 && blocks.length >= ask.length) {
          ask.forEach((n, i) => { const m = /ActiveState=(\S*)/.exec(blocks[i] ?? ''); if (m && m[1]) services[n].state = m[1]; });
        }
      }
    }
    return { changes: [], result: { ansible_facts: { services } } };
  },
  async apply() { return {}; },
};
