// include_vars: variables from a YAML file (or a directory of them) on the
// controller, for the rest of the run on this host. The engine sets them as
// set_fact sets its facts.

import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { loadYamlFile } from '../src/config/yaml-source.js';
import { hasTemplate } from '../src/template/render.js';

interface IncludeVarsParams {
  file?: string;
  free_form?: string;
  dir?: string;
  name?: string;
  files_matching?: string;
  ignore_files?: string[];
  extensions: string[];
  depth: number;
}

/** Relative names are looked up in the role's or playbook's vars/ and then next to it, as Ansible does. */
function findFile(baseDir: string, name: string): string {
  const tried = path.isAbsolute(name) ? [name] : [path.join(baseDir, 'vars', name), path.join(baseDir, name)];
  const hit = tried.find((f) => existsSync(f));
  if (!hit) throw new TaskFailedError(`include_vars: file not found: ${name} (looked in ${tried.join(', ')})`);
  return hit;
}

function readVars(file: string): Record<string, unknown> {
  const v = loadYamlFile(file, 'vars file').value;
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new TaskFailedError(`include_vars: ${file} must be a mapping of names to values`);
  return v as Record<string, unknown>;
}

function dirFiles(dir: string, p: IncludeVarsParams, depth: number): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const f = path.join(dir, name);
    if (statSync(f).isDirectory()) {
      if (p.depth === 0 || depth < p.depth) out.push(...dirFiles(f, p, depth + 1));
      continue;
    }
    if (!p.extensions.some((e) => name.endsWith(`.${e}`) || (e === '' && !name.includes('.')))) continue;
    if (p.files_matching && !new RegExp(p.files_matching).test(name)) continue;
    if ((p.ignore_files ?? []).some((g) => new RegExp('^' + g.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$').test(name))) continue;
    out.push(f);
  }
  return out;
}

/** Names an include_vars task may define: the keys of its file, or of every vars file it could name (for the static variable check). */
function includedVarNames(params: Record<string, unknown>, where: { baseDir: string; looped: boolean }): string[] {
  const p = params as { file?: unknown; free_form?: unknown; name?: unknown; dir?: unknown };
  if (typeof p.name === 'string') return [p.name];
  const file = p.file ?? p.free_form;
  const keysOf = (f: string) => {
    try {
      const v = loadYamlFile(f, 'vars file').value;
      return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
    } catch { return []; }
  };
  if (typeof file === 'string' && !hasTemplate(file) && !where.looped) {
    return [path.resolve(where.baseDir, 'vars', file), path.resolve(where.baseDir, file)].filter((f) => existsSync(f)).flatMap(keysOf);
  }
  // Templated, looped (with_first_found) or a whole directory: any vars file it could load.
  const dirs = [path.join(where.baseDir, 'vars'), where.baseDir, ...(typeof p.dir === 'string' && !hasTemplate(p.dir) ? [path.resolve(where.baseDir, p.dir), path.resolve(where.baseDir, 'vars', p.dir)] : [])];
  return dirs.filter((d) => existsSync(d)).flatMap((d) => readdirSync(d).filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => path.join(d, f))).flatMap(keysOf);
}

export const includeVarsModule: ModuleDefinition<IncludeVarsParams> = {
  name: 'include_vars',
  searchDir: 'vars',
  setsVariables: 'included',
  variableNames: includedVarNames,
  description: 'Loads variables from a YAML file (file, looked up in vars/ of the role or playbook, then next to it) or from every YAML file of a directory (dir), for this host for the rest of the run; name puts them under one variable. Changes nothing on the host.',
  controllerOnly: true,
  freeForm: 'free_form',
  schema: {
    properties: {
      file: { type: 'string', description: 'The vars file.' },
      free_form: { type: 'string', description: 'The vars file (free-form `include_vars: file.yml`).' },
      dir: { type: 'string', description: 'A directory whose YAML files are all loaded, in name order.' },
      name: { type: 'string', description: 'Put the loaded variables under this one name.' },
      files_matching: { type: 'string', description: 'dir: only files whose name matches this regular expression.' },
      ignore_files: { type: 'array', items: { type: 'string' }, description: 'dir: file names (globs) to skip.' },
      extensions: { type: 'array', items: { type: 'string' }, default: ['yml', 'yaml', 'json'], description: 'dir: file extensions to load.' },
      depth: { type: 'integer', minimum: 0, default: 0, description: 'dir: how deep to descend (0: all the way).' },
    },
  },
  async plan(p, ctx) {
    const file = p.file ?? p.free_form;
    if ((file === undefined) === (p.dir === undefined)) throw new TaskFailedError('include_vars needs exactly one of file (or a free-form name) and dir');
    let vars: Record<string, unknown> = {};
    const files: string[] = [];
    if (file !== undefined) {
      const f = findFile(ctx.baseDir, file);
      files.push(f);
      vars = readVars(f);
    } else {
      const dir = path.isAbsolute(p.dir!) ? p.dir! : [path.join(ctx.baseDir, 'vars', p.dir!), path.join(ctx.baseDir, p.dir!)].find((d) => existsSync(d));
      if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) throw new TaskFailedError(`include_vars: directory not found: ${p.dir}`);
      for (const f of dirFiles(dir, p, 1)) {
        files.push(f);
        vars = { ...vars, ...readVars(f) };
      }
    }
    return { changes: [], result: { ansible_facts: p.name ? { [p.name]: vars } : vars, ansible_included_var_files: files } };
  },
  async apply() {
    return {};
  },
};
