// Roles as Ansible finds and reads them: roles/NAME next to the playbook (or
// the including file), ANSIBLE_ROLES_PATH, the playbook's own directory, or a
// path; defaults/, vars/, tasks/, handlers/, meta/main.yml dependencies;
// files/ and templates/ looked up in the role.

import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors.js';
import { loadYamlFile, type YamlPath, type YamlSource } from './yaml-source.js';
import type { RoleInfo, Step, Task } from './playbook-model.js';
import type { Inherited } from './inherited.js';
import { ROLE_ENTRY_KEYS } from './keywords.js';
import { didYouMean } from './did-you-mean.js';

export interface RoleOptions {
  tasksFrom?: string;
  varsFrom?: string;
  defaultsFrom?: string;
  handlersFrom?: string;
  /** Role parameters (the other keys of a `roles:` entry, or its vars:). */
  params: Record<string, unknown>;
  /** roles: and dependencies run a role once per play unless allow_duplicates. */
  dedupe: boolean;
  /** include_role without `public: yes`: its defaults and vars stay inside the role, as in Ansible. */
  private?: boolean;
}

/** What a role loader uses of the task loader that owns it (load-tasks.ts, which imports this file). */
export interface OwningTaskLoader {
  readonly playbookDir: string;
  errors: ConfigError[];
  files: string[];
  roleHandlers: Task[];
  fail(src: YamlSource, message: string, p: YamlPath, atKey?: boolean): void;
  inherit(src: YamlSource, t: Record<string, unknown>, p: YamlPath, inh: Inherited): Inherited;
  taskFile(src: YamlSource, p: YamlPath, file: string, what: string, inh: Inherited, stack: string[], handler: boolean): Step[];
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export class RoleLoader {
  /** Roles of the current play, with their parameters: for de-duplication. */
  seen = new Set<string>();
  /** Defaults and vars of every role of the current play, in load order. */
  playDefaults: Record<string, unknown> = {};
  playVars: Record<string, unknown> = {};
  private handlerFiles = new Set<string>();

  constructor(private readonly loader: OwningTaskLoader) {}

  startPlay(): void {
    this.seen = new Set();
    this.playDefaults = {};
    this.playVars = {};
    this.handlerFiles = new Set();
  }

  searchPath(fromFile: string): string[] {
    const env = (process.env.ANSIBLE_ROLES_PATH ?? '').split(':').filter(Boolean);
    const here = path.dirname(fromFile);
    // A role including another finds it next to itself (roles/a/tasks/main.yml -> roles/b).
    const roleParent = /\/tasks$|\/meta$/.test(here) ? [path.dirname(path.dirname(here))] : [];
    return [...new Set([path.join(this.loader.playbookDir, 'roles'), ...roleParent, path.join(here, 'roles'), ...env,
      this.loader.playbookDir, '/etc/ansible/roles'])];
  }

  find(name: string, fromFile: string): { dir?: string; tried: string[] } {
    if (name.includes('/')) {
      const dir = path.resolve(this.loader.playbookDir, name);
      return { dir: isDir(dir) ? dir : undefined, tried: [dir] };
    }
    const tried = this.searchPath(fromFile).map((d) => path.join(d, name));
    return { dir: tried.find(isDir), tried };
  }

  /** A YAML mapping file of the role (defaults/main.yml ...), or {} when the role has none. */
  private varsFile(src: YamlSource, p: YamlPath, dir: string, sub: string, base = 'main', required = false): Record<string, unknown> {
    const file = ['', '.yml', '.yaml'].map((e) => path.join(dir, sub, base + e)).find((f) => existsSync(f) && statSync(f).isFile());
    if (!file) {
      if (required) this.loader.fail(src, `role ${path.basename(dir)}: ${sub}/${base}.yml not found`, p);
      return {};
    }
    try {
      const v = loadYamlFile(file, `role ${sub} file`);
      this.loader.files.push(file);
      if (v.value === null) return {};
      if (typeof v.value !== 'object' || Array.isArray(v.value)) {
        this.loader.errors.push(v.error(`a role ${sub} file must be a mapping of names to values`, []));
        return {};
      }
      return v.value as Record<string, unknown>;
    } catch (e) {
      if (e instanceof ConfigError) { this.loader.errors.push(e); return {}; }
      throw e;
    }
  }

  /** The steps of role `name` (its dependencies first); its handlers go to the play. */
  role(src: YamlSource, p: YamlPath, name: string, o: RoleOptions, inh: Inherited, stack: string[]): Step[] {
    const found = this.find(name, src.file);
    if (!found.dir) {
      this.loader.fail(src, `role '${name}' not found (looked in ${found.tried.join(', ')})`, p);
      return [];
    }
    const dir = found.dir;
    if (stack.includes(`role:${dir}`)) {
      this.loader.fail(src, `role dependency loop: ${name} depends on itself`, p);
      return [];
    }
    const metaFile = ['main.yml', 'main.yaml', 'main'].map((f) => path.join(dir, 'meta', f)).find(existsSync);
    let meta: Record<string, unknown> = {};
    let metaSrc: YamlSource | undefined;
    if (metaFile) {
      try {
        metaSrc = loadYamlFile(metaFile, 'role meta file');
        this.loader.files.push(metaFile);
        meta = (metaSrc.value && typeof metaSrc.value === 'object' ? metaSrc.value : {}) as Record<string, unknown>;
      } catch (e) {
        if (e instanceof ConfigError) this.loader.errors.push(e);
        else throw e;
      }
    }
    const key = `${dir}\0${JSON.stringify(o.params)}\0${o.tasksFrom ?? ''}`;
    if (o.dedupe && this.seen.has(key) && meta.allow_duplicates !== true) return [];
    this.seen.add(key);

    const info: RoleInfo = {
      name: path.basename(dir), dir,
      defaults: this.varsFile(src, p, dir, 'defaults', o.defaultsFrom ?? 'main', !!o.defaultsFrom),
      vars: this.varsFile(src, p, dir, 'vars', o.varsFrom ?? 'main', !!o.varsFrom),
    };
    if (!o.private) {
      this.playDefaults = { ...this.playDefaults, ...info.defaults };
      this.playVars = { ...this.playVars, ...info.vars };
    }
    const child: Inherited = { ...inh, vars: { ...inh.vars, ...o.params }, role: info, baseDir: dir };
    const inner = [...stack, `role:${dir}`];

    const steps: Step[] = [];
    const deps = meta.dependencies;
    if (deps !== undefined && deps !== null) {
      if (!Array.isArray(deps)) this.loader.fail(metaSrc!, 'dependencies must be a list of roles', ['dependencies']);
      else deps.forEach((d, i) => steps.push(...this.entry(metaSrc!, d, ['dependencies', i], { ...inh, role: undefined }, inner)));
    }
    const tasksFile = ['.yml', '.yaml', ''].map((e) => path.join(dir, 'tasks', (o.tasksFrom ?? 'main') + e)).find((f) => existsSync(f) && statSync(f).isFile());
    if (tasksFile) steps.push(...this.loader.taskFile(src, p, tasksFile, `role ${name}`, child, inner, false));
    else if (o.tasksFrom) this.loader.fail(src, `role ${name}: tasks/${o.tasksFrom}.yml not found`, p);
    const handlersFile = ['.yml', '.yaml', ''].map((e) => path.join(dir, 'handlers', (o.handlersFrom ?? 'main') + e)).find((f) => existsSync(f) && statSync(f).isFile());
    // A role's handlers join the play once, however often the role is loaded (as in Ansible).
    if (handlersFile && !this.handlerFiles.has(handlersFile)) {
      this.handlerFiles.add(handlersFile);
      const hs = this.loader.taskFile(src, p, handlersFile, `role ${name} handlers`, { ...child, when: [], tags: [] }, inner, true);
      this.loader.roleHandlers.push(...(hs as Task[]));
    }
    return steps;
  }

  /** One entry of `roles:` or of a role's dependencies: a name or a mapping. */
  entry(src: YamlSource, raw: unknown, p: YamlPath, inh: Inherited, stack: string[]): Step[] {
    if (typeof raw === 'string') return this.role(src, p, raw, { params: {}, dedupe: true }, inh, stack);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      this.loader.fail(src, 'a role entry is a role name or a mapping with `role:`', p);
      return [];
    }
    const r = raw as Record<string, unknown>;
    const name = r.role ?? r.name;
    if (typeof name !== 'string' || !name) {
      this.loader.fail(src, 'a role entry needs `role: NAME`', p);
      return [];
    }
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      if (ROLE_ENTRY_KEYS.includes(k)) continue;
      if (/^(tasks_from|vars_from|defaults_from|handlers_from|public|allow_duplicates|delegate_facts|become_flags)$/.test(k)) {
        this.loader.fail(src, `'${k}' is not supported in a roles: entry; use import_role`, [...p, k], true);
        continue;
      }
      if (['loop', 'register', 'notify'].includes(k) || k.startsWith('with_')) {
        this.loader.fail(src, `'${k}' is not allowed on a role${didYouMean(k, ROLE_ENTRY_KEYS)}`, [...p, k], true);
        continue;
      }
      params[k] = v; // an old-style role parameter: `- { role: x, port: 80 }`
    }
    const child = this.loader.inherit(src, r, p, inh);
    const { vars, ...rest } = child;
    return this.role(src, p, name, { params: { ...params, ...vars }, dedupe: true }, { ...rest, vars: inh.vars }, stack);
  }
}
