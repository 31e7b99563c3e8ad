// The connection variables converge understands, checked for type before any
// host is contacted (a port that is not a number is an error, not a hang).

import { Ajv } from 'ajv';
import { ConfigError, type SourcePos } from '../config/errors.js';

const schema = {
  type: 'object',
  properties: {
    ansible_host: { type: 'string', minLength: 1 },
    ansible_port: { type: 'integer', minimum: 1, maximum: 65535 },
    ansible_user: { type: 'string', pattern: '^[A-Za-z0-9._][A-Za-z0-9._-]*$' },
    ansible_connection: { enum: ['ssh', 'local', 'chroot', 'paramiko', 'smart'] },
    ansible_ssh_private_key_file: { type: 'string' },
    ansible_password: { type: 'string' },
    ansible_become: { type: 'boolean' },
    ansible_become_user: { type: 'string', pattern: '^[A-Za-z0-9._][A-Za-z0-9._-]*$' },
    ansible_become_password: { type: 'string' },
    ansible_become_method: { enum: ['sudo'] },
  },
};

const validate = new Ajv({ coerceTypes: true, allErrors: true, strict: false }).compile(schema);

export function validateConnectionVars(host: string, vars: Record<string, unknown>, posOf: (variable: string) => SourcePos | undefined): ConfigError[] {
  const copy = { ...vars };
  if (validate(copy)) {
    Object.assign(vars, copy);
    return [];
  }
  return (validate.errors ?? []).map((e) => {
    const name = e.instancePath.slice(1);
    // Say which value was refused and what would be accepted, not only ajv's wording.
    const allowed = e.keyword === 'enum' ? `; expected one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : '';
    return new ConfigError(`host '${host}': ${name} '${String(vars[name])}' is not valid: ${e.message}${allowed}`, posOf(name));
  });
}
