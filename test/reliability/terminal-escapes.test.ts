// A hostile host cannot drive the operator's terminal (issue 16, item 8):
// escape sequences it plants reach converge as data (a file's old content,
// a command's output and error text, the head node's boot log) and must come
// out shown, never raw. The "host" is this machine, its files and commands
// written by the test as an attacker would leave them. Every output a person
// or a program reads is checked for a raw ESC (0x1b), BEL, or C1 CSI (0x9b)
// byte: console (plain, -v, --diff, --check), --json, and `converge nodes`
// (text and --json).

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { converge, project } from '../helpers/cli.js';
import { report } from './race-fixture.js';

/** OSC title, clear screen, a C1 CSI: what a compromised host would print. */
const HOSTILE = '\x1b]0;PWNED\x07\x1b[2J\u009b31m';
const RAW = /[\x1b\x07\u009b]/;
const figures: string[] = [];

function assertNoRaw(what: string, text: string): void {
  const at = text.search(RAW);
  assert.equal(at, -1, `${what}: raw control byte at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))}`);
}

test('escape sequences in a diffed file, command output (debug, registered, failures, loop items) never reach the terminal raw', () => {
  const dir = project({}, 'cvg-escapes-');
  const target = path.join(dir, 'motd');
  writeFileSync(target, `hello\n${HOSTILE}\n`);
  writeFileSync(path.join(dir, 'pb.yaml'), `- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - copy: { content: "hello\\nclean\\n", dest: "${target}" }
    - command: printf 'line1\\n\\033]0;PWNED\\007\\033[2J\\n'
      register: out
      changed_when: false
      check_mode: false
    - debug: { var: out.stdout }
    - debug: { msg: "{{ out.stdout_lines }}" }
    - debug: { msg: "item {{ item }}" }
      loop: "{{ out.stdout_lines }}"
    - name: "a failing command: its stderr is the failure message"
      command: sh -c 'printf "%s" "$1" >&2; exit 3' sh "{{ out.stdout }}"
      ignore_errors: true
`);
  // The command prints ESC and BEL (printf's octal escapes); the C1 byte is in the file's old content.
  const outputs: Array<[string, string[]]> = [
    ['plain', []], ['-v', ['-v']], ['-vvv --diff', ['-vvv', '--diff']], ['--check --diff', ['--check', '--diff']], ['--json -v', ['--json', '-v']],
  ];
  let checked = 0;
  for (const [label, extra] of outputs) {
    writeFileSync(target, `hello\n${HOSTILE}\n`);
    const r = converge(['pb.yaml', '--state-dir', path.join(dir, 'state'), ...extra], { cwd: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assertNoRaw(`${label} stdout`, r.stdout);
    assertNoRaw(`${label} stderr`, r.stderr);
    checked++;
    if (label.startsWith('--json')) {
      // Exact in JSON: the escapes are there, as JSON escapes.
      const doc = JSON.parse(r.stdout);
      const tasks = doc.hosts.localhost.tasks;
      assert.ok(JSON.stringify(tasks).includes('\\u001b]0;PWNED\\u0007'), 'the registered output lost its escape sequence');
      assert.ok(tasks[0].changes.some((c: { diff?: string }) => c.diff?.includes('\x1b]0;PWNED\x07')), 'the diff lost the old line');
    } else {
      // Shown for the person: \x1b written out.
      assert.match(r.stdout, /\\x1b\]0;PWNED\\x07/);
      if (extra.includes('--diff')) assert.match(r.stdout, /-\\x1b\]0;PWNED\\x07\\x1b\[2J\\x9b31m/);
    }
  }
  figures.push(`playbook run: ${checked} output modes (plain, -v, -vvv --diff, --check --diff, --json -v) with a diff, debug var/msg, loop items and a failure message holding OSC/CSI/C1 sequences: 0 raw control bytes`);
});

test('converge nodes shows a boot log\'s escape sequences, never sends them (text, --json, and an error naming bad input)', () => {
  const dir = project({
    'inventory/hosts.yml': `all:
  children:
    headnode:
      hosts:
        localhost: { ansible_connection: local, ansible_become: false }
    compute:
      hosts:
        node-000: { mac: "fc:ab:14:e8:66:01", ip: 192.168.0.100, image: failsafe }
`,
  }, 'cvg-escapes-nodes-');
  mkdirSync(path.join(dir, 'images', 'failsafe-0123456789'), { recursive: true });
  const t = (Date.now() / 1000 - 60).toFixed(3);
  // A node (or anyone on the boot network) chooses the path it asks for: it lands in the log, then in the report.
  writeFileSync(path.join(dir, 'boot.log'), `${t} 192.168.0.100 404 0 "GET /nodes/${HOSTILE}.ipxe"\n`);
  const sources = path.join(dir, 'sources.json');
  writeFileSync(sources, JSON.stringify({
    journal_identifiers: ['converge-test-none'], http_log: path.join(dir, 'boot.log'), images_dir: path.join(dir, 'images'),
    ipxe_binaries: ['undionly.kpxe'], image_dirs: { failsafe: 'failsafe-0123456789' }, unknown_clients: 'deny', tftp_logged: true,
  }));
  const text = converge(['nodes', '-i', path.join(dir, 'inventory'), '--sources', sources]);
  assert.equal(text.code, 0, text.stderr);
  assertNoRaw('nodes stdout', text.stdout);
  assert.match(text.stdout, /asked for its iPXE script \(\/nodes\/\\x1b\]0;PWNED\\x07\\x1b\[2J\\x9b31m\.ipxe\) and got HTTP 404/);
  const json = converge(['nodes', '-i', path.join(dir, 'inventory'), '--sources', sources, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assertNoRaw('nodes --json', json.stdout);
  assert.ok(JSON.stringify(json.json.nodes[0].summary).includes('\\u001b]0;PWNED\\u0007'), json.stdout);
  // A sources file the head node hands back with escapes in it: the error quoting it is shown, not sent.
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, `{${HOSTILE}`);
  const err = converge(['nodes', '-i', path.join(dir, 'inventory'), '--sources', bad]);
  assert.notEqual(err.code, 0);
  assert.match(err.stderr, /bad\.json on localhost is not JSON/);
  assertNoRaw('nodes error', err.stderr);
  figures.push('converge nodes: a boot log request path and a bad sources file with OSC/CSI/C1 sequences: text, --json and the error hold 0 raw control bytes');
  report('terminal-escapes', figures);
});
