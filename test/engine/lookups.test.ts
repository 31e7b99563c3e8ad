// Lookup plugins on the controller, run side by side with ansible-playbook:
// env, file, fileglob, first_found, template, lines and pipe, through lookup()
// (results joined with commas) and query() (a list). pipe and lines run their
// command without a shell: what only a shell could do is refused, so a
// variable cannot add a command.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { project } from '../helpers/cli.js';
import { ansibleAvailable, runAnsible, runConverge } from '../compat/ansible-oracle.js';

const FILES = {
  'files/motd.txt': 'welcome  \n\n',
  'files/b.conf': 'b\n',
  'files/c.conf': 'c\n',
  'files/a.conf': 'a\n',
  'templates/hello.j2': 'hello {{ who }}\n',
};

const TASKS: Array<[string, string]> = [
  ['file', `{{ lookup('file', 'motd.txt') }}|{{ lookup('file', 'motd.txt', 'b.conf') }}|{{ query('file', 'b.conf') }}`],
  ['file rstrip off', `{{ lookup('file', 'motd.txt', rstrip=false) | length }}`],
  ['fileglob', `{{ lookup('fileglob', '*.conf') | replace(playbook_dir ~ '/files/', '') }}|{{ query('fileglob', '*.conf') | map('basename') | list }}|{{ lookup('fileglob', '*.none') }}`],
  ['first_found', `{{ lookup('first_found', ['nope.txt', 'b.conf']) | basename }}|{{ lookup('first_found', 'nope', 'c.conf') | basename }}`],
  ['first_found skip', `{{ lookup('first_found', ['nope.txt'], skip=true) }}|{{ query('first_found', {'files': ['x', 'a.conf'], 'paths': [playbook_dir ~ '/files']}) | map('basename') | list }}`],
  ['template', `{{ lookup('template', 'hello.j2') }}`],
  ['lines', `{{ lookup('lines', 'printf "1\\n2\\n"') }}|{{ query('lines', 'printf "x y\\nz"') }}`],
  ['pipe', `{{ lookup('pipe', 'echo hi   there') }}|{{ lookup('pipe', "printf '%s-' a 'b c'") }}|{{ lookup('pipe', 'pwd') == playbook_dir }}`],
  ['env', `{{ lookup('env', 'CVG_LOOKUP_TEST') }}|{{ lookup('env', 'CVG_LOOKUP_UNSET') }}|{{ query('env', 'CVG_LOOKUP_TEST') }}`],
  ['wantlist', `{{ lookup('pipe', 'echo x', wantlist=true) }}`],
];

function playbook(tasks: Array<[string, string]>): string {
  return `- hosts: localhost\n  gather_facts: false\n  vars: { who: world, evil: "x; touch EVIL" }\n  tasks:\n${tasks.map(([n, m]) => `    - name: ${n}\n      debug: { msg: ${JSON.stringify(m)} }\n      ignore_errors: true\n`).join('')}`;
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('lookups give what ansible-playbook gives', () => {
  if (!ansibleAvailable()) throw new Error('ansible-playbook is not installed (scripts/test-packages.txt has ansible-core)');
  const dir = project({ ...FILES, 'pb.yaml': playbook(TASKS) }, 'cvg-lookups-');
  dirs.push(dir);
  process.env.CVG_LOOKUP_TEST = 'from env';
  try {
    const show = (t: { name: string; failed: boolean; msg?: unknown }) => [t.name, t.failed ? 'FAILED' : typeof t.msg === 'string' ? t.msg : JSON.stringify(t.msg)];
    const theirs = runAnsible(dir, 'pb.yaml').map(show);
    const ours = runConverge(dir, 'pb.yaml').map(show);
    assert.equal(ours.length, TASKS.length);
    assert.ok(theirs.every(([, m]) => m !== 'FAILED'), JSON.stringify(theirs));
    assert.deepEqual(ours, theirs);
  } finally {
    delete process.env.CVG_LOOKUP_TEST;
  }
});

test('pipe and lines refuse what needs a shell, with the construct named; nothing runs', () => {
  const refused: Array<[string, string]> = [
    ['separator from a variable', `{{ lookup('pipe', 'echo ' ~ evil) }}`],
    ['pipe', `{{ lookup('pipe', 'echo x | tr x y') }}`],
    ['redirection', `{{ lookup('lines', 'echo x > EVIL') }}`],
    ['expansion', `{{ lookup('pipe', 'echo $HOME') }}`],
    ['command substitution', `{{ lookup('pipe', 'echo "$(touch EVIL)"') }}`],
    ['glob', `{{ lookup('pipe', 'ls *.conf') }}`],
    ['tilde', `{{ lookup('pipe', 'ls ~') }}`],
    ['assignment', `{{ lookup('pipe', 'A=1 env') }}`],
    ['failing command', `{{ lookup('pipe', 'false') }}`],
  ];
  const dir = project({ 'pb.yaml': playbook(refused) }, 'cvg-lookups-');
  dirs.push(dir);
  const ours = runConverge(dir, 'pb.yaml');
  assert.equal(ours.length, refused.length);
  for (const [i, t] of ours.entries()) {
    assert.equal(t.failed, true, `${refused[i][0]}: ${JSON.stringify(t.raw)}`);
    const expected = i === refused.length - 1 ? /lookup_plugin\.pipe\(false\) returned 1/ : /needs a shell; converge runs the command without one/;
    assert.match(String(t.raw.message), expected, refused[i][0]);
    // The refusal names the task's file and line.
    assert.match(String(t.raw.message), new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/pb\\.yaml:${5 + 3 * i}: `), refused[i][0]);
  }
  assert.equal(existsSync(path.join(dir, 'EVIL')), false);
});

test('in a role, file, template and first_found look in the role before the playbook, as ansible-playbook does', () => {
  if (!ansibleAvailable()) throw new Error('ansible-playbook is not installed (scripts/test-packages.txt has ansible-core)');
  const dir = project({
    'files/both.txt': 'play files\n',
    'files/play-only.txt': 'play only\n',
    'both.txt': 'play dir\n',
    'top.txt': 'play dir only\n',
    'roles/r/files/both.txt': 'role files\n',
    'roles/r/root.txt': 'role dir\n',
    'roles/r/templates/t.j2': 'role template {{ 1 + 1 }}\n',
    'templates/t.j2': 'play template\n',
    'roles/r/tasks/main.yml': [
      `- { name: both, debug: { msg: "{{ lookup('file', 'both.txt') }}" } }`,
      `- { name: play only, debug: { msg: "{{ lookup('file', 'play-only.txt') }}" } }`,
      `- { name: role dir, debug: { msg: "{{ lookup('file', 'root.txt') }}" } }`,
      `- { name: play dir, debug: { msg: "{{ lookup('file', 'top.txt') }}" } }`,
      `- { name: template, debug: { msg: "{{ lookup('template', 't.j2') }}" } }`,
      `- { name: first_found, debug: { msg: "{{ lookup('first_found', ['nope', 'both.txt']) | replace(playbook_dir, '') }}" } }`,
    ].join('\n') + '\n',
    'pb.yaml': `- hosts: localhost\n  gather_facts: false\n  roles: [r]\n  tasks:\n    - { name: outside, debug: { msg: "{{ lookup('file', 'both.txt') }}" } }\n`,
  }, 'cvg-lookups-');
  dirs.push(dir);
  const show = (t: { name: string; failed: boolean; msg?: unknown }) => [t.name.replace(/^r : /, ''), t.failed ? 'FAILED' : String(t.msg)];
  const theirs = runAnsible(dir, 'pb.yaml').map(show);
  const ours = runConverge(dir, 'pb.yaml').map(show);
  assert.deepEqual(theirs.find(([n]) => n === 'both'), ['both', 'role files']);
  assert.deepEqual(ours, theirs);
});
