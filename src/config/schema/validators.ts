// Validators for converge's own schemas: precompiled at build time when the
// schema is unchanged (src/config/schema/precompile.ts), compiled on first
// use otherwise. ajv is only loaded in the second case: startup time matters.

import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import { MODULE_AJV_OPTIONS } from './ajv-options.js';
import { schemaFingerprint } from './fingerprint.js';
import * as generated from './generated-validators.js';

type Precompiled = Record<string, ValidateFunction | undefined> & { fingerprints?: Record<string, string> };
const precompiled = generated as unknown as Precompiled;

let runtimeAjv: Ajv | undefined;

/** Export names must be identifiers and not reserved words (`package`). */
export function exportName(name: string): string {
  return `v_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export function loadAjvClass(): typeof import('ajv').Ajv {
  return (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv;
}

/** The validator for `schema`, registered under `name` by the build step. */
const cache = new Map<string, ValidateFunction>();

export function validatorFor(name: string, schema: Record<string, unknown>): ValidateFunction {
  const key = exportName(name);
  const print = schemaFingerprint(schema);
  const hit = cache.get(key + print);
  if (hit) return hit;
  const pre = precompiled[key];
  let v: ValidateFunction;
  if (pre && precompiled.fingerprints?.[key] === print) v = pre;
  else v = (runtimeAjv ??= new (loadAjvClass())({ ...MODULE_AJV_OPTIONS })).compile(schema);
  cache.set(key + print, v);
  return v;
}
