// Reads a playbook into plays and tasks, rejecting what converge does not
// support with the file, line and column of the offending key.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ConfigErrors } from './errors.js';
import { loadYamlFile, type YamlPath, type YamlSource } from './yaml-source.js';
import { isTask, type Play, type Playbook, type Step, type Task } from './playbook-model.js';
import { findModule } from '../engine/registry.js';
import { didYouMean } from './did-you-mean.js';
import { PLAY_KEYS, REFUSED } from './keywords.js';
import { rootInherited, TaskLoader } from './load-tasks.js';

/** Every task inside steps, blocks and statically loaded includes opened. */
export function leafTasks(steps: Step[]): Task[] {
  const out: Task[] = [];
  for (const s of steps) {
    if (isTask(s)) out.push(s);
    else if (s.kind === 'block') out.push(...leafTasks(s.block), ...leafTasks(s.rescue), ...leafTasks(s.always));
    else if (s.steps) out.push(...leafTasks(s.steps));
  }
  return out;
}

class Loader extends TaskLoader {
  play(src: YamlSource, raw: unknown, i: number, playbookDir: string): Play | undefined {
    const p: YamlPath = [i];
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      this.fail(src, 'expected a play (a mapping with `hosts:` and `tasks:`)', p);
      return undefined;
    }
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) {
      if (PLAY_KEYS.includes(k)) continue;
      if (REFUSED[k]) this.fail(src, REFUSED[k], [...p, k], true);
      else {
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
    this.roleHandlers = [];
    this.roles.startPlay();
    const { hosts: _h, ...keywords } = r;
    const inh = this.inherit(src, { ...keywords, vars: undefined }, p, rootInherited(playbookDir));
    if (r.connection !== undefined && !['local', 'ssh', 'smart', 'chroot', 'paramiko'].includes(String(r.connection).replace(/^ansible\.builtin\./, ''))) {
      this.fail(src, `connection: '${String(r.connection)}' is not supported (use ssh, local or chroot)`, [...p, 'connection']);
    }
    const roleSteps: Step[] = [];
    if (r.roles !== undefined && r.roles !== null) {
      if (!Array.isArray(r.roles)) this.fail(src, 'roles must be a list of role names or mappings', [...p, 'roles']);
      else r.roles.forEach((e, j) => roleSteps.push(...this.roles.entry(src, e, [...p, 'roles', j], inh, [src.file])));
    }
    // Ansible's order: pre_tasks, roles, tasks, post_tasks (handlers flushed between the sections).
    const flush = (section: string): Step[] => [this.flushStep(src, [...p, section])];
    const pre = this.tasks(src, r.pre_tasks, [...p, 'pre_tasks'], inh, [src.file]);
    const main = this.tasks(src, r.tasks, [...p, 'tasks'], inh, [src.file]);
    const post = this.tasks(src, r.post_tasks, [...p, 'post_tasks'], inh, [src.file]);
    const steps = [
      ...pre, ...(pre.length ? flush('pre_tasks') : []),
      ...roleSteps, ...main, ...((roleSteps.length || main.length) && post.length ? flush('tasks') : []),
      ...post,
    ];
    const handlers = [...leafTasks(this.tasks(src, r.handlers, [...p, 'handlers'], { ...inh, when: [] }, [src.file], true)), ...this.roleHandlers];
    return {
      name: r.name !== undefined ? String(r.name) : String(r.hosts ?? ''),
      hosts: Array.isArray(r.hosts) ? r.hosts.join(',') : String(r.hosts ?? ''),
      vars,
      varsFiles,
      become: !!inh.become,
      becomeUser: inh.becomeUser,
      gatherFacts: r.gather_facts === undefined ? true : this.bool(src, r.gather_facts, [...p, 'gather_facts']),
      tasks: leafTasks(steps),
      steps,
      handlers,
      tags: this.asList(r.tags),
      checkMode: inh.checkMode,
      roleDefaults: this.roles.playDefaults,
      roleVars: this.roles.playVars,
      remoteUser: inh.remoteUser,
      connection: r.connection === undefined ? undefined : String(r.connection),
      dir: playbookDir,
      origin: { source: src, path: p },
    };
  }

  /** The implicit handler flush between pre_tasks, roles/tasks and post_tasks. */
  flushStep(src: YamlSource, p: YamlPath): Step {
    const [t] = this.moduleTask(src, { meta: 'flush_handlers' }, p, rootInherited(this.playbookDir), false);
    this.counter--; // not a task of the playbook's own
    return { ...t, number: 0, name: 'flush handlers', tags: ['always'] };
  }

  /** A playbook's plays, with import_playbook entries replaced by the plays they name. */
  playbook(file: string, stack: string[], extra?: { when: string[]; vars: Record<string, unknown>; tags: string[] }): Play[] {
    const src = loadYamlFile(file, 'playbook');
    if (!Array.isArray(src.value)) {
      this.errors.push(src.error('a playbook must be a list of plays (each starting with `- hosts:`)', []));
      return [];
    }
    const dir = path.dirname(file);
    const plays: Play[] = [];
    src.value.forEach((raw, i) => {
      const entry = raw as Record<string, unknown> | null;
      const key = entry && typeof entry === 'object' ? ['import_playbook', 'ansible.builtin.import_playbook'].find((k) => k in entry) : undefined;
      if (key) {
        const e = entry!;
        for (const k of Object.keys(e)) {
          if (![key, 'name', 'when', 'vars', 'tags'].includes(k)) this.fail(src, `'${k}' is not allowed on import_playbook${didYouMean(k, ['name', 'when', 'vars', 'tags'])}`, [i, k], true);
        }
        const target = String(e[key]);
        if (target.includes('{{')) { this.fail(src, 'import_playbook needs a static file name', [i, key]); return; }
        const abs = path.resolve(dir, target);
        if (stack.includes(abs)) { this.fail(src, `import_playbook loop: ${path.basename(abs)}`, [i, key]); return; }
        if (!existsSync(abs)) { this.fail(src, `import_playbook: file not found: ${abs}`, [i, key]); return; }
        this.files.push(abs);
        const sub = this.playbook(abs, [...stack, abs], {
          when: [...(extra?.when ?? []), ...this.whenList(e.when)],
          vars: { ...(extra?.vars ?? {}), ...(this.mapping(src, e.vars, [i, 'vars']) ?? {}) },
          tags: [...(extra?.tags ?? []), ...this.asList(e.tags)],
        });
        plays.push(...sub);
        return;
      }
      this.playbookDir = dir;
      const play = this.play(src, raw, i, dir);
      if (!play) return;
      if (extra) {
        // import_playbook's when/vars/tags apply to every task of the imported plays.
        play.vars = { ...extra.vars, ...play.vars };
        play.tags = [...extra.tags, ...play.tags];
        const walk = (steps: Step[]) => {
          for (const st of steps) {
            if (isTask(st) || st.kind === 'include') { st.when = [...extra.when, ...st.when]; st.tags = [...extra.tags, ...st.tags]; }
            if (!isTask(st) && st.kind === 'block') { walk(st.block); walk(st.rescue); walk(st.always); }
            if (!isTask(st) && st.kind === 'include' && st.steps) walk(st.steps);
          }
        };
        walk(play.steps);
      }
      plays.push(play);
    });
    return plays;
  }
}

/** Loads and structurally checks a playbook; throws ConfigErrors listing every problem. */
export function loadPlaybook(file: string): Playbook {
  const abs = path.resolve(file);
  const loader = new Loader(path.dirname(abs));
  loader.files.push(abs);
  let plays: Play[];
  try {
    plays = loader.playbook(abs, [abs]);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigErrors([e]);
    throw e;
  }
  if (loader.errors.length) throw new ConfigErrors(loader.errors);
  return { file: abs, dir: path.dirname(abs), plays, files: loader.files, warnings: loader.warnings };
}
