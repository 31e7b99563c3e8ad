// The agent on a 2-second schedule against a local playbook: a hand edit is
// corrected within one tick and recorded as drift with its diff; after the
// playbook changes, the next correction is intended; --check-only records the
// drift and leaves the edit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';
import { AgentProcess } from './agent-process.js';

const EVERY_2S = '*/2 * * * * *';

function playbook(target: string, content: string): string {
  return `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: message of the day
      copy:
        dest: ${target}
        content: "${content}\\n"
`;
}

/** The agent may read the playbook at any moment: replace it whole. */
function replaceFile(file: string, text: string): void {
  writeFileSync(`${file}.new`, text);
  renameSync(`${file}.new`, file);
}

function history(stateDir: string, ...more: string[]): any[] {
  const r = converge(['history', '--json', '--state-dir', stateDir, ...more]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Change entries of localhost in the records, flattened with their record. */
function changesOf(records: any[]): Array<{ rec: any; c: any }> {
  return records.flatMap((rec) => (rec.hosts.localhost?.changes ?? []).map((c: any) => ({ rec, c })));
}

test('agent corrects a hand edit within one tick as drift, then a playbook change as intended', async () => {
  const dir = project({}, 'cvg-agent-drift-');
  const target = path.join(dir, 'motd');
  const pb = path.join(dir, 'site.yaml');
  const state = path.join(dir, 'state');
  writeFileSync(pb, playbook(target, 'version one'));
  const agent = new AgentProcess([pb, '--schedule', EVERY_2S, '--state-dir', state]);
  try {
    let at = await agent.waitFor(/run finished/);
    assert.equal(readFileSync(target, 'utf8'), 'version one\n');
    // The very first run has no baseline: creating the file is the playbook's intent.
    assert.deepEqual(changesOf(history(state)).map(({ c }) => c.kind), ['intended']);

    writeFileSync(target, 'edited by hand\n');
    // Taken after the write: a run recorded at or after this time planned against the edited file.
    const tamperedAt = new Date().toISOString();
    at = await agent.waitFor(/corrected drift in copy .*motd/, at + 1);
    assert.equal(readFileSync(target, 'utf8'), 'version one\n');

    const records = history(state);
    const drift = changesOf(records).filter(({ c }) => c.kind === 'drift');
    assert.equal(drift.length, 1, agent.log());
    const { rec, c } = drift[0];
    assert.equal(c.resource, `copy ${target}`);
    assert.equal(c.corrected, true);
    const content = c.changes.find((x: any) => x.property === 'content');
    assert.match(content.diff, /^-edited by hand$/m);
    assert.match(content.diff, /^\+version one$/m);
    // Within one tick: no run that started after the edit saw the file in sync before this one.
    const between = records.filter((r: any) => r.time >= tamperedAt && r.time < rec.time);
    assert.deepEqual(between, [], 'a run after the edit did not correct it');
    assert.equal(rec.hosts.localhost.status, 'changed');

    // The operator changes the playbook: the next correction is intended, not drift.
    replaceFile(pb, playbook(target, 'version two'));
    await agent.waitFor(/applied intended change in copy .*motd/, at + 1);
    assert.equal(readFileSync(target, 'utf8'), 'version two\n');
    const after = changesOf(history(state)).filter(({ c }) => c.kind === 'intended');
    assert.equal(after.length, 2);
    assert.match(after[1].c.changes[0].diff, /^\+version two$/m);
    assert.notEqual(after[1].rec.fingerprint, rec.fingerprint);

    // history filters and status read the same store.
    assert.equal(history(state, '--host', 'nohost').length, 0);
    assert.equal(history(state, '--since', '2099-01-01').length, 0);
    const text = converge(['history', '--state-dir', state, '--diff']);
    assert.match(text.stdout, /drift +corrected drift in copy .*motd/);
    assert.match(text.stdout, /-edited by hand/);
    const status = converge(['status', '--json', '--state-dir', state]);
    const s = JSON.parse(status.stdout);
    assert.equal(s.agent.running, true);
    assert.equal(s.agent.pid, agent.child.pid);
    assert.equal(s.agent.schedule, EVERY_2S);
    assert.equal(s.hosts.localhost.drift_found, 1);
    assert.equal(s.hosts.localhost.drift_corrected, 1);
    assert.deepEqual(s.hosts.localhost.resources.map((r: any) => [r.resource, r.drift]), [[`copy ${target}`, 1]]);
  } finally {
    try {
      const code = await agent.stop('SIGTERM');
      assert.equal(code, 0, agent.log());
      assert.equal(existsSync(path.join(state, 'lock')), false, 'the agent left its lock');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('--check-only records the drift and leaves the hand edit', async () => {
  const dir = project({}, 'cvg-agent-check-');
  const target = path.join(dir, 'motd');
  const pb = path.join(dir, 'site.yaml');
  const state = path.join(dir, 'state');
  writeFileSync(pb, playbook(target, 'managed'));
  // A manual run converges first and is recorded: it is the baseline the agent compares with.
  const manual = converge([pb, '--state-dir', state]);
  assert.equal(manual.code, 0, manual.stderr + manual.stdout);
  assert.equal(history(state)[0].source, 'manual');
  writeFileSync(target, 'edited by hand\n');

  const agent = new AgentProcess([pb, '--schedule', EVERY_2S, '--state-dir', state, '--check-only']);
  try {
    const at = await agent.waitFor(/found drift \(not corrected\) in copy .*motd/);
    // A second check-only run finds it again: still not corrected.
    await agent.waitFor(/found drift \(not corrected\) in copy .*motd/, at + 1);
    assert.equal(readFileSync(target, 'utf8'), 'edited by hand\n');
    const drift = changesOf(history(state)).filter(({ c }) => c.kind === 'drift');
    assert.ok(drift.length >= 2);
    for (const { rec, c } of drift) {
      assert.equal(rec.mode, 'check');
      assert.equal(c.corrected, false);
      assert.equal(rec.hosts.localhost.status, 'out_of_sync');
    }
    assert.match(drift[0].c.changes[0].diff, /^-edited by hand$/m);
    const s = JSON.parse(converge(['status', '--json', '--state-dir', state]).stdout);
    assert.equal(s.hosts.localhost.in_sync, false);
    assert.ok(s.hosts.localhost.drift_found >= 2);
    assert.equal(s.hosts.localhost.drift_corrected, 0);
    assert.match(converge(['status', '--state-dir', state]).stdout, /localhost: NOT in sync \(last run: out of sync\)/);

    // A playbook broken later is logged on each tick; the agent goes on.
    const broken = agent.lines.length;
    replaceFile(pb, '- hosts: localhost\n  tasks:\n    - copy: {dest: [unclosed\n');
    await agent.waitFor(/run failed: .*site\.yaml:\d+/, broken);
    assert.ok(agent.running);
  } finally {
    try {
      assert.equal(await agent.stop('SIGINT'), 0, agent.log());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
