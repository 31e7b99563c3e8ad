// find, slurp and tempfile, side by side with ansible-playbook: the paths
// find reports (patterns, excludes, regex, hidden, recurse, depth, size, age,
// contains, file types), the content slurp returns, where tempfile creates.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';
import { fnmatchRegExp } from '../../modules/find.js';

const paths = (r: string) => `{{ ${r}.files | map(attribute='path') | map('replace', root, 'R') | sort | join(',') }} {{ ${r}.matched }}`;

test('find, slurp, tempfile: converge and ansible-playbook agree', { timeout: 300_000 }, async () => {
  await differential({
    setup: (root) => {
      mkdirSync(`${root}/logs/old`, { recursive: true });
      mkdirSync(`${root}/logs/.cache/deep`, { recursive: true });
      mkdirSync(`${root}/tmp`);
      writeFileSync(`${root}/logs/a.log`, 'started\nERROR disk full\n');
      writeFileSync(`${root}/logs/b.log`, 'all fine\n');
      writeFileSync(`${root}/logs/c.txt`, 'x'.repeat(3000));
      writeFileSync(`${root}/logs/.hidden.log`, 'h\n');
      writeFileSync(`${root}/logs/old/ancient.log`, 'old\n');
      writeFileSync(`${root}/logs/.cache/deep/inner.log`, 'deep\n');
      symlinkSync('a.log', `${root}/logs/current.log`);
      const old = new Date('2020-01-01T00:00:00Z');
      utimesSync(`${root}/logs/old/ancient.log`, old, old);
      writeFileSync(`${root}/secret.b64`, 'line one\nüñí\n');
    },
    compare: (rel) => !rel.startsWith('tmp/'),
    tasks: `
    - name: pattern in one directory
      find: { paths: "{{ root }}/logs", patterns: "*.log" }
      register: f1
    - name: show f1
      debug: { msg: "${paths('f1')}" }
    - name: recurse with hidden and excludes
      ansible.builtin.find: { paths: "{{ root }}/logs", patterns: ["*.log", "*.txt"], excludes: "b*", recurse: true, hidden: true }
      register: f2
    - name: show f2
      debug: { msg: "${paths('f2')}" }
    - name: recurse without hidden still descends into hidden directories
      find: { paths: "{{ root }}/logs", recurse: true }
      register: f3
    - name: show f3
      debug: { msg: "${paths('f3')} {{ f3.examined }}" }
    - name: depth 1 and directories
      find: { paths: "{{ root }}/logs", recurse: true, depth: 1, file_type: directory, hidden: true }
      register: f4
    - name: show f4
      debug: { msg: "${paths('f4')}" }
    - name: regex, size and age
      find: { paths: "{{ root }}/logs", use_regex: true, patterns: '^[ac]\\.', size: 2k }
      register: f5
    - name: show f5
      debug: { msg: "${paths('f5')}" }
    - name: older than a year
      find: { paths: "{{ root }}/logs", recurse: true, age: 52w }
      register: f6
    - name: show f6
      debug: { msg: "${paths('f6')}" }
    - name: contains matches a line from its start
      find: { paths: "{{ root }}/logs", contains: 'ERROR' }
      register: f7
    - name: show f7
      debug: { msg: "${paths('f7')}" }
    - name: links and stat fields
      find: { paths: "{{ root }}/logs", file_type: link }
      register: f8
    - name: show f8
      debug: { msg: "${paths('f8')} {{ 'link' if f8.files[0].islnk else 'not-link' }} {{ f8.files[0].mode }} {{ f8.files[0].pw_name }}" }
    - name: a path that is not a directory
      find: { paths: ["{{ root }}/secret.b64", "{{ root }}/logs/old"] }
      register: f9
    - name: show f9
      debug: { msg: "${paths('f9')} {{ f9.msg }}" }
    - name: slurp a file
      slurp: { src: "{{ root }}/secret.b64" }
      register: s1
    - name: show s1
      debug: { msg: "{{ s1.content }} {{ s1.encoding }} {{ s1.content | b64decode }}" }
    - name: slurp a missing file
      ansible.builtin.slurp: { path: "{{ root }}/nope" }
      register: s2
      ignore_errors: true
    - name: show s2
      debug: { msg: "{{ s2.msg | replace(root, 'R') }}" }
    - name: temporary file
      tempfile: { path: "{{ root }}/tmp", prefix: "pre.", suffix: ".suf" }
      register: t1
    - name: show t1
      debug: { msg: "{{ t1.path | dirname | replace(root, 'R') }} {{ t1.path | basename | regex_replace('^pre\\\\.[a-zA-Z0-9_]{8}\\\\.suf$', 'matched') }}" }
    - name: temporary directory
      tempfile: { path: "{{ root }}/tmp", state: directory }
      register: t2
    - name: look at it
      stat: { path: "{{ t2.path }}" }
      when: not ansible_check_mode
      register: t2s
    - name: show t2
      debug: { msg: "{{ 'dir' if t2s.stat.isdir else 'not-dir' }} {{ t2s.stat.mode }} {{ t2.path | basename | truncate(8, True, '') }}" }
`,
    repeats: ['temporary file', 'temporary directory'],
  });
});

test('find: fnmatch as Python translates it', () => {
  const m = (p: string, s: string) => fnmatchRegExp(p).test(s);
  assert.ok(m('*.log', '.hidden.log'));
  assert.ok(m('[!a]*', 'b.txt') && !m('[!a]*', 'a.txt'));
  assert.ok(m('a[', 'a['));
  assert.ok(!m('*.LOG', 'x.log'), 'case-sensitive');
  assert.ok(m('?', '/'));
});
