// Build step: compiles every module's parameter schema (and converge's own
// schemas) to standalone JavaScript with ajv, so `converge` does not spend
// its startup generating validator code. Run by `npm run build` after tsc.

import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { modules } from '../../../modules/index.js';
import { CONNECTION_VARS_SCHEMA } from '../../inventory/connection-vars-schema.js';
import { MODULE_AJV_OPTIONS, moduleSchema } from './ajv-options.js';
import { schemaFingerprint } from './fingerprint.js';
import { exportName } from './validators.js';
import { groupSchema, newVarsAjv, varsValidatorName, type GroupRule } from '../vars-schema.js';
import { loadYamlFile } from '../yaml-source.js';

type Standalone = (ajv: Ajv, refs: Record<string, string>) => string;
const standalone = ((standaloneCode as unknown as { default?: Standalone }).default ?? standaloneCode) as unknown as Standalone;

const schemas: Array<[string, Record<string, unknown>]> = [
  ...modules.map((m): [string, Record<string, unknown>] => [`module_${m.name}`, moduleSchema(m.schema)]),
  ['connection_vars', CONNECTION_VARS_SCHEMA],
];

const ajv = new Ajv({ ...MODULE_AJV_OPTIONS, code: { source: true, esm: true } });
const refs: Record<string, string> = {};
const fingerprints: Record<string, string> = {};
for (const [name, schema] of schemas) {
  const key = exportName(name);
  ajv.addSchema({ ...schema, $id: key });
  refs[key] = key;
  fingerprints[key] = schemaFingerprint(schema);
}
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generated-validators.js');
// ajv's standalone ESM still require()s its runtime helpers (ucs2length).
const prelude = `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n`;
writeFileSync(out, `${prelude}${standalone(ajv, refs).replace(/^"use strict";/, '')}\nexport const fingerprints = ${JSON.stringify(fingerprints)};\n`);
process.stdout.write(`precompiled ${schemas.length} validators\n`);

// The vars schemas of the repository's playbooks (playbooks/NAME.schema.yaml and the files its groups
// name), with the options and formats a run validates inventories with (vars-schema.ts), under a
// name derived from the schema's content.
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
const playbooks = path.join(repoRoot(), 'playbooks');
const varsAjv = newVarsAjv({ code: { source: true, esm: true } });
const varsRefs: Record<string, string> = {};
for (const f of existsSync(playbooks) ? readdirSync(playbooks).sort() : []) {
  if (!/\.schema\.(ya?ml|json)$/.test(f)) continue;
  const file = path.join(playbooks, f);
  const groups = (loadYamlFile(file, 'vars schema').value as { groups?: Record<string, GroupRule> } | null)?.groups ?? {};
  for (const rule of Object.values(groups)) {
    if (!rule?.schema) continue;
    const schema = groupSchema(file, rule);
    const name = varsValidatorName(schema);
    if (varsRefs[name]) continue;
    // Under a $id of our own: a schema's own $id stays as it is (it is part of the content).
    varsAjv.addSchema(schema, name);
    varsRefs[name] = name;
  }
}
const varsOut = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generated-vars-validators.js');
writeFileSync(varsOut, `${prelude}${standalone(varsAjv, varsRefs).replace(/^"use strict";/, '')}\n`);
process.stdout.write(`precompiled ${Object.keys(varsRefs).length} vars schema validators\n`);
