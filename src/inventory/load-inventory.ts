// Reads Ansible inventories: YAML or INI files, a directory of them, or a
// comma-separated host list (`-i host1,host2,`), plus group_vars/ and
// host_vars/ next to the inventory and next to the playbook.

import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ConfigErrors, type SourcePos } from '../config/errors.js';
import { loadYamlFile, readTextFile, type YamlPath, type YamlSource } from '../config/yaml-source.js';
import { didYouMean } from '../config/did-you-mean.js';
import { expandHostRange, Inventory } from './inventory.js';
import { parseIniInventory } from './ini.js';
import { validateConnectionVars } from './connection-vars.js';

const GROUP_KEYS = ['hosts', 'children', 'vars'];

function loadYamlInventory(inv: Inventory, src: YamlSource): void {
  const root = src.value;
  if (root === null || root === undefined) return;
  if (typeof root !== 'object' || Array.isArray(root)) throw src.error('an inventory must be a mapping of group names (usually `all:`)', []);
  const errors: ConfigError[] = [];
  const group = (name: string, body: unknown, p: YamlPath) => {
    const g = inv.group(name, src.posOf(p, true));
    if (body === null || body === undefined) return;
    if (typeof body !== 'object' || Array.isArray(body)) {
      errors.push(src.error(`group '${name}' must be a mapping with hosts, children or vars`, p));
      return;
    }
    for (const [k, v] of Object.entries(body)) {
      if (!GROUP_KEYS.includes(k)) {
        errors.push(src.error(`unknown key '${k}' in group '${name}'${didYouMean(k, GROUP_KEYS)}; expected hosts, children or vars`, [...p, k], true));
        continue;
      }
      if (v === null || v === undefined) continue;
      if (typeof v !== 'object' || Array.isArray(v)) {
        errors.push(src.error(`'${k}' of group '${name}' must be a mapping${Array.isArray(v) ? ' (found a list; write `name:` entries)' : ''}`, [...p, k]));
        continue;
      }
      if (k === 'vars') {
        Object.assign(g.vars, v);
        for (const vk of Object.keys(v)) inv.noteVarPos('group', name, vk, src.posOf([...p, k, vk]));
      }
      if (k === 'hosts') {
        for (const [h, hv] of Object.entries(v as Record<string, unknown>)) {
          if (hv !== null && hv !== undefined && (typeof hv !== 'object' || Array.isArray(hv))) {
            errors.push(src.error(`host '${h}' must be followed by a mapping of its variables`, [...p, k, h]));
            continue;
          }
          let names: string[];
          try { names = expandHostRange(h); } catch (e) {
            errors.push(src.error((e as Error).message, [...p, k, h], true));
            continue;
          }
          for (const name2 of names) {
            inv.addHost(name2, name, (hv ?? {}) as Record<string, unknown>, src.posOf([...p, k, h], true));
            for (const vk of Object.keys(hv ?? {})) inv.noteVarPos('host', name2, vk, src.posOf([...p, k, h, vk]));
          }
        }
      }
      if (k === 'children') {
        for (const [c, cb] of Object.entries(v as Record<string, unknown>)) {
          g.children.add(c);
          g.childPos.set(c, src.posOf([...p, k, c], true));
          group(c, cb, [...p, k, c]);
        }
      }
    }
  };
  for (const [name, body] of Object.entries(root)) group(name, body, [name]);
  if (errors.length) throw new ConfigErrors(errors);
}

function looksLikeYaml(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() && !l.trim().startsWith('#')) ?? '';
  return !first.trim().startsWith('[') && (/^[\w.-]+:\s*$/.test(first.trim()) || first.trim() === '---');
}

function loadInventoryFile(inv: Inventory, file: string): void {
  const text = readTextFile(file, 'inventory');
  inv.files.push(file);
  if (/\.(ya?ml|json)$/.test(file) || looksLikeYaml(text)) loadYamlInventory(inv, loadYamlFile(file, 'inventory'));
  else parseIniInventory(inv, file, text);
}

function varsFromPath(p: string, what: string, note: (variable: string, pos: SourcePos) => void): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const st = statSync(p);
  const files = st.isDirectory() ? readdirSync(p).sort().map((f) => path.join(p, f)).filter((f) => /\.(ya?ml|json)$/.test(f) || !path.extname(f)) : [p];
  for (const f of files) {
    if (statSync(f).isDirectory()) continue;
    const src = loadYamlFile(f, what);
    if (src.value === null || src.value === undefined) continue;
    if (typeof src.value !== 'object' || Array.isArray(src.value)) throw src.error(`${what} must be a mapping of names to values`, []);
    Object.assign(out, src.value);
    for (const k of Object.keys(src.value)) note(k, src.posOf([k]));
  }
  return out;
}

function loadVarDirs(inv: Inventory, dir: string): void {
  for (const kind of ['group_vars', 'host_vars'] as const) {
    const base = path.join(dir, kind);
    if (!existsSync(base) || !statSync(base).isDirectory()) continue;
    for (const entry of readdirSync(base).sort()) {
      const name = entry.replace(/\.(ya?ml|json)$/, '');
      const scope = kind === 'group_vars' ? 'group' : 'host';
      const vars = varsFromPath(path.join(base, entry), `${kind} for '${name}'`, (v, pos) => inv.noteVarPos(scope, name, v, pos));
      inv.files.push(path.join(base, entry));
      if (kind === 'group_vars') Object.assign(inv.group(name).vars, vars);
      else if (inv.hosts.has(name)) Object.assign(inv.hosts.get(name)!.vars, vars);
    }
  }
}

/**
 * `source` is a file, a directory, a comma list, or undefined: then
 * `./inventory` if it exists, else an implicit localhost.
 */
export function loadInventory(source: string | undefined, playbookDir?: string): Inventory {
  const inv = new Inventory();
  let dirs: string[] = [];
  if (source === undefined && existsSync('inventory')) source = 'inventory';
  if (source === undefined) {
    inv.addHost('localhost', undefined, { ansible_connection: 'local' });
  } else if (!existsSync(source) && source.includes(',')) {
    for (const h of source.split(',').map((s) => s.trim()).filter(Boolean)) inv.addHost(h, undefined, {});
  } else if (!existsSync(source)) {
    throw new ConfigError('inventory not found (expected a file, a directory, or a comma-separated host list ending with a comma)', { file: source });
  } else if (statSync(source).isDirectory()) {
    const files = readdirSync(source).sort().map((f) => path.join(source!, f))
      .filter((f) => statSync(f).isFile() && !/\.(md|txt|orig|bak|retry)$|~$/.test(f) && !path.basename(f).startsWith('.'));
    for (const f of files) loadInventoryFile(inv, f);
    dirs = [source];
  } else {
    loadInventoryFile(inv, source);
    dirs = [path.dirname(source)];
  }
  inv.finish();
  if (playbookDir && !dirs.some((d) => path.resolve(d) === path.resolve(playbookDir))) dirs.push(playbookDir);
  for (const d of dirs) loadVarDirs(inv, d);
  // localhost is implicit in Ansible: reachable without being listed.
  if (!inv.hosts.has('localhost')) inv.implicitLocalhost = true;
  const problems = [...inv.hosts.keys()].flatMap((h) => validateConnectionVars(h, inv.varsOf(h), (v) => inv.varPos(h, v)));
  if (problems.length) throw new ConfigErrors(problems);
  return inv;
}

declare module './inventory.js' {
  interface Inventory {
    /** Set when `localhost` is not listed: a play for `localhost` still gets it. */
    implicitLocalhost?: boolean;
  }
}
