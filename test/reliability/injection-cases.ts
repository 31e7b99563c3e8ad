// The payloads and the playbook of the injection tests (local and over SSH),
// and the checks of an exec log. Not a test file: imported by both.

import assert from 'node:assert/strict';
import { programOf, type Exec } from './exec-trace.js';

/** Payloads without spaces (${IFS}) get past name patterns that only forbid whitespace. */
export function payloads(canary: string): string[] {
  return [
    `$(touch\${IFS}${canary}1)`,
    `\`touch\${IFS}${canary}2\``,
    `x;touch\${IFS}${canary}3`,
    `x|touch\${IFS}${canary}4`,
    `x&&touch\${IFS}${canary}5`,
    `x\ntouch ${canary}6`,
    `'$(touch\${IFS}${canary}7)'`,
    `"$(touch\${IFS}${canary}8)"`,
    `x>${canary}9`,
    `--help;touch\${IFS}${canary}10`,
  ];
}

/** apt-get -s takes a second or two per name: the package task gets the first few payloads. */
export const PACKAGE_PAYLOADS = 4;

/** One task per kind of value that reaches a command, looped over the payloads. */
export function injectionPlaybook(hosts: string, out: string, list: string[]): string {
  const items = JSON.stringify(list);
  const loop = `      loop: ${items}\n      loop_control: { index_var: i }\n      ignore_errors: true\n`;
  return `- hosts: ${hosts}
  gather_facts: false
  tasks:
    - name: paths
      file: { path: "${out}/p{{ i }}-{{ item }}", state: touch }
${loop}    - name: validate command with the path in it
      copy: { content: "x\\n", dest: "${out}/v{{ i }}-{{ item }}", validate: "cat %s" }
${loop}    - name: lineinfile path and line
      lineinfile: { path: "${out}/l{{ i }}-{{ item }}", line: "{{ item }}", create: true }
${loop}    - name: command argv
      command: { argv: [echo, "{{ item }}"] }
${loop}    - name: command free form (split into words, no shell)
      command: echo {{ item }}
${loop}    - name: package names
      package: { name: "pkg-{{ item }}", state: present }
      check_mode: true
${loop.replace(items, JSON.stringify(list.slice(0, PACKAGE_PAYLOADS)))}    - name: service names
      service: { name: "svc-{{ item }}", state: started }
      check_mode: true
${loop}    - name: user and group names
      file: { path: "${out}/p{{ i }}-{{ item }}", owner: "usr-{{ item }}", group: "grp-{{ item }}" }
${loop}`;
}

/** Programs the tasks of injectionPlaybook mean to run with the payloads as arguments. */
export const INTENDED = ['cat', 'echo', 'dpkg-query', 'apt-get', 'rpm', 'dnf', 'zypper', 'systemctl', 'getent', 'id'];

/**
 * Checks an exec log: touch never ran, and any program other than the intended
 * ones (the fixed facts probe: sh -c SCRIPT, uname, ip; ssh's login shell)
 * carries no payload text at all: it is converge's own fixed command.
 */
export function assertOnlyIntended(execs: Exec[], marker: string, intended = INTENDED): void {
  const touch = execs.filter((e) => programOf(e) === 'touch');
  assert.deepEqual(touch, [], 'touch ran');
  for (const e of execs) {
    if (intended.includes(programOf(e))) continue;
    assert.ok(!e.argv.some((a) => a.includes(marker)), `a payload reached ${e.path} outside the intended commands: ${JSON.stringify(e.argv)}`);
  }
}

/** The argv of each exec that holds `p` as one whole argument (or inside one, for paths). */
export function carriers(execs: Exec[], p: string): Exec[] {
  return execs.filter((e) => e.argv.slice(1).some((a) => a === p || a.includes(p)));
}


