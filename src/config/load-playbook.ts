// Reads a playbook into plays and tasks, rejecting what converge does not
// support with the file, line and column of the offending key.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ConfigErrors } from './errors.js';
import { loadYamlFile, type YamlPath, type YamlSource } from './yaml-source.js';
import type { Play, Playbook, Task } from './playbook-model.js';
import { findModule, suggestModule } from '../engine/registry.js';
import { didYouMean } from './did-you-mean.js';
import { parseShorthand } from './shorthand.js';

const PLAY_KEYS = ['name', 'hosts', 'vars', 'vars_files', 'become', 'become_user', 'become_method', 'gather_facts',
  'tasks', 'pre_tasks', 'post_tasks', 'handlers', 'tags', 'check_mode', 'remote_user', 'connection'];
const TASK_KEYS = ['name', 'when', 'loop', 'with_items', 'with_list', 'loop_control', 'notify', 'listen', 'register',
  'tags', 'ignore_errors', 'no_log', 'check_mode', 'diff', 'become', 'become_user', 'changed_when', 'failed_when',
  'vars', 'args', 'block', 'rescue', 'always', 'import_tasks', 'include_tasks'];
const UNSUPPORTED: Record<string, string> = {
  roles: 'roles are not supported yet; use import_tasks with a task file',
  import_playbook: 'import_playbook is not supported yet; run the playbooks one after the other',
  delegate_to: 'delegate_to is not supported; write a play for the target host',
  run_once: 'run_once is not supported',
  until: 'until/retries are not supported yet',
  retries: 'until/retries are not supported yet',
  async: 'async is not supported',
  environment: 'environment is not supported yet; use env on the command',
  rescue: 'block rescue is not supported yet',
  always: 'block always is not supported yet',
  serial: 'serial is not supported; converge runs all hosts in parallel (--forks)',
  strategy: 'strategy is not supported; converge runs each host through its tasks independently',
  local_action: 'local_action is not supported',
  with_dict: "with_dict is not supported; use loop: \"{{ d | dict2items }}\"",
};

interface Inherited {
  when: string[];
  tags: string[];
  vars: Record<string, unknown>;
  become?: boolean;
  becomeUser?: string;
}

class Loader {
  constructor(readonly playbookDir: string) {}
  errors: ConfigError[] = [];
  files: string[] = [];
  counter = 0;

  fail(src: YamlSource, message: string, p: YamlPath, atKey = false): void {
    this.errors.push(src.error(message, p, atKey));
  }

  asList(v: unknown): string[] {
    if (v === undefined || v === null) return [];
    return Array.isArray(v) ? v.map(String) : [String(v)];
  }

  whenList(v: unknown): string[] {
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    return list.map((x) => (typeof x === 'boolean' ? (x ? 'true' : 'false') : String(x)));
  }

  tasks(src: YamlSource, list: unknown, p: YamlPath, inh: Inherited, stack: string[], handler = false): Task[] {
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) {
      this.fail(src, `expected a list of tasks, found ${typeof list}`, p);
      return [];
    }
    const out: Task[] = [];
    list.forEach((raw, i) => out.push(...this.task(src, raw, [...p, i], inh, stack, handler)));
    return out;
  }

  task(src: YamlSource, raw: unknown, p: YamlPath, inh: Inherited, stack: string[], handler: boolean): Task[] {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      this.fail(src, 'expected a task (a mapping with a module key such as `copy:`)', p);
      return [];
    }
    const t = raw as Record<string, unknown>;
    for (const k of Object.keys(t)) {
      if (UNSUPPORTED[k]) this.fail(src, UNSUPPORTED[k], [...p, k], true);
    }
    const when = [...inh.when, ...this.whenList(t.when)];
    const tags = [...inh.tags, ...this.asList(t.tags)];
    const vars = { ...inh.vars, ...(this.mapping(src, t.vars, [...p, 'vars']) ?? {}) };
    const become = t.become === undefined ? inh.become : !!t.become;
    const becomeUser = t.become_user === undefined ? inh.becomeUser : String(t.become_user);
    const child: Inherited = { when, tags, vars, become, becomeUser };

    if ('block' in t) {
      const extra = Object.keys(t).filter((k) => !['block', 'name', 'when', 'tags', 'vars', 'become', 'become_user', 'rescue', 'always', 'ignore_errors'].includes(k));
      for (const k of extra) this.fail(src, `'${k}' is not allowed on a block${didYouMean(k, TASK_KEYS)}`, [...p, k], true);
      return this.tasks(src, t.block, [...p, 'block'], child, stack, handler);
    }
    const inc = 'import_tasks' in t ? 'import_tasks' : 'include_tasks' in t ? 'include_tasks' : undefined;
    if (inc) {
      const rel = String(t[inc]);
      if (rel.includes('{{')) {
        this.fail(src, `${inc} needs a static file name (templated names are not supported)`, [...p, inc]);
        return [];
      }
      const file = path.resolve(path.dirname(src.file), rel);
      if (stack.includes(file)) {
        this.fail(src, `include loop: ${[...stack.slice(stack.indexOf(file)), file].map((f) => path.basename(f)).join(' -> ')}`, [...p, inc]);
        return [];
      }
      let inner: YamlSource;
      try {
        inner = loadYamlFile(file, 'task file');
      } catch (e) {
        if (e instanceof ConfigError) {
          // A missing file is the includer's mistake; a broken file points at itself.
          if (/not found/.test(e.message)) this.fail(src, `${inc}: file not found: ${file}`, [...p, inc]);
          else this.errors.push(e);
          return [];
        }
        throw e;
      }
      this.files.push(file);
      return this.tasks(inner, inner.value, [], child, [...stack, file], handler);
    }

    const candidates = Object.keys(t).filter((k) => !TASK_KEYS.includes(k) && !UNSUPPORTED[k]);
    if (candidates.length === 0) {
      this.fail(src, 'task has no module: expected one module key such as `copy:` or `command:`', p);
      return [];
    }
    const known = candidates.filter((k) => findModule(k));
    const unknown = candidates.filter((k) => !findModule(k));
    if (known.length > 1) {
      this.fail(src, `task has two module keys: '${known[0]}' and '${known[1]}'; expected exactly one per task`, [...p, known[1]], true);
      return [];
    }
    if (unknown.length) {
      for (const k of unknown) {
        if (known.length) this.fail(src, `unknown task keyword '${k}'${didYouMean(k, TASK_KEYS)}`, [...p, k], true);
        else {
          const s = suggestModule(k);
          const kw = didYouMean(k, TASK_KEYS);
          this.fail(src, `unknown module '${k}'${s ? ` (did you mean \`${s}\`?)` : kw}`, [...p, k], true);
        }
      }
      return [];
    }
    const moduleKey = known[0];
    const module = findModule(moduleKey)!;
    const rawParams = t[moduleKey];
    let params: Record<string, unknown> = {};
    let paramPath: (k: string) => YamlPath;
    if (typeof rawParams === 'string' || typeof rawParams === 'number' || typeof rawParams === 'boolean') {
      try {
        params = module.name === 'meta' ? { action: String(rawParams) } : parseShorthand(String(rawParams), module);
      } catch (e) {
        // An unbalanced quote: Ansible stops with a parse error at the task; so does converge.
        this.fail(src, `cannot parse the key=value arguments of '${moduleKey}': ${(e as Error).message} in ${JSON.stringify(String(rawParams))}`, [...p, moduleKey]);
        return [];
      }
      paramPath = () => [...p, moduleKey];
    } else if (rawParams === null || rawParams === undefined) {
      paramPath = () => [...p, moduleKey];
    } else if (typeof rawParams === 'object' && !Array.isArray(rawParams)) {
      params = { ...(rawParams as Record<string, unknown>) };
      paramPath = (k) => (k in (rawParams as object) ? [...p, moduleKey, k] : [...p, 'args', k]);
    } else {
      this.fail(src, `parameters of '${moduleKey}' must be a mapping or key=value text, found a list`, [...p, moduleKey]);
      return [];
    }
    if (t.args !== undefined) {
      const a = this.mapping(src, t.args, [...p, 'args']);
      if (a) params = { ...a, ...params };
    }
    let loop = t.loop ?? t.with_items ?? t.with_list;
    if (t.with_items !== undefined && Array.isArray(loop)) loop = (loop as unknown[]).flat(1);
    const lc = this.mapping(src, t.loop_control, [...p, 'loop_control']) ?? {};
    for (const k of Object.keys(lc)) {
      if (!['loop_var', 'label', 'index_var'].includes(k)) this.fail(src, `unknown loop_control key '${k}'${didYouMean(k, ['loop_var', 'label', 'index_var'])}`, [...p, 'loop_control', k], true);
    }
    const number = ++this.counter;
    const name = t.name !== undefined ? String(t.name) : `${moduleKey}${typeof rawParams === 'string' ? ' ' + rawParams : ''}`;
    if (t.listen !== undefined && !handler) this.fail(src, "'listen' is only allowed on handlers", [...p, 'listen'], true);
    return [{
      number,
      name,
      moduleKey,
      module,
      params,
      paramPath,
      when,
      loop,
      loopControl: { loop_var: String(lc.loop_var ?? 'item'), label: lc.label as string | undefined, index_var: lc.index_var as string | undefined },
      notify: this.asList(t.notify),
      listen: this.asList(t.listen),
      register: t.register !== undefined ? String(t.register) : undefined,
      tags,
      ignoreErrors: !!t.ignore_errors,
      noLog: !!t.no_log,
      checkMode: t.check_mode === undefined ? undefined : !!t.check_mode,
      diff: t.diff === undefined ? undefined : !!t.diff,
      become,
      becomeUser,
      changedWhen: t.changed_when === undefined ? undefined : this.whenList(t.changed_when),
      failedWhen: t.failed_when === undefined ? undefined : this.whenList(t.failed_when),
      vars,
      meta: module.name === 'meta' ? String(params.action ?? params.free_form ?? '') : undefined,
      origin: { source: src, path: p },
      // Like Ansible for a playbook: relative src paths resolve from the playbook's directory,
      // also for tasks pulled in by import_tasks from a subdirectory.
      baseDir: this.playbookDir,
    }];
  }

  mapping(src: YamlSource, v: unknown, p: YamlPath): Record<string, unknown> | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.fail(src, `expected a mapping of names to values, found ${Array.isArray(v) ? 'a list' : typeof v}`, p);
      return undefined;
    }
    return v as Record<string, unknown>;
  }

  play(src: YamlSource, raw: unknown, i: number, playbookDir: string): Play | undefined {
    const p: YamlPath = [i];
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      this.fail(src, 'expected a play (a mapping with `hosts:` and `tasks:`)', p);
      return undefined;
    }
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) {
      if (UNSUPPORTED[k]) this.fail(src, UNSUPPORTED[k], [...p, k], true);
      else if (!PLAY_KEYS.includes(k)) {
        const hint = findModule(k) ? ' (a module at play level: put it under `tasks:`)' : didYouMean(k, PLAY_KEYS);
        this.fail(src, `unknown play keyword '${k}'${hint}`, [...p, k], true);
      }
    }
    if (r.hosts === undefined || r.hosts === null || r.hosts === '') {
      this.fail(src, 'play has no `hosts:`; expected a host pattern such as `hosts: headnode`', p);
    }
    if (r.become_method !== undefined && r.become_method !== 'sudo') this.fail(src, 'only become_method: sudo is supported', [...p, 'become_method']);
    const vars = this.mapping(src, r.vars, [...p, 'vars']) ?? {};
    const varsFiles: Play['varsFiles'] = [];
    const entries = r.vars_files === undefined || r.vars_files === null ? [] : Array.isArray(r.vars_files) ? r.vars_files : [r.vars_files];
    for (const [j, entry] of entries.entries()) {
      const options = (Array.isArray(entry) ? entry : [entry]).map(String);
      if (options.some((o) => o.includes('{{'))) {
        varsFiles.push({ file: options[0], vars: {}, candidates: options }); // resolved per host at run time
        continue;
      }
      // A list is Ansible's first-found form: the first file that exists.
      const f = options.find((o) => existsSync(path.resolve(playbookDir, o))) ?? options[0];
      const file = path.resolve(playbookDir, f);
      try {
        const vs = loadYamlFile(file, 'vars file');
        this.files.push(file);
        if (vs.value !== null && (typeof vs.value !== 'object' || Array.isArray(vs.value))) {
          this.errors.push(vs.error('a vars file must be a mapping of names to values', []));
        } else varsFiles.push({ file, vars: (vs.value ?? {}) as Record<string, unknown> });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        if (/not found/.test(e.message)) this.fail(src, `vars file not found: ${file}`, [...p, 'vars_files', j]);
        else this.errors.push(e);
      }
    }
    this.counter = 0;
    const inh: Inherited = { when: [], tags: this.asList(r.tags), vars: {} };
    const tasks = [
      ...this.tasks(src, r.pre_tasks, [...p, 'pre_tasks'], inh, [src.file]),
      ...this.tasks(src, r.tasks, [...p, 'tasks'], inh, [src.file]),
      ...this.tasks(src, r.post_tasks, [...p, 'post_tasks'], inh, [src.file]),
    ];
    const handlers = this.tasks(src, r.handlers, [...p, 'handlers'], inh, [src.file], true);
    return {
      name: r.name !== undefined ? String(r.name) : String(r.hosts ?? ''),
      hosts: Array.isArray(r.hosts) ? r.hosts.join(',') : String(r.hosts ?? ''),
      vars,
      varsFiles,
      become: !!r.become,
      becomeUser: r.become_user !== undefined ? String(r.become_user) : undefined,
      gatherFacts: r.gather_facts === undefined ? true : !!r.gather_facts,
      tasks,
      handlers,
      tags: this.asList(r.tags),
      checkMode: r.check_mode === undefined ? undefined : !!r.check_mode,
      origin: { source: src, path: p },
    };
  }
}

/** Loads and structurally checks a playbook; throws ConfigErrors listing every problem. */
export function loadPlaybook(file: string): Playbook {
  const abs = path.resolve(file);
  const src = loadYamlFile(abs, 'playbook');
  const loader = new Loader(path.dirname(abs));
  loader.files.push(abs);
  if (!Array.isArray(src.value)) {
    throw new ConfigErrors([src.error('a playbook must be a list of plays (each starting with `- hosts:`)', [])]);
  }
  const plays = src.value.map((raw, i) => loader.play(src, raw, i, path.dirname(abs))).filter((p): p is Play => !!p);
  if (loader.errors.length) throw new ConfigErrors(loader.errors);
  return { file: abs, dir: path.dirname(abs), plays, files: loader.files };
}
