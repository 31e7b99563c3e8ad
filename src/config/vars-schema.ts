// A playbook may ship a schema for the inventory variables it relies on:
// `PLAYBOOK.schema.yaml` next to the playbook. Every host is checked against
// the schemas of its groups before any host is contacted, so a mistyped MAC
// or address stops the run with the inventory file and line that set it.
//
//   groups:
//     compute:
//       schema: { type: object, required: [mac, ip], properties: { mac: {...} } }
//       unique: [mac, ip]        # no two hosts of the group share a value

import { unboxFloats } from '../template/py-values.js';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import { ConfigError, ConfigErrors } from './errors.js';
import { loadYamlFile } from './yaml-source.js';
import type { Inventory } from '../inventory/inventory.js';
import { schemaFingerprint } from './schema/fingerprint.js';
import * as generated from './schema/generated-vars-validators.js';

/** The options of every vars schema's validator, at run time and in the build's precompile step alike. */
export const VARS_AJV_OPTIONS = { allErrors: true, verbose: true, strict: false, allowUnionTypes: true } as const;

/** ajv with the formats vars schemas may use. */
export function newVarsAjv(extra: Record<string, unknown> = {}): Ajv {
  const require = createRequire(import.meta.url);
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  const addFormats = require('ajv-formats') as { default: (a: Ajv) => Ajv };
  const ajv = new AjvClass({ ...VARS_AJV_OPTIONS, ...extra });
  addFormats.default(ajv);
  return ajv;
}

/** The name under which the build precompiles a vars schema (by content: a changed schema is compiled at run time). */
export function varsValidatorName(schema: unknown): string {
  return `v_vars_${schemaFingerprint(schema)}`;
}

const precompiled = generated as unknown as Record<string, ValidateFunction | undefined>;

// Compiling a schema (loading ajv and its formats, compiling the draft-07 meta-schema, then the
// schema) was a sixth of a head node run's CPU: the repository's own schemas are compiled at build
// time and found here by content; any other schema is compiled now (one ajv per check, as a schema's
// $id may only be added once to an ajv).
function varsValidator(schema: Record<string, unknown>, ajv: () => Ajv): ValidateFunction {
  return precompiled[varsValidatorName(schema)] ?? ajv().compile(schema);
}

export interface GroupRule { schema?: Record<string, unknown> | string; unique?: string[] }

/** A group's schema as validated: a string names a JSON or YAML schema file, relative to the schema file. */
export function groupSchema(schemaFile: string, rule: GroupRule): Record<string, unknown> {
  const schema = typeof rule.schema === 'string'
    ? loadYamlFile(path.resolve(path.dirname(schemaFile), rule.schema), 'schema file').value as Record<string, unknown>
    : rule.schema;
  return unboxFloats(schema) as Record<string, unknown>;
}

export function schemaFileFor(playbookFile: string): string | undefined {
  const base = playbookFile.replace(/\.ya?ml$/, '');
  return ['.schema.yaml', '.schema.yml', '.schema.json'].map((e) => base + e).find((f) => existsSync(f));
}

export function checkVarsSchema(playbookFile: string, inv: Inventory, extraVars: Record<string, unknown>): void {
  const file = schemaFileFor(playbookFile);
  if (!file) return;
  const src = loadYamlFile(file, 'vars schema');
  const doc = src.value as { groups?: Record<string, GroupRule> } | null;
  if (!doc || typeof doc !== 'object' || !doc.groups || typeof doc.groups !== 'object') {
    throw src.error('a vars schema needs `groups:` mapping group names to {schema, unique}', []);
  }
  let ajv: Ajv | undefined;
  const errors: ConfigError[] = [];
  const groupMap = inv.groupMap();
  for (const [group, rule] of Object.entries(doc.groups)) {
    let validate: ValidateFunction | undefined;
    if (rule.schema) {
      try {
        validate = varsValidator(groupSchema(file, rule), () => (ajv ??= newVarsAjv()));
      } catch (e) {
        if (e instanceof ConfigError) { errors.push(e); continue; }
        errors.push(src.error(`invalid schema for group '${group}': ${(e as Error).message}`, ['groups', group, 'schema']));
        continue;
      }
    }
    const hosts = groupMap[group] ?? [];
    const seen = new Map<string, Map<string, string>>();
    for (const h of hosts) {
      const vars = unboxFloats({ ...inv.varsOf(h), ...extraVars }) as Record<string, unknown>;
      if (validate && !validate(vars)) {
        for (const e of validate.errors ?? []) {
          const variable = e.instancePath.split('/')[1] ?? (e.params as { missingProperty?: string }).missingProperty ?? '';
          // A nested requirement names where it is missing (compute_image_repos.0 is missing 'url').
          const where = e.instancePath ? `${e.instancePath.slice(1).replace(/\//g, '.')} ` : '';
          const what = e.keyword === 'required'
            ? `${where}is missing '${(e.params as { missingProperty: string }).missingProperty}'`
            : `${e.instancePath.slice(1).replace(/\//g, '.')} ${e.message}${describeHint(e.parentSchema)}`;
          errors.push(new ConfigError(`host '${h}' (group '${group}'): ${what}`, inv.varPos(h, variable) ?? { file: inv.files[0] ?? file }));
        }
      }
      for (const key of rule.unique ?? []) {
        const v = vars[key];
        if (v === undefined) continue;
        const norm = String(v).toLowerCase();
        const m = seen.get(key) ?? new Map<string, string>();
        seen.set(key, m);
        const other = m.get(norm);
        if (other) errors.push(new ConfigError(`host '${h}' has the same ${key} (${String(v)}) as host '${other}'; each host needs its own`, inv.varPos(h, key)));
        else m.set(norm, h);
      }
    }
  }
  if (errors.length) throw new ConfigErrors(errors);
}

function describeHint(parent: unknown): string {
  const d = (parent as { description?: string } | undefined)?.description;
  return d ? ` (${d})` : '';
}
