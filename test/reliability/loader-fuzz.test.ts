// Fuzzing the loader: no input makes converge exit 250 ("unexpected error").
// Two generated corpora, each input loaded, validated and run in --check the
// way `converge PLAYBOOK --check` runs it, in this process (a process per
// input would cost minutes):
//  - every keyword converge knows (src/config/keywords.ts) at each level it
//    can appear (play, block, task, include, role entry) with values of the
//    wrong shape: numbers, lists, mappings, null, an open template, an
//    unbalanced quote;
//  - mutants of the differential harness's playbooks (test/compat/playbooks/
//    cases): each line deleted, cut after, indented, or given a stray quote,
//    brace or colon.
// An input is either accepted or refused with a ConfigError naming its file
// and line; anything else thrown is what main.ts turns into exit 250. A few
// inputs also run as real processes, to see the exit code itself.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, ConfigErrors, UsageError } from '../../src/config/errors.js';
import { BLOCK_KEYS, INCLUDE_KEYS, PLAY_KEYS, REFUSED, ROLE_ENTRY_KEYS, TASK_KEYS } from '../../src/config/keywords.js';
import { runCommand } from '../../src/cli/run-command.js';
import type { Reporter } from '../../src/engine/events.js';
import { runCli, tempDir } from './cli-process.js';

function findUp(rel: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const c = path.join(dir, rel);
    if (fs.existsSync(c)) return c;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`${rel} not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
const CASES = findUp('test/compat/playbooks/cases');

const BAD_VALUES = ['5', '[1, 2]', '{a: 1}', 'null', '"{{"', '"{{ nope_undefined }}"', "\"'open\"", '[{a: [1]}]'];

const silent: Reporter = { playStart() {}, task() {}, hostUnreachable() {}, progress() {}, finish() {} };

interface Input { label: string; files: Record<string, string> }

/** The keyword matrix: each keyword, at each level, with each badly shaped value. */
function keywordInputs(): Input[] {
  const out: Input[] = [];
  const keys = (list: string[]) => [...new Set([...list, ...Object.keys(REFUSED)])];
  for (const v of BAD_VALUES) {
    for (const k of keys(PLAY_KEYS)) {
      out.push({ label: `play ${k}: ${v}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  ${k}: ${v}\n  tasks:\n    - debug: msg=x\n` } });
    }
    for (const k of keys(TASK_KEYS)) {
      out.push({ label: `task ${k}: ${v}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n      ${k}: ${v}\n` } });
      out.push({ label: `task ${k}: ${v} (shorthand with a quote)`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - file: path={{ out }}/a state="touch\n      ${k}: ${v}\n` } });
    }
    for (const k of keys(BLOCK_KEYS)) {
      out.push({ label: `block ${k}: ${v}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - block:\n        - debug: msg=x\n      ${k}: ${v}\n` } });
    }
    for (const k of keys(INCLUDE_KEYS)) {
      for (const inc of ['include_tasks', 'import_tasks']) {
        out.push({ label: `${inc} ${k}: ${v}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ${inc}: t.yml\n      ${k}: ${v}\n`, 't.yml': '- debug: msg=x\n' } });
      }
      out.push({ label: `include_tasks file: ${v}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - include_tasks:\n        file: ${v}\n`, 't.yml': '- debug: msg=x\n' } });
    }
    for (const k of keys(ROLE_ENTRY_KEYS)) {
      out.push({ label: `role entry ${k}: ${v}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  roles:\n    - role: r\n      ${k}: ${v}\n`, 'roles/r/tasks/main.yml': '- debug: msg=x\n' } });
    }
    for (const inc of ['include_role', 'import_role']) {
      out.push({ label: `${inc} name: ${v}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ${inc}:\n        name: ${v}\n`, 'roles/r/tasks/main.yml': '- debug: msg=x\n' } });
    }
    out.push({ label: `import_playbook: ${v}`, files: { 'site.yml': `- import_playbook: ${v}\n` } });
    out.push({ label: `roles entry ${v}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  roles:\n    - ${v}\n` } });
    out.push({ label: `task ${v}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ${v}\n` } });
    out.push({ label: `play ${v}`, files: { 'site.yml': `- ${v}\n` } });
    out.push({ label: `module args ${v}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy: ${v}\n` } });
    out.push({ label: `role defaults ${v}`, files: { 'site.yml': '- hosts: localhost\n  gather_facts: false\n  roles: [r]\n', 'roles/r/tasks/main.yml': '- debug: msg=x\n', 'roles/r/defaults/main.yml': `${v}\n` } });
    out.push({ label: `role meta ${v}`, files: { 'site.yml': '- hosts: localhost\n  gather_facts: false\n  roles: [r]\n', 'roles/r/tasks/main.yml': '- debug: msg=x\n', 'roles/r/meta/main.yml': `dependencies: ${v}\n` } });
    out.push({ label: `included file ${v}`, files: { 'site.yml': '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - include_tasks: t.yml\n', 't.yml': `${v}\n` } });
  }
  // Shorthand with unbalanced quotes and braces, in every place Ansible parses key=value.
  for (const s of ['echo "open', "echo 'open", 'a=b c="d', 'x={{ y', '"', "=", 'msg=', 'msg="a\\"', 'k==v', '{{ }}']) {
    for (const mod of ['command', 'shell', 'debug', 'file', 'set_fact', 'include_vars']) {
      out.push({ label: `${mod}: ${s}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ${mod}: ${JSON.stringify(s)}\n` } });
    }
    out.push({ label: `with_sequence: ${s}`, files: { 'site.yml': `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg={{ item }}\n      with_sequence: ${JSON.stringify(s)}\n` } });
  }
  return out;
}

/** Every .yml under a harness case, with its own path. */
function caseFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Mutants of each harness playbook: one broken line at a time. */
function mutantInputs(): Input[] {
  const out: Input[] = [];
  const mutations: Array<[string, (lines: string[], i: number) => string[]]> = [
    ['deleted', (l, i) => [...l.slice(0, i), ...l.slice(i + 1)]],
    ['cut after', (l, i) => l.slice(0, i + 1)],
    ['indented', (l, i) => [...l.slice(0, i), `  ${l[i]}`, ...l.slice(i + 1)]],
    ['stray quote', (l, i) => [...l.slice(0, i), `${l[i]}"`, ...l.slice(i + 1)]],
    ['stray brace', (l, i) => [...l.slice(0, i), `${l[i]} {{`, ...l.slice(i + 1)]],
    ['stray colon', (l, i) => [...l.slice(0, i), `${l[i]}: x`, ...l.slice(i + 1)]],
  ];
  let n = 0;
  for (const name of fs.readdirSync(CASES).sort()) {
    const files = caseFiles(path.join(CASES, name));
    for (const [rel, text] of Object.entries(files)) {
      if (!rel.endsWith('.yml')) continue;
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        if (!lines[i].trim()) continue;
        // Two mutations per line, taken in turn (all six on every line cost minutes).
        for (const k of [n, n + 3]) {
          const [what, f] = mutations[k % mutations.length];
          out.push({ label: `${name}/${rel}:${i + 1} ${what}`, files: { ...files, [rel]: f(lines, i).join('\n') } });
        }
        n++;
      }
    }
  }
  return out;
}

const figures = { inputs: 0, accepted: 0, refused: 0 };
after(() => {
  process.stdout.write(`# loader fuzz: ${figures.inputs} inputs, ${figures.refused} refused with file:line, ${figures.accepted} accepted and run in --check\n`);
});

async function judge(input: Input, failures: string[]): Promise<void> {
  const t = tempDir('fuzz');
  const cwd = process.cwd();
  try {
    for (const [rel, content] of Object.entries(input.files)) {
      fs.mkdirSync(path.dirname(path.join(t.dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(t.dir, rel), content);
    }
    const pb = fs.existsSync(path.join(t.dir, 'site.yml')) ? path.join(t.dir, 'site.yml') : path.join(t.dir, 'playbook.yml');
    const out = path.join(t.dir, 'out');
    process.chdir(t.dir);
    figures.inputs++;
    try {
      await runCommand(pb, { check: true, extraVars: [`out=${out}`], inventory: 'localhost,' }, { mainReporter: silent });
      figures.accepted++;
    } catch (e) {
      const errs = e instanceof ConfigErrors ? e.errors : e instanceof ConfigError ? [e] : undefined;
      if (!errs) {
        if (!(e instanceof UsageError)) failures.push(`${input.label}: would exit 250: ${(e as Error).stack ?? e}`);
        return;
      }
      figures.refused++;
      for (const err of errs) {
        // Only a file with nothing in it (comments, blank lines) is at fault as a whole.
        const blank = (f: string) => fs.readFileSync(f, 'utf8').split('\n').every((l) => !l.trim() || l.trim().startsWith('#'));
        if (!err.pos?.file || (!err.pos.line && !blank(err.pos.file))) failures.push(`${input.label}: an error without file:line: ${err.located}`);
      }
    }
  } finally {
    process.chdir(cwd);
    t.remove();
  }
}

describe('no input makes converge exit 250', () => {
  it('the keyword matrix: each keyword at each level with badly shaped values', async () => {
    const failures: string[] = [];
    for (const input of keywordInputs()) await judge(input, failures);
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} failures`);
  });

  it('mutants of the harness playbooks: each line deleted, cut, indented, or given a stray quote, brace or colon', async () => {
    const failures: string[] = [];
    for (const input of mutantInputs()) await judge(input, failures);
    assert.deepEqual(failures.slice(0, 40), [], `${failures.length} failures`);
  });

  it('as processes: exit 4 and file:line for an unbalanced quote in shorthand and a broken keyword value', async () => {
    const t = tempDir('fuzz-cli');
    try {
      const cases: Array<[string, string, RegExp]> = [
        ['quote.yml', '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: echo "open\n', /quote\.yml:4/],
        ['loopctl.yml', '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n      loop: [1]\n      loop_control: 5\n', /loopctl\.yml:6/],
        ['incfile.yml', '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - include_tasks:\n        file: [a]\n', /incfile\.yml:5/],
      ];
      for (const [name, text, where] of cases) {
        fs.writeFileSync(path.join(t.dir, name), text);
        for (const args of [[path.join(t.dir, name)], ['validate', path.join(t.dir, name)]]) {
          const r = await runCli(args, { cwd: t.dir });
          assert.equal(r.rc, 4, `${args.join(' ')}: exit ${r.rc}\n${r.stderr}${r.stdout}`);
          assert.match(r.stderr, where);
          assert.doesNotMatch(r.stderr, /unexpected error|\.js:\d+/);
        }
      }
    } finally {
      t.remove();
    }
  });
});
