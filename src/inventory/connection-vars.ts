// The connection variables converge understands, checked for type before any
// host is contacted (a port that is not a number is an error, not a hang).

import { ConfigError, type SourcePos } from '../config/errors.js';
import { validatorFor } from '../config/schema/validators.js';
import { CONNECTION_VARS_SCHEMA } from './connection-vars-schema.js';
import { unboxFloats } from '../template/py-values.js';

export function validateConnectionVars(host: string, vars: Record<string, unknown>, posOf: (variable: string) => SourcePos | undefined): ConfigError[] {
  const validate = validatorFor('connection_vars', CONNECTION_VARS_SCHEMA);
  const copy = unboxFloats({ ...vars }) as Record<string, unknown>;
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
