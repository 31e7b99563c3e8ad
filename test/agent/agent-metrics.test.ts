// converge agent --metrics-dir: the last run as node_exporter textfile
// metrics, checked with Prometheus's own parser (promtool check metrics, from
// Debian's prometheus package) and followed across runs: a first run, a drift
// corrected, a failed run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { converge, project } from '../helpers/cli.js';
import { AgentProcess } from './agent-process.js';

const EVERY_2S = '*/2 * * * * *';

function playbook(target: string, failing = false): string {
  return `
- hosts: localhost
  gather_facts: false
  tasks:
    - name: message of the day
      copy:
        dest: ${target}
        content: "hello\\n"
    - name: a command that ${failing ? 'fails' : 'succeeds'}
      command: ${failing ? 'false' : 'true'}
`;
}

/** promtool reads the exposition from stdin; rc 0 and no lint message when it is clean. */
function promtool(text: string): { rc: number | null; out: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool not runnable (Debian package prometheus): ${r.error.message}`);
  return { rc: r.status, out: `${r.stdout}${r.stderr}` };
}

/** name{labels} -> value, from the exposition text. */
function samples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

test('promtool refuses a broken exposition (the check below can fail)', () => {
  assert.notEqual(promtool('converge_x{host="a} 1\n').rc, 0);
});

test('agent --metrics-dir: converge_agent.prom parses with promtool and follows each run', async () => {
  const dir = project({}, 'cvg-agent-metrics-');
  const target = path.join(dir, 'motd');
  const pb = path.join(dir, 'site.yaml');
  const metrics = path.join(dir, 'textfile');
  mkdirSync(metrics);
  writeFileSync(pb, playbook(target));
  const file = path.join(metrics, 'converge_agent.prom');
  const agent = new AgentProcess([pb, '--schedule', EVERY_2S, '--state-dir', path.join(dir, 'state'), '--metrics-dir', metrics]);
  try {
    let at = await agent.waitFor(/run finished/);
    const first = readFileSync(file, 'utf8');
    const check = promtool(first);
    assert.equal(check.rc, 0, check.out);
    assert.equal(check.out.trim(), '', `promtool lint: ${check.out}`);
    const s1 = samples(first);
    const run = `{playbook="${pb}",mode="apply"}`;
    assert.equal(s1.get(`converge_agent_last_run_exit_code${run}`), 0);
    assert.equal(s1.get('converge_agent_last_run_tasks{host="localhost",status="changed"}'), 2, first);
    assert.equal(s1.get('converge_agent_last_run_tasks{host="localhost",status="failed"}'), 0);
    assert.equal(s1.get('converge_agent_last_run_drift{host="localhost"}'), 0);
    assert.equal(s1.get('converge_agent_last_run_host_status{host="localhost",status="changed"}'), 1);
    const t1 = s1.get(`converge_agent_last_run_timestamp_seconds${run}`)!;
    assert.ok(Math.abs(t1 - Date.now() / 1000) < 60, `timestamp ${t1}`);
    assert.ok(s1.get(`converge_agent_last_run_duration_seconds${run}`)! > 0);

    // A hand edit: the next run corrects it and counts it as drift.
    writeFileSync(target, 'edited\n');
    // The file is written before the run's lines are logged; the next run is 2 s away.
    at = await agent.waitFor(/corrected drift in copy/, at + 1);
    const s2 = samples(readFileSync(file, 'utf8'));
    assert.equal(s2.get('converge_agent_last_run_drift{host="localhost"}'), 1);
    assert.ok(s2.get(`converge_agent_last_run_timestamp_seconds${run}`)! > t1);

    // A failing task: the exit code and the failed count say so.
    writeFileSync(`${pb}.new`, playbook(target, true));
    renameSync(`${pb}.new`, pb);
    await agent.waitFor(/failed/, at + 1);
    for (let i = 0; ; i++) {
      const s3 = samples(readFileSync(file, 'utf8'));
      if (s3.get('converge_agent_last_run_tasks{host="localhost",status="failed"}') === 1) {
        assert.equal(s3.get(`converge_agent_last_run_exit_code${run}`), 2);
        assert.equal(s3.get('converge_agent_last_run_host_status{host="localhost",status="failed"}'), 1);
        assert.equal(promtool(readFileSync(file, 'utf8')).rc, 0);
        break;
      }
      assert.ok(i < 30, agent.log());
      await new Promise((r) => setTimeout(r, 500));
    }
    // Only the metrics file is left: no temp file next to it.
    assert.deepEqual(readdirSync(metrics), ['converge_agent.prom']);
  } finally {
    assert.equal(await agent.stop(), 0, agent.log());
  }
});

test('agent --metrics-dir that is not a directory is refused before any run', () => {
  const dir = project({}, 'cvg-agent-metrics-bad-');
  const pb = path.join(dir, 'site.yaml');
  writeFileSync(pb, playbook(path.join(dir, 'motd')));
  const r = converge(['agent', pb, '--state-dir', path.join(dir, 'state'), '--metrics-dir', path.join(dir, 'missing')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--metrics-dir .*missing: no such directory/);
  assert.throws(() => readFileSync(path.join(dir, 'motd')), 'the playbook ran');
});

test('label values with quotes, backslashes and line breaks are escaped as the format requires', async () => {
  const { formatFamilies } = await import('../../src/metrics/textfile.js');
  const text = formatFamilies([{ name: 'converge_test_value', type: 'gauge', help: 'a "test" \\ family', samples: [
    { labels: { host: 'a"b\\c\nd' }, value: 1 }, { labels: { host: 'plain' }, value: 0.5 },
  ] }]);
  const check = promtool(text);
  assert.equal(check.rc, 0, `${check.out}\n${text}`);
  assert.match(text, /host="a\\"b\\\\c\\nd"/);
  assert.throws(() => formatFamilies([{ name: 'bad-name', type: 'gauge', help: 'x', samples: [{ value: 1 }] }]), /not valid/);
});
