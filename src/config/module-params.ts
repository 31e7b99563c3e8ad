// Validates a task's module parameters against the module's JSON Schema with
// ajv. Types are coerced the way Ansible does ("80" -> 80, yes -> true), but a
// list where a scalar is expected, or an unknown key, is an error.

import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ModuleDefinition } from '../engine/module.js';
import { didYouMean } from './did-you-mean.js';
import { moduleSchema } from './schema/ajv-options.js';
import { validatorFor } from './schema/validators.js';
import { coerceParams } from './ansible-coercion.js';
import { PyFloat } from '../template/py-values.js';

function copyKeepingFloats(v: unknown): unknown {
  if (v instanceof PyFloat) return v;
  if (Array.isArray(v)) return v.map(copyKeepingFloats);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copyKeepingFloats(x);
    return out;
  }
  return v;
}

const compiled = new WeakMap<ModuleDefinition, ValidateFunction>();

function moduleValidator(def: ModuleDefinition): ValidateFunction {
  let v = compiled.get(def);
  if (!v) {
    v = validatorFor(`module_${def.name}`, moduleSchema(def.schema));
    compiled.set(def, v);
  }
  return v;
}

export interface ParamProblem {
  /** Path of the offending value inside the parameters. */
  path: string[];
  /** True when the problem is the key itself (unknown key). */
  atKey: boolean;
  message: string;
}

export class ModuleParamsError extends Error {
  constructor(public readonly module: string, public readonly problems: ParamProblem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'ModuleParamsError';
  }
}

function propsAt(schema: Record<string, unknown>, path: string[]): string[] {
  let s: Record<string, unknown> | undefined = schema;
  for (const p of path) {
    const props = s?.properties as Record<string, Record<string, unknown>> | undefined;
    s = props?.[p] ?? (s?.items as Record<string, unknown> | undefined);
  }
  return Object.keys((s?.properties as object) ?? {});
}

export function describeAjvError(e: ErrorObject, schema: Record<string, unknown>, what: string): ParamProblem {
  const path = e.instancePath.split('/').slice(1).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = path.length ? `'${path.join('.')}'` : what;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = propsAt(schema, path);
      return { path: [...path, key], atKey: true, message: `unknown parameter '${key}' for ${what}${didYouMean(key, known)}; expected one of: ${known.join(', ')}` };
    }
    case 'required':
      return { path, atKey: false, message: `${where} is missing required parameter '${(e.params as { missingProperty: string }).missingProperty}'` };
    case 'type':
      return { path, atKey: false, message: `${where} must be ${(e.params as { type: string | string[] }).type.toString().replace(/,/g, ' or ')}` };
    case 'enum':
      return { path, atKey: false, message: `${where} must be one of: ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}` };
    case 'not': {
      const req = ((e.schema as { required?: string[] })?.required) ?? [];
      if (req.length > 1) return { path, atKey: false, message: `${req.map((r) => `'${r}'`).join(' and ')} cannot be used together in ${what}; give only one` };
      return { path, atKey: false, message: `${where} ${e.message ?? 'is invalid'}` };
    }
    case 'pattern':
      if ((e.params as { pattern: string }).pattern === '%s') return { path, atKey: false, message: `${where} must contain %s where the file to check goes (e.g. \`dhcpd -t -cf %s\`)` };
      return { path, atKey: false, message: `${where} must match ${(e.params as { pattern: string }).pattern}${e.parentSchema?.description ? ` (${String(e.parentSchema.description).split('.')[0]})` : ''}` };
    default:
      return { path, atKey: false, message: `${where} ${e.message ?? 'is invalid'}` };
  }
}

/** Picks the most useful errors: anyOf/oneOf noise is dropped when a specific one exists. */
export function usefulErrors(errors: ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => !['anyOf', 'oneOf', 'if', 'not'].includes(e.keyword));
  const list = specific.length ? specific : errors;
  const seen = new Set<string>();
  return list.filter((e) => {
    const k = e.instancePath + e.keyword;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Returns the parameters with defaults applied and types coerced; throws ModuleParamsError. */
export function validateModuleParams<P = Record<string, unknown>>(def: ModuleDefinition, params: Record<string, unknown>): P {
  const v = moduleValidator(def);
  // Float boxes (4.0) become numbers where a parameter is a number, their Python text where it is
  // a string (ansible-coercion.ts); a parameter of any type (copy's content) keeps the float.
  const copy = copyKeepingFloats(coerceParams(params, def.schema)) as Record<string, unknown>;
  if (!v(copy)) {
    throw new ModuleParamsError(def.name, usefulErrors(v.errors ?? []).map((e) => describeAjvError(e, def.schema, `module '${def.name}'`)));
  }
  return copy as P;
}
