// Task lists as Ansible reads them: tasks, blocks with rescue/always,
// import_tasks/include_tasks, import_role/include_role, loops and the
// keywords blocks pass down. Anything not supported is refused with the
// file, line and column of the offending key.

import * as path from 'node:path';
import { ConfigError } from './errors.js';
import { otherPlatformModule, otherPlatformOf } from './other-platform.js';
import { loadYamlFile, type YamlPath, type YamlSource } from './yaml-source.js';
import type { BlockStep, IncludeStep, LoopControl, LoopKind, Step, Task } from './playbook-model.js';
import { findModule, suggestModule } from '../engine/registry.js';
import { didYouMean } from './did-you-mean.js';
import { parseShorthand } from './shorthand.js';
import { BLOCK_KEYS, DYNAMIC_INCLUDE_KEYS, DYNAMIC_INCLUDE_REFUSED, INCLUDE_ACTIONS, INCLUDE_KEYS, LOOP_CONTROL_KEYS, LOOP_KEYS, REFUSED, TASK_KEYS } from './keywords.js';
import { hasTemplate } from '../template/render.js';
import { RoleLoader } from './load-roles.js';
import type { Inherited } from './inherited.js';

export { rootInherited, type Inherited } from './inherited.js';

export class TaskLoader {
  errors: ConfigError[] = [];
  /** What is accepted but worth saying (a module of another platform). */
  warnings: ConfigError[] = [];
  files: string[] = [];
  counter = 0;
  /** Handlers roles bring to the play being loaded. */
  roleHandlers: Task[] = [];
  readonly roles: RoleLoader;

  constructor(public playbookDir: string) {
    this.roles = new RoleLoader(this);
  }

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

  bool(src: YamlSource, v: unknown, p: YamlPath): boolean {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(yes|true|on|y|1)$/i.test(v)) return true;
    if (typeof v === 'string' && /^(no|false|off|n|0)$/i.test(v)) return false;
    if (typeof v === 'number') return v !== 0;
    this.fail(src, `expected a boolean (yes/no/true/false), found ${JSON.stringify(v)}${typeof v === 'string' && hasTemplate(v) ? ' (templated values are not supported here)' : ''}`, p);
    return false;
  }

  throttleOf(src: YamlSource, v: unknown, p: YamlPath): number | undefined {
    if (typeof v === 'string' && hasTemplate(v)) {
      this.fail(src, 'a templated throttle is not supported: give a whole number of hosts', p);
      return undefined;
    }
    const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
    this.fail(src, `throttle must be a whole number of hosts (0: no limit), found ${JSON.stringify(v)}`, p);
    return undefined;
  }

  mapping(src: YamlSource, v: unknown, p: YamlPath): Record<string, unknown> | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.fail(src, `expected a mapping of names to values, found ${Array.isArray(v) ? 'a list' : typeof v}`, p);
      return undefined;
    }
    return v as Record<string, unknown>;
  }

  /** The keywords of `t` that pass down, layered over `inh`. */
  inherit(src: YamlSource, t: Record<string, unknown>, p: YamlPath, inh: Inherited): Inherited {
    const b = (k: string, cur: boolean | undefined) => (t[k] === undefined ? cur : this.bool(src, t[k], [...p, k]));
    if (t.become_method !== undefined && t.become_method !== 'sudo') this.fail(src, 'only become_method: sudo is supported', [...p, 'become_method']);
    const env = t.environment;
    if (env !== undefined && env !== null && (typeof env !== 'object' || Array.isArray(env)) && !(typeof env === 'string' && hasTemplate(env))) {
      this.fail(src, 'environment must be a mapping of variable names to values (or a template that gives one)', [...p, 'environment']);
    }
    return {
      when: [...inh.when, ...this.whenList(t.when)],
      tags: [...inh.tags, ...this.asList(t.tags)],
      vars: { ...inh.vars, ...(this.mapping(src, t.vars, [...p, 'vars']) ?? {}) },
      become: b('become', inh.become),
      becomeUser: t.become_user === undefined ? inh.becomeUser : String(t.become_user),
      ...(typeof t.ignore_errors === 'string' && hasTemplate(t.ignore_errors)
        ? { ignoreErrors: false, ignoreErrorsTemplate: t.ignore_errors }
        : { ignoreErrors: b('ignore_errors', inh.ignoreErrors), ignoreErrorsTemplate: t.ignore_errors === undefined ? inh.ignoreErrorsTemplate : undefined }),
      noLog: b('no_log', inh.noLog),
      checkMode: b('check_mode', inh.checkMode),
      diff: b('diff', inh.diff),
      environment: env === undefined || env === null ? inh.environment : [...inh.environment, env as Record<string, unknown> | string],
      delegateTo: t.delegate_to === undefined ? inh.delegateTo : String(t.delegate_to),
      runOnce: b('run_once', inh.runOnce),
      remoteUser: t.remote_user === undefined ? inh.remoteUser : String(t.remote_user),
      notify: inh.notify,
      throttle: t.throttle === undefined ? inh.throttle : this.throttleOf(src, t.throttle, [...p, 'throttle']),
      role: inh.role,
      baseDir: inh.baseDir,
      localNames: inh.localNames,
    };
  }

  tasks(src: YamlSource, list: unknown, p: YamlPath, inh: Inherited, stack: string[], handler = false): Step[] {
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) {
      this.fail(src, `expected a list of tasks, found ${typeof list}`, p);
      return [];
    }
    const out: Step[] = [];
    list.forEach((raw, i) => out.push(...this.task(src, raw, [...p, i], inh, stack, handler)));
    return out;
  }

  refuseKeys(src: YamlSource, t: Record<string, unknown>, p: YamlPath): void {
    for (const k of Object.keys(t)) {
      if (REFUSED[k]) this.fail(src, REFUSED[k], [...p, k], true);
      else if (k.startsWith('with_') && !LOOP_KEYS[k]) this.fail(src, `${k} is not supported (loops: ${Object.keys(LOOP_KEYS).join(', ')})`, [...p, k], true);
    }
  }

  task(src: YamlSource, raw: unknown, p: YamlPath, inh: Inherited, stack: string[], handler: boolean): Step[] {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      this.fail(src, 'expected a task (a mapping with a module key such as `copy:`)', p);
      return [];
    }
    const t = raw as Record<string, unknown>;
    this.refuseKeys(src, t, p);

    if ('block' in t) return this.block(src, t, p, inh, stack, handler);
    const inc = INCLUDE_ACTIONS.find((k) => k in t || `ansible.builtin.${k}` in t);
    if (inc) {
      const key = inc in t ? inc : `ansible.builtin.${inc}`;
      const dynamic = inc.startsWith('include_');
      for (const k of Object.keys(t)) {
        if (k === key || REFUSED[k]) continue;
        if (!INCLUDE_KEYS.includes(k)) this.fail(src, `'${k}' is not allowed on ${inc}${didYouMean(k, INCLUDE_KEYS)}`, [...p, k], true);
        else if (dynamic && DYNAMIC_INCLUDE_REFUSED[k]) this.fail(src, `${k} on ${inc} ${DYNAMIC_INCLUDE_REFUSED[k]}`, [...p, k], true);
        else if (dynamic && !DYNAMIC_INCLUDE_KEYS.includes(k)) {
          this.fail(src, `'${k}' is not a valid keyword on ${inc} (Ansible refuses it too: keywords there belong to the include itself); put it under apply: or use ${inc.replace('include_', 'import_')}`, [...p, k], true);
        }
      }
      return this.include(src, t, key, inc, p, inh, stack, handler);
    }
    return this.moduleTask(src, t, p, inh, handler);
  }

  block(src: YamlSource, t: Record<string, unknown>, p: YamlPath, inh: Inherited, stack: string[], handler: boolean): Step[] {
    for (const k of Object.keys(t)) {
      if (!BLOCK_KEYS.includes(k) && !REFUSED[k]) this.fail(src, `'${k}' is not allowed on a block${didYouMean(k, BLOCK_KEYS)}`, [...p, k], true);
    }
    const child = { ...this.inherit(src, t, p, inh), ...(t.notify !== undefined ? { notify: this.asList(t.notify) } : {}) };
    const block = this.tasks(src, t.block, [...p, 'block'], child, stack, handler);
    const rescue = this.tasks(src, t.rescue, [...p, 'rescue'], { ...child, localNames: [...child.localNames, 'ansible_failed_task', 'ansible_failed_result'] }, stack, handler);
    const always = this.tasks(src, t.always, [...p, 'always'], child, stack, handler);
    if (handler || (rescue.length === 0 && always.length === 0)) return [...block, ...rescue, ...always];
    const step: BlockStep = { kind: 'block', name: t.name !== undefined ? String(t.name) : 'block', block, rescue, always, origin: { source: src, path: p } };
    return [step];
  }

  loopOf(src: YamlSource, t: Record<string, unknown>, p: YamlPath): { loop?: unknown; loopKind?: LoopKind; loopControl: LoopControl } {
    const keys = Object.keys(t).filter((k) => LOOP_KEYS[k]);
    if (keys.length > 1) this.fail(src, `a task has one loop; found ${keys.join(' and ')}`, [...p, keys[1]], true);
    const lc = this.mapping(src, t.loop_control, [...p, 'loop_control']) ?? {};
    for (const k of Object.keys(lc)) {
      if (!LOOP_CONTROL_KEYS.includes(k)) this.fail(src, `unknown loop_control key '${k}'${didYouMean(k, LOOP_CONTROL_KEYS)}`, [...p, 'loop_control', k], true);
    }
    const pause = lc.pause === undefined ? undefined : Number(lc.pause);
    if (pause !== undefined && !(pause >= 0)) this.fail(src, 'loop_control.pause must be a number of seconds', [...p, 'loop_control', 'pause']);
    const loopControl: LoopControl = {
      loop_var: String(lc.loop_var ?? 'item'),
      label: lc.label === undefined ? undefined : String(lc.label),
      index_var: lc.index_var === undefined ? undefined : String(lc.index_var),
      extended: lc.extended === undefined ? undefined : this.bool(src, lc.extended, [...p, 'loop_control', 'extended']),
      pause,
    };
    if (!keys.length) return { loopControl };
    const key = keys[0];
    return { loop: t[key], loopKind: LOOP_KEYS[key], loopControl };
  }

  include(src: YamlSource, t: Record<string, unknown>, key: string, inc: string, p: YamlPath, inh: Inherited, stack: string[], handler: boolean): Step[] {
    const arg = t[key];
    const isRole = inc.endsWith('_role');
    const dynamic = inc.startsWith('include_');
    let opts: Record<string, unknown>;
    if (typeof arg === 'string') opts = isRole ? { name: arg } : { file: arg };
    else if (arg && typeof arg === 'object' && !Array.isArray(arg)) opts = arg as Record<string, unknown>;
    else {
      this.fail(src, `${inc} needs a file name or a mapping (${isRole ? 'name:' : 'file:'})`, [...p, key]);
      return [];
    }
    const allowed = isRole ? ['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'public', 'allow_duplicates', 'apply', 'rolespec_validate']
      : ['file', '_raw_params', 'apply'];
    for (const k of Object.keys(opts)) {
      if (!allowed.includes(k)) this.fail(src, `unknown ${inc} option '${k}'${didYouMean(k, allowed)}`, [...p, key, k], true);
    }
    const { loop, loopKind, loopControl } = this.loopOf(src, t, p);
    if (!dynamic && loop !== undefined) this.fail(src, `${inc} is static and cannot loop; use ${inc.replace('import_', 'include_')}`, [...p, Object.keys(t).find((k) => LOOP_KEYS[k])!], true);
    const applyRaw = t.apply ?? opts.apply;
    const apply = this.mapping(src, applyRaw, [...p, 'apply']) ?? {};
    if (!dynamic && applyRaw !== undefined) this.fail(src, `apply is only allowed on include_tasks/include_role`, [...p, 'apply'], true);
    for (const k of Object.keys(apply)) if (!INHERITED_APPLY.includes(k)) this.fail(src, `'${k}' is not allowed in apply${didYouMean(k, INHERITED_APPLY)}`, [...p, 'apply', k], true);

    // import_*: every keyword passes down. include_*: when/tags/loop belong to the include; `apply` and vars pass down.
    const own = this.inherit(src, t, p, inh);
    const child: Inherited = dynamic
      ? { ...this.inherit(src, apply, [...p, 'apply'], { ...inh, vars: own.vars }), localNames: [...inh.localNames, ...(loop !== undefined ? [loopControl.loop_var, ...(loopControl.index_var ? [loopControl.index_var] : []), 'ansible_loop'] : [])] }
      : own;
    const name = isRole ? String(opts.name ?? '') : String(opts.file ?? opts._raw_params ?? '');
    if (!name) {
      this.fail(src, `${inc} needs ${isRole ? 'a role name' : 'a file name'}`, [...p, key]);
      return [];
    }
    const loadFrom = (fileName: string): Step[] => {
      if (isRole) {
        return this.roles.role(src, [...p, key], fileName, {
          tasksFrom: opts.tasks_from as string | undefined, varsFrom: opts.vars_from as string | undefined,
          defaultsFrom: opts.defaults_from as string | undefined, handlersFrom: opts.handlers_from as string | undefined,
          params: {}, dedupe: false, private: dynamic && !(opts.public === true || opts.public === 'yes' || opts.public === 'true'),
        }, child, stack);
      }
      const base = inh.role ? path.join(inh.role.dir, 'tasks') : path.dirname(src.file);
      return this.taskFile(src, [...p, key], path.resolve(base, fileName), inc, child, stack, handler);
    };
    if (!dynamic) {
      if (hasTemplate(name)) {
        this.fail(src, `${inc} needs a static ${isRole ? 'role name' : 'file name'}; use ${inc.replace('import_', 'include_')} for a templated one`, [...p, key]);
        return [];
      }
      return loadFrom(name);
    }
    const step: IncludeStep = {
      kind: 'include', name: t.name !== undefined ? String(t.name) : `${inc} ${name}`, keyword: inc,
      when: own.when, tags: own.tags, loop, loopKind, loopControl, vars: {}, file: name, origin: { source: src, path: p },
    };
    if (handler) {
      this.fail(src, `${inc} in handlers is not supported; use import_tasks`, [...p, key], true);
      return [];
    }
    if (hasTemplate(name)) {
      // Loaded per host when the include runs; problems then fail that task.
      step.load = (fileName: string) => {
        const before = this.errors.length;
        const handlersBefore = this.roleHandlers.length;
        const steps = loadFrom(fileName);
        // A role loaded at run time brings its handlers to the play then.
        const handlers = this.roleHandlers.splice(handlersBefore);
        const errs = this.errors.splice(before);
        if (errs.length) throw new Error(errs.map((e) => e.located).join('\n'));
        return { steps, handlers };
      };
    } else {
      step.steps = loadFrom(name);
    }
    return [step];
  }

  taskFile(src: YamlSource, p: YamlPath, file: string, what: string, inh: Inherited, stack: string[], handler: boolean): Step[] {
    if (stack.includes(file)) {
      this.fail(src, `include loop: ${[...stack.slice(stack.indexOf(file)), file].map((f) => path.basename(f)).join(' -> ')}`, p);
      return [];
    }
    let inner: YamlSource;
    try {
      inner = loadYamlFile(file, 'task file');
    } catch (e) {
      if (e instanceof ConfigError) {
        // A missing file is the includer's mistake; a broken file points at itself.
        if (/not found/.test(e.message)) this.fail(src, `${what}: file not found: ${file}`, p);
        else this.errors.push(e);
        return [];
      }
      throw e;
    }
    this.files.push(file);
    return this.tasks(inner, inner.value, [], inh, [...stack, file], handler);
  }

  moduleTask(src: YamlSource, t: Record<string, unknown>, p: YamlPath, inh: Inherited, handler: boolean): Task[] {
    const candidates = Object.keys(t).filter((k) => !TASK_KEYS.includes(k) && !REFUSED[k] && !k.startsWith('with_'));
    if (candidates.length === 0) {
      if (!Object.keys(t).some((k) => REFUSED[k])) this.fail(src, 'task has no module: expected one module key such as `copy:` or `command:`', p);
      return [];
    }
    const lookup = (k: string) => findModule(k) ?? (otherPlatformOf(k) ? otherPlatformModule(k, otherPlatformOf(k)!) : undefined);
    const known = candidates.filter((k) => lookup(k));
    const unknown = candidates.filter((k) => !lookup(k));
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
    const module = lookup(moduleKey)!;
    if (module.loadWarning) this.warnings.push(src.error(module.loadWarning, [...p, moduleKey], true));
    const rawParams = t[moduleKey];
    let params: Record<string, unknown> = {};
    let paramPath: (k: string) => YamlPath;
    if (typeof rawParams === 'string' || typeof rawParams === 'number' || typeof rawParams === 'boolean') {
      try {
        params = module.freeFormWhole && module.freeForm ? { [module.freeForm]: String(rawParams) } : parseShorthand(String(rawParams), module);
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
    const own = this.inherit(src, t, p, inh);
    const { loop, loopKind, loopControl } = this.loopOf(src, t, p);
    let until: Task['until'];
    if (t.until !== undefined || t.retries !== undefined || t.delay !== undefined) {
      const retries = t.retries === undefined ? 3 : Number(t.retries);
      const delay = t.delay === undefined ? 5 : Number(t.delay);
      if (!Number.isInteger(retries) || retries < 0) this.fail(src, 'retries must be a whole number', [...p, 'retries']);
      if (!(delay >= 0)) this.fail(src, 'delay must be a number of seconds', [...p, 'delay']);
      // Ansible retries on failure when only retries is given (2.14: until defaults to "not failed").
      until = { until: t.until === undefined ? ['not (__converge_result.failed | default(false))'] : this.whenList(t.until), retries, delay };
    }
    const number = ++this.counter;
    const name = t.name !== undefined ? String(t.name) : `${moduleKey}${typeof rawParams === 'string' ? ' ' + rawParams : ''}`;
    if (t.listen !== undefined && !handler) this.fail(src, "'listen' is only allowed on handlers", [...p, 'listen'], true);
    const localNames = [...own.localNames];
    if (loop !== undefined) localNames.push(loopControl.loop_var, 'ansible_loop', ...(loopControl.index_var ? [loopControl.index_var] : []));
    if (own.role) localNames.push('role_path', 'role_name');
    return [{
      number,
      name,
      moduleKey,
      module,
      params,
      paramPath,
      when: own.when,
      loop,
      loopKind,
      loopControl,
      notify: t.notify !== undefined ? this.asList(t.notify) : (own.notify ?? []),
      listen: this.asList(t.listen),
      register: t.register !== undefined ? String(t.register) : undefined,
      tags: own.tags,
      ignoreErrors: own.ignoreErrors ?? false,
      ignoreErrorsTemplate: own.ignoreErrorsTemplate,
      noLog: own.noLog ?? false,
      checkMode: own.checkMode,
      diff: own.diff,
      become: own.become,
      becomeUser: own.becomeUser,
      changedWhen: t.changed_when === undefined ? undefined : this.whenList(t.changed_when),
      failedWhen: t.failed_when === undefined ? undefined : this.whenList(t.failed_when),
      vars: own.role ? { role_path: own.role.dir, role_name: own.role.name, ...own.vars } : own.vars,
      until,
      delegateTo: own.delegateTo,
      runOnce: own.runOnce,
      throttle: own.throttle,
      environment: own.environment,
      remoteUser: own.remoteUser,
      role: own.role,
      localNames,
      meta: module.runAction?.(params),
      origin: { source: src, path: p },
      // Like Ansible: relative src paths resolve from the playbook's (or the role's) directory,
      // also for tasks pulled in by import_tasks from a subdirectory.
      baseDir: own.baseDir,
    }];
  }
}

const INHERITED_APPLY = ['when', 'tags', 'vars', 'become', 'become_user', 'become_method', 'ignore_errors', 'no_log',
  'check_mode', 'diff', 'environment', 'delegate_to', 'run_once', 'remote_user'];
