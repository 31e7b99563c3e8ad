// Table tests of a module's planning, in the style of pyinfra's operation
// tests: each row is (parameters, recorded observations) -> the changes
// --check reports and what apply then does to the host. A row runs twice on
// a fresh scripted host: once planning only (--check), once through the
// engine's plan -> apply -> verifying re-plan, so a row also proves that the
// module converges in one step. Milliseconds per row, no root, no machine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Change, ModuleDefinition } from '../../src/engine/module.js';
import { planModule, runModule } from '../helpers/module-harness.js';
import { ScriptedHost, type Observations } from './scripted-host.js';

export interface PlanRow {
  name: string;
  params: Record<string, unknown>;
  observed: Observations;
  /** The changes --check reports; only the keys given (property, before, after, summary) are compared. Empty: in sync. */
  changes?: Array<Partial<Change>>;
  /** What apply does to the host, in order (`write /x 0644`, `chmod /x 0600`, `run sysctl -w a=1` ...). */
  actions?: string[];
  /** What apply fed on stdin to the commands named (`crontab -u alice -`). */
  stdin?: Record<string, string>;
  /** File contents after apply. */
  after?: Record<string, string>;
  /** The task fails (in --check and when run) with a message matching this. */
  fails?: RegExp;
  /** Files next to the playbook on the controller (template and unarchive sources), relative to its directory. */
  controller?: Record<string, string>;
  /** Controller files after apply (fetch's copies), relative to the playbook's directory. */
  controllerAfter?: Record<string, string>;
  /** The task's variables (what a template sees). */
  vars?: Record<string, unknown>;
  /** creates/removes skipped the task: ok, nothing done, with this message. */
  skipped?: RegExp;
  /** Planned as `changes` say, the run then fails with a message matching this (a command's non-zero exit). */
  runFails?: RegExp;
  /** What register sees after apply; only the keys given are compared. */
  result?: Record<string, unknown>;
}

/** A playbook directory of its own for a row's controller files (removed after the row). */
function playbookDir(files: Record<string, string> | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'converge-table-'));
  for (const [p, text] of Object.entries(files ?? {})) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

const pick = (c: Change, like: Partial<Change>) => Object.fromEntries(Object.keys(like).map((k) => [k, c[k as keyof Change]]));

export function planTable(def: ModuleDefinition, rows: PlanRow[]): void {
  for (const row of rows) {
    test(`${def.name}: ${row.name}`, async (t) => {
      const baseDir = playbookDir(row.controller);
      t.after(() => rmSync(baseDir, { recursive: true, force: true }));
      const context = (host: ScriptedHost) => ({ host, baseDir, vars: row.vars });
      if (row.fails) {
        await assert.rejects(planModule(def, row.params, context(new ScriptedHost(row.observed))), row.fails);
        const run = await runModule(def, row.params, context(new ScriptedHost(row.observed)));
        assert.equal(run.status, 'failed');
        assert.match(run.message ?? '', row.fails);
        return;
      }
      const expected = row.changes ?? [];
      const checkHost = new ScriptedHost(row.observed);
      const planned = await planModule(def, row.params, context(checkHost));
      if (row.skipped) assert.match(planned.skip ?? '', row.skipped, 'skipped by creates/removes');
      assert.deepEqual(planned.changes.map((c, i) => pick(c, expected[i] ?? { property: '' })), expected, '--check changes');
      assert.deepEqual(checkHost.actions, [], 'planning changes nothing');

      const host = new ScriptedHost(row.observed);
      const outcome = await runModule(def, row.params, context(host));
      if (row.runFails) {
        assert.equal(outcome.status, 'failed');
        assert.match(outcome.message ?? '', row.runFails);
      } else {
        if (row.skipped) assert.match(outcome.message ?? '', row.skipped, 'skipped by creates/removes');
        else assert.equal(outcome.message, undefined, 'no failure');
        assert.equal(outcome.status, expected.length ? 'changed' : 'ok', 'run status (the verifying re-plan found it converged)');
      }
      if (row.actions) assert.deepEqual(host.actions, row.actions, 'what apply did');
      for (const [cmd, text] of Object.entries(row.stdin ?? {})) assert.equal(host.stdin.get(cmd), text, `stdin of ${cmd}`);
      for (const [p, text] of Object.entries(row.after ?? {})) assert.equal(host.contentOf(p), text, `content of ${p} after apply`);
      for (const [p, text] of Object.entries(row.controllerAfter ?? {})) assert.equal(readFileSync(join(baseDir, p), 'utf8'), text, `controller file ${p} after apply`);
      if (row.result) assert.deepEqual(Object.fromEntries(Object.keys(row.result).map((k) => [k, outcome.result[k]])), row.result, 'registered result');
    });
  }
}
