// systemd_service (ansible.builtin.systemd): the service module's unit
// handling plus systemd's own parameters: scope (system, or global for every
// user's units), no_block, force, daemon_reexec, Ansible's spellings of the
// names (unit, service, daemon-reload), and `status` in the registered result
// (every property of systemctl show, from the same one command).

import type { ModuleDefinition } from '../src/engine/module.js';
import { applyUnit, planUnit, serviceSchema, type ServiceParams, type ServiceState } from './service.js';

interface SystemdParams extends ServiceParams {
  unit?: string;
  service?: string;
  'daemon-reload'?: boolean;
  'daemon-reexec'?: boolean;
}

function normalise(p: SystemdParams): ServiceParams {
  const { unit, service, 'daemon-reload': dr, 'daemon-reexec': dx, ...rest } = p;
  return {
    ...rest,
    name: p.name ?? unit ?? service,
    daemon_reload: p.daemon_reload || dr === true,
    daemon_reexec: p.daemon_reexec || dx === true,
  };
}

const props = serviceSchema.properties;

export const systemdServiceModule: ModuleDefinition<SystemdParams, ServiceState> = {
  name: 'systemd_service',
  aliases: ['systemd'],
  description:
    'The service module for systemd, with systemd_service\'s parameters: start, stop, restart or reload a unit, enable, disable, mask or ' +
    'unmask it, reload or re-execute systemd; scope global enables units for every user; no_block and force are passed to systemctl. ' +
    'The registered result has status (every property systemctl show reports). Unlike Ansible, daemon_reload with a unit reloads only when ' +
    'systemd says the unit changed on disk, and a daemon_reload/daemon_reexec task without a unit reports changed.',
  schema: {
    properties: {
      name: props.name,
      unit: { ...props.name, description: 'Alias of name.' },
      service: { ...props.name, description: 'Alias of name.' },
      state: props.state,
      enabled: props.enabled,
      masked: props.masked,
      daemon_reload: props.daemon_reload,
      'daemon-reload': { type: 'boolean', description: 'Alias of daemon_reload.' },
      daemon_reexec: { type: 'boolean', default: false, description: 'Re-execute systemd (systemctl daemon-reexec) every time the task runs.' },
      'daemon-reexec': { type: 'boolean', description: 'Alias of daemon_reexec.' },
      scope: { type: 'string', enum: ['system', 'user', 'global'], default: 'system', description: 'system: the system manager; global: enable, disable or mask a user unit for every user (systemctl --global; state is refused); user is refused (it needs that user\'s own systemd instance).' },
      no_block: { type: 'boolean', default: false, description: 'Do not wait for start, stop, restart or reload jobs to finish (systemctl --no-block).' },
      force: { type: 'boolean', default: false, description: 'Replace existing links when enabling or masking (systemctl --force).' },
      root: props.root,
    },
    anyOf: [{ required: ['name'] }, { required: ['unit'] }, { required: ['service'] }, { required: ['daemon_reload'] }, { required: ['daemon-reload'] }, { required: ['daemon_reexec'] }, { required: ['daemon-reexec'] }],
  },
  plan: async (p, ctx) => {
    const planned = await planUnit(normalise(p), ctx, true);
    return { ...planned, result: { ...planned.result, ...asAnsibleReports(normalise(p)) } };
  },
  async apply(p, planned, ctx) {
    const applied = await applyUnit(normalise(p), planned, ctx);
    // status is the unit as it was before the task (the verifying re-plan would report it after).
    return { ...applied, result: { ...planned.result, ...asAnsibleReports(normalise(p)) } };
  },
};

/** Ansible reports the unit by the name given and the state and enabled asked for. */
function asAnsibleReports(p: ServiceParams): Record<string, unknown> {
  return {
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.state !== undefined ? { state: p.state } : {}),
    ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
  };
}
