// Every check that needs no host: module parameters against their schemas,
// variables that nothing defines, template syntax, `when` syntax, missing
// source files. Run before any host is contacted (and by `converge validate`).

import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ConfigErrors } from './errors.js';
import { didYouMean } from './did-you-mean.js';
import { validateModuleParams, ModuleParamsError } from './module-params.js';
import type { Play, Playbook, Task } from './playbook-model.js';
import { loadYamlFile, readTextFile, type YamlPath } from './yaml-source.js';
import type { Inventory } from '../inventory/inventory.js';
import { hasTemplate, templateGlobals, undefinedNames } from '../template/render.js';
import { definedIfTrue } from '../template/undefined-names.js';

const MAGIC = ['inventory_hostname', 'inventory_hostname_short', 'group_names', 'groups', 'hostvars', 'playbook_dir',
  'inventory_dir', 'ansible_check_mode', 'ansible_diff_mode', 'omit', 'ansible_facts', 'ansible_loop_var', 'item',
  'ansible_play_hosts', 'play_hosts', 'result', 'ansible_play_hosts_all', 'ansible_play_batch', 'ansible_run_tags',
  'ansible_skip_tags', 'ansible_play_name', 'role_path', 'role_name', 'ansible_failed_task', 'ansible_failed_result',
  'ansible_loop', 'ansible_index_var', 'ansible_verbosity', 'ansible_version', 'ansible_managed'];

function isKnownFact(name: string): boolean {
  return name.startsWith('ansible_');
}

function containsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return hasTemplate(v);
  if (Array.isArray(v)) return v.some(containsTemplate);
  if (v && typeof v === 'object') return Object.values(v).some(containsTemplate);
  return false;
}

function valueAt(v: unknown, p: string[]): unknown {
  let cur = v;
  for (const k of p) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

/** Keys of every vars file a templated `vars_files` entry could name (vars/{{ x }}.yml -> vars/*.yml). */
function templatedVarsFileKeys(dir: string, entry: string): string[] {
  const abs = path.resolve(dir, entry);
  const folder = path.dirname(abs);
  if (hasTemplate(folder) || !existsSync(folder)) return [];
  const re = new RegExp('^' + path.basename(abs).split(/\{\{.*?\}\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  const keys: string[] = [];
  for (const f of readdirSync(folder)) {
    if (!re.test(f)) continue;
    try {
      const v = loadYamlFile(path.join(folder, f), 'vars file').value;
      if (v && typeof v === 'object') keys.push(...Object.keys(v));
    } catch { /* reported when the file is used */ }
  }
  return keys;
}

export function validatePlaybook(pb: Playbook, inv: Inventory, extraVars: Record<string, unknown>): void {
  for (const _ of validationSteps(pb, inv, extraVars)) { /* run to the end */ }
}

/**
 * The same, giving the event loop a turn every few milliseconds of work: connections opened
 * meanwhile (src/cli/early-connect.ts) take their steps while the playbook is checked.
 */
export async function validatePlaybookYielding(pb: Playbook, inv: Inventory, extraVars: Record<string, unknown>, turn: () => Promise<void>): Promise<void> {
  let last = Date.now();
  for (const _ of validationSteps(pb, inv, extraVars)) {
    if (Date.now() - last >= TURN_MS) { await turn(); last = Date.now(); }
  }
}

const TURN_MS = 4;

/** The checks, one task at a time (each `yield` is a point where the caller may pause). */
function* validationSteps(pb: Playbook, inv: Inventory, extraVars: Record<string, unknown>): Generator<void> {
  const errors: ConfigError[] = [];
  // The role of the task being checked (lookups look in it first).
  let roleDir: string | undefined;
  const globals = new Set(templateGlobals());
  const invNames = new Set<string>();
  for (const h of inv.hosts.keys()) for (const k of Object.keys(inv.varsOf(h))) invNames.add(k);
  for (const g of inv.groups.values()) for (const k of Object.keys(g.vars)) invNames.add(k);

  // Paths that tasks name (dest, path, creates ...), in task order: a copy src outside the
  // playbook that an earlier task makes (get_url dest=/cluster/x) exists when the copy runs.
  const namedBefore = new Map<Task, Set<string>>();
  const named = new Set<string>();
  for (const play of pb.plays) for (const t of play.tasks) {
    namedBefore.set(t, new Set(named));
    for (const k of ['dest', 'path', 'creates', 'name']) {
      const v = t.params[k];
      if (typeof v === 'string' && path.isAbsolute(v) && !hasTemplate(v)) named.add(path.normalize(v));
    }
  }
  const madeEarlier = (t: Task, file: string): boolean => {
    const before = namedBefore.get(t);
    if (!before) return false;
    const f = path.normalize(file);
    // A directory an earlier task fills also counts (get_url dest=/cluster/ then src=/cluster/x).
    return [...before].some((n) => n === f || (f.startsWith(n + '/')));
  };

  const registered = new Set<string>();
  const factNames = new Set<string>();
  for (const play of pb.plays) for (const t of [...play.tasks, ...play.handlers]) {
    if (t.register) registered.add(t.register);
    for (const k of t.module.variableNames?.(t.params, { baseDir: t.baseDir, looped: t.loop !== undefined }) ?? []) factNames.add(k);
    for (const k of t.module.factNames ?? []) factNames.add(k);
  }

  for (const play of pb.plays) {
    const playNames = new Set<string>([...Object.keys(play.vars), ...Object.keys(extraVars), ...Object.keys(play.roleDefaults), ...Object.keys(play.roleVars)]);
    for (const vf of play.varsFiles) {
      if (vf.candidates) {
        for (const c of vf.candidates) {
          if (hasTemplate(c)) templatedVarsFileKeys(pb.dir, c).forEach((k) => playNames.add(k));
          else {
            try {
              const v = loadYamlFile(path.resolve(pb.dir, c), 'vars file').value;
              if (v && typeof v === 'object') Object.keys(v).forEach((k) => playNames.add(k));
            } catch { /* a missing candidate is fine: first found wins */ }
          }
        }
      } else Object.keys(vf.vars).forEach((k) => playNames.add(k));
    }
    const known = (extra: Set<string>) => (n: string) =>
      extra.has(n) || playNames.has(n) || invNames.has(n) || registered.has(n) || factNames.has(n) || MAGIC.includes(n) || isKnownFact(n) || globals.has(n);

    // Play vars may refer to each other and to inventory variables.
    const playKnown = known(new Set());
    for (const [k, v] of Object.entries(play.vars)) checkValue(v, [...play.origin.path, 'vars', k], play, playKnown);
    for (const t of [...play.tasks, ...play.handlers]) {
      validateTask(t, known);
      yield;
    }

    // A notification that reaches no handler would be dropped without a word.
    const handlerNames = [...new Set(play.handlers.flatMap((h) => [h.name, ...h.listen]))];
    for (const t of [...play.tasks, ...play.handlers]) {
      for (const [i, n] of t.notify.entries()) {
        if (hasTemplate(n) || handlerNames.includes(n)) continue;
        errors.push(t.origin.source.error(`notify: no handler named or listening to '${n}' in this play${didYouMean(n, handlerNames)}`, [...t.origin.path, 'notify', i]));
      }
    }
  }

  function checkString(s: string, p: YamlPath, src: Play['origin']['source'], isKnown: (n: string) => boolean, expr = false): void {
    const text = expr ? `{{ ${s} }}` : s;
    if (!expr && !hasTemplate(s)) return;
    const pos = src.posOf(p);
    // lookup('file'|'template', 'literal name'): a missing file is known before any host is contacted.
    for (const m of text.matchAll(/lookup\(\s*['"](file|template)['"]\s*,\s*['"]([^'"{}]+)['"]\s*\)/g)) {
      const [, kind, name] = m;
      // Ansible's search path: a role task's role (and its tasks/) first, then the playbook's directory.
      const sub = kind === 'file' ? 'files' : 'templates';
      const bases = roleDir ? [roleDir, path.join(roleDir, 'tasks'), pb.dir] : [pb.dir];
      const candidates = bases.flatMap((b) => [path.resolve(b, sub, name), path.resolve(b, name)]);
      if (!candidates.some((c) => existsSync(c))) {
        errors.push(new ConfigError(`lookup('${kind}', '${name}'): file not found (looked in ${[...new Set(candidates)].join(', ')})`, pos));
      }
    }
    try {
      for (const u of undefinedNames(text, isKnown)) {
        errors.push(new ConfigError(`undefined variable '${u.name}'`, { file: pos.file, line: (pos.line ?? 1) + u.line - 1, col: u.line === 1 ? pos.col : u.col }));
      }
    } catch (e) {
      const msg = (e as Error).message.replace(/^\([^)]*\)\s*/, '').replace(/\s*\[Line \d+, Column \d+\]\s*/, ' ').trim();
      errors.push(new ConfigError(`${expr ? 'bad expression' : 'bad template'} '${s}': ${msg}`, pos));
    }
  }

  function checkValue(v: unknown, p: YamlPath, play: Play, isKnown: (n: string) => boolean): void {
    const src = play.origin.source;
    if (typeof v === 'string') checkString(v, p, src, isKnown);
    else if (Array.isArray(v)) v.forEach((x, i) => checkValue(x, [...p, i], play, isKnown));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) checkValue(x, [...p, k], play, isKnown);
  }

  function validateTask(t: Task, known: (extra: Set<string>) => (n: string) => boolean): void {
    roleDir = t.role?.dir;
    try {
      validateTaskIn(t, known);
    } finally {
      roleDir = undefined;
    }
  }

  function validateTaskIn(t: Task, known: (extra: Set<string>) => (n: string) => boolean): void {
    const src = t.origin.source;
    const local = new Set<string>([...Object.keys(t.vars), ...t.localNames]);
    let isKnown = known(local);
    const p = t.origin.path;
    // A `when:` list is an `and`: an item is evaluated only when the ones before it held.
    const whenGuarded = new Set<string>();
    for (const [i, w] of t.when.entries()) {
      checkString(w, [...p, 'when', ...(t.when.length > 1 ? [i] : [])], src, whenGuarded.size ? (n) => whenGuarded.has(n) || isKnown(n) : isKnown, true);
      definedIfTrue(w).forEach((n) => whenGuarded.add(n));
    }
    // The parameters are templated only when the whole `when:` held (the loop, before it).
    const loopKnown = isKnown;
    isKnown = whenGuarded.size ? (n: string) => whenGuarded.has(n) || loopKnown(n) : loopKnown;
    for (const w of t.changedWhen ?? []) checkString(w, [...p, 'changed_when'], src, isKnown, true);
    for (const w of t.failedWhen ?? []) checkString(w, [...p, 'failed_when'], src, isKnown, true);
    if ((t.loopKind ?? 'loop') === 'loop' && t.loop !== undefined && t.loop !== null && typeof t.loop !== 'string' && !Array.isArray(t.loop)) {
      errors.push(src.error(`loop must be a list (or a template that gives one), found ${typeof t.loop === 'object' ? 'a mapping' : `'${String(t.loop)}'`}`, [...p, 'loop']));
    }
    if (typeof t.loop === 'string') checkString(t.loop, [...p, t.loopKind === 'loop' || !t.loopKind ? 'loop' : `with_${t.loopKind}`], src, known(new Set([...Object.keys(t.vars), ...t.localNames.filter((n) => n !== t.loopControl.loop_var)])));
    for (const [k, v] of Object.entries(t.params)) {
      if (typeof v === 'string') checkString(v, t.paramPath(k), src, isKnown);
      else if (v && typeof v === 'object') {
        const walk = (x: unknown, sub: YamlPath) => {
          if (typeof x === 'string') checkString(x, sub, src, isKnown);
          else if (x && typeof x === 'object') for (const [kk, xx] of Object.entries(x)) walk(xx, [...sub, kk]);
        };
        walk(v, t.paramPath(k));
      }
    }

    if ('_raw_params' in t.params && t.module.freeForm !== '_raw_params') {
      errors.push(src.error(`expected key=value parameters for '${t.moduleKey}', found '${t.params._raw_params}'`, [...p, t.moduleKey]));
      return;
    }
    if (!t.module.paramsAreVariables) {
      try {
        validateModuleParams(t.module, t.params);
      } catch (e) {
        if (!(e instanceof ModuleParamsError)) throw e;
        for (const prob of e.problems) {
          // A templated value is only known at run time; its type is checked then.
          if (!prob.atKey && containsTemplate(valueAt(t.params, prob.path))) continue;
          if (prob.message.includes('must be') && prob.path.length && containsTemplate(valueAt(t.params, prob.path.slice(0, 1)))) continue;
          const sub = prob.path.slice(1);
          const pp = [...t.paramPath(prob.path[0] ?? ''), ...sub];
          errors.push(src.error(prob.message, prob.path.length ? pp : [...p, t.moduleKey], prob.atKey));
        }
      }
    }

    // Source files on the controller (copy and template src) must exist; templates are checked for syntax and variables.
    const source = t.module.controllerSource;
    const srcParam = source ? t.params[source.param] : undefined;
    if (source && typeof srcParam === 'string' && !hasTemplate(srcParam) && !t.params.remote_src) {
      const sub = t.module.searchDir ?? 'files';
      const candidates = path.isAbsolute(srcParam) ? [srcParam] : [path.resolve(t.baseDir, sub, srcParam), path.resolve(t.baseDir, srcParam)];
      const found = candidates.find((c) => existsSync(c));
      if (!found && path.isAbsolute(srcParam) && madeEarlier(t, srcParam)) {
        // Made by an earlier task of this run: checked when the copy runs.
      } else if (!found) {
        errors.push(src.error(`${t.module.name} ${source.param} not found: '${srcParam}' (looked in ${candidates.join(', ')})`, t.paramPath(source.param)));
      } else if (source.template) {
        try {
          const text = readTextFile(found, 'template');
          pb.files.push(found);
          for (const u of undefinedNames(text, isKnown)) errors.push(new ConfigError(`undefined variable '${u.name}' in template`, { file: found, line: u.line, col: u.col }));
        } catch (e) {
          if (e instanceof ConfigError) errors.push(e);
          else {
            const raw = e as { lineno?: number; colno?: number; message: string };
            const line = /\[Line (\d+)/.exec(raw.message)?.[1];
            errors.push(new ConfigError(`template syntax error: ${raw.message.replace(/^\([^)]*\)\s*/, '').replace(/\s*\[Line \d+, Column \d+\]\s*/, ' ').trim()}`, { file: found, line: line ? Number(line) : (raw.lineno ?? 0) + 1 }));
          }
        }
      }
    }
  }

  if (errors.length) throw new ConfigErrors(errors);
}
