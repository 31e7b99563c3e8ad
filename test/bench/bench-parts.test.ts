// The benchmark's own parts that decide whether a run counts: the recap
// parser (both tools' formats), the statistics, the generated playbook, and
// the plot. No timing here: the bench itself is `npm run bench`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import YAML from 'yaml';
import { parseRecap } from '../../bench/measure.js';
import { median, summarize } from '../../bench/stats.js';
import { playbookYaml, sshInventory } from '../../bench/workload.js';
import { scalingSvg } from '../../bench/plot.js';

test('recap: ansible-playbook and converge lines are summed per host', () => {
  const ansible = [
    'PLAY RECAP *********************************************************************',
    'h000                       : ok=30   changed=25   unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
    'h001                       : ok=29   changed=0    unreachable=1    failed=2    skipped=0    rescued=0    ignored=0   ',
  ].join('\n');
  assert.deepEqual(parseRecap(ansible), { hosts: 2, changed: 25, failed: 2, unreachable: 1 });
  const converge = 'changed      h000  [3] template 1\n\nRECAP (0.31 s)\nh000  ok=5 changed=25 failed=0 skipped=0 unreachable=0 ignored=0\n';
  assert.deepEqual(parseRecap(converge), { hosts: 1, changed: 25, failed: 0, unreachable: 0 });
  assert.equal(parseRecap('no recap at all').hosts, 0);
});

test('statistics: median of odd and even counts, NaN ignored', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.deepEqual(summarize([5, NaN, 1, 3]), { n: 3, median: 3, min: 1, max: 5 });
  assert.ok(Number.isNaN(median([])));
});

test('playbook: 6 tasks per group, the six kinds, each with its own directory', () => {
  const [play] = YAML.parse(playbookYaml(5)) as Array<{ tasks: Array<Record<string, unknown>>; gather_facts: boolean }>;
  assert.equal(play.tasks.length, 30);
  assert.equal(play.gather_facts, false);
  const kinds = play.tasks.map((t) => Object.keys(t).find((k) => !['name', 'register'].includes(k)));
  for (const k of ['file', 'copy', 'template', 'lineinfile', 'stat', 'command']) assert.equal(kinds.filter((x) => x === k).length, 5, k);
  assert.equal(new Set(play.tasks.map((t) => t.name)).size, 30);
});

test('inventory: every host its own directory and its own ansible control socket', () => {
  const inv = sshInventory(3, { port: 2222, user: 'root', keyFile: '/k' }, '/t', '/cp');
  assert.match(inv, /^h002 base_dir=\/t\/h002 ansible_control_path=\/cp\/h002$/m);
  assert.match(inv, /^ansible_port=2222$/m);
});

test('plot: one point per measurement, log axes, escaped titles', () => {
  const svg = scalingSvg([{ title: 'a < b', xLabel: 'tasks', series: [{ name: 'converge', points: [{ x: 30, y: 0.5 }, { x: 300, y: 1 }, { x: 3000, y: 4 }] }] }]);
  assert.equal((svg.match(/<circle /g) ?? []).length, 3);
  assert.ok(svg.includes('a &lt; b'));
  assert.ok(svg.startsWith('<svg '));
});
