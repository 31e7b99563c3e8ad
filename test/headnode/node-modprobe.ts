// modprobe against a real kernel with loadable modules: the booted compute
// node (a Debian kernel, its modules in the image, python3 for Ansible). The
// build machine's own kernel has none, so this is where loading and unloading
// run for real. converge goes through its whole cycle (--check, run, second
// run, --check again) for loading `dummy` with a parameter and for unloading
// it; then the node is reset and ansible-playbook (community.general.modprobe)
// does the same; statuses, registered values and the node's state (the
// persistent files, /proc/modules, the interfaces numdummies made) are
// compared. Both tools run in the bed's switch namespace, where the node's
// address is.

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { run } from '../bed/proc.js';
import { CLI, sshToNode, type HeadnodeBed } from './fixture.js';

export type Status = 'ok' | 'changed' | 'failed' | 'skipped';
export interface Outcome { name: string; status: Status; msg?: string }

export interface NodeModprobeRuns {
  converge: {
    checkLoad: Outcome[]; load: Outcome[]; loadAgain: Outcome[]; checkLoadAgain: Outcome[];
    checkUnload: Outcome[]; unload: Outcome[]; unloadAgain: Outcome[];
    before: string; loaded: string; unloaded: string;
  };
  ansible: { load: Outcome[]; loadAgain: Outcome[]; unload: Outcome[]; before: string; loaded: string; unloaded: string };
  seconds: { converge: number; ansible: number };
}

const LOAD = `- hosts: node
  gather_facts: false
  tasks:
    - name: load dummy with two interfaces, at boot too
      community.general.modprobe: { name: dummy, params: numdummies=2, persistent: present }
      register: r
    - name: show load
      debug: { msg: "{{ r.changed }} {{ r.name }} {{ r.params }} {{ r.state }}" }
      when: not ansible_check_mode
`;

const UNLOAD = `- hosts: node
  gather_facts: false
  tasks:
    - name: unload dummy, not at boot
      modprobe: { name: dummy, state: absent, persistent: absent }
      register: r
    - name: show unload
      debug: { msg: "{{ r.changed }} {{ r.name }} {{ r.params }} {{ r.state }}" }
      when: not ansible_check_mode
`;

// What either tool leaves on the node (one ssh connection).
const STATE = [
  'for f in /etc/modules-load.d/dummy.conf /etc/modprobe.d/dummy.conf; do',
  '  if [ -e "$f" ]; then echo "$f $(stat -c %a "$f")"; cat "$f"; else echo "$f absent"; fi',
  'done',
  'echo "loaded: $(grep -c "^dummy " /proc/modules)"',
  'echo "links: $(ip -o link show type dummy | cut -d: -f2 | tr -d " " | sort | tr "\\n" " ")"',
].join('\n');

async function nodeState(bed: HeadnodeBed, ip: string): Promise<string> {
  const r = await sshToNode(bed, ip, STATE, 60_000);
  if (r.rc !== 0) throw new Error(`reading the node's state: rc ${r.rc} ${r.stderr}`);
  return r.stdout;
}

function inNetns(bed: HeadnodeBed, argv: string[]): string[] {
  return ['ip', 'netns', 'exec', bed.host.switchNetns, ...argv];
}

/** Runs every step; the caller asserts on what came back (the VM is gone by then). */
export async function modprobeOnNode(bed: HeadnodeBed, ip: string): Promise<NodeModprobeRuns> {
  const dir = path.join(bed.tmp, 'node-modprobe');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'load.yaml'), LOAD);
  writeFileSync(path.join(dir, 'unload.yaml'), UNLOAD);
  const knownHosts = path.join(dir, 'known_hosts');
  writeFileSync(path.join(dir, 'hosts.ini'),
    `node ansible_host=${ip} ansible_user=root ansible_ssh_private_key_file=${bed.nodeKey} ansible_python_interpreter=/usr/bin/python3\n`);

  const converge = async (pb: string, extra: string[] = []): Promise<Outcome[]> => {
    const r = await run(inNetns(bed, [process.execPath, CLI, pb, '-i', 'hosts.ini', '--json', '--accept-new-host-keys', '--known-hosts-file', knownHosts,
      '--state-dir', path.join(dir, 'state'), ...extra]), { cwd: dir, timeoutMs: 180_000, env: { ...process.env, NO_COLOR: '1' } });
    let doc: any;
    try { doc = JSON.parse(r.stdout); } catch { throw new Error(`converge ${pb} ${extra.join(' ')}: no JSON report (rc ${r.rc}): ${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`); }
    const host = doc.hosts.node;
    if (!host || host.unreachable) throw new Error(`converge ${pb}: node unreachable: ${host?.unreachable ?? JSON.stringify(doc).slice(0, 500)}`);
    // The messages of the show tasks that ran, and of failures.
    return host.tasks.map((t: any) => ({ name: t.name, status: t.ignored ? 'failed' : t.status,
      ...((t.name.startsWith('show ') && t.status !== 'skipped') || t.status === 'failed' ? { msg: t.message } : {}) }));
  };
  const ansible = async (pb: string): Promise<Outcome[]> => {
    const r = await run(inNetns(bed, ['ansible-playbook', pb, '-i', 'hosts.ini']), {
      cwd: dir, timeoutMs: 300_000,
      env: {
        ...process.env, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'false',
        // One ssh round trip per task: the node's CPU is emulated.
        ANSIBLE_PIPELINING: 'true',
        // The key converge recorded; a different one would be refused.
        ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o ControlMaster=no`,
      },
    });
    let doc: any;
    try { doc = JSON.parse(r.stdout.slice(Math.max(0, r.stdout.search(/^\{/m)))); } catch { throw new Error(`ansible-playbook ${pb}: no JSON (rc ${r.rc}): ${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`); }
    return doc.plays[0].tasks.filter((t: any) => t.hosts.node).map((t: any) => {
      const h = t.hosts.node;
      const status: Status = h.failed ? 'failed' : h.skipped ? 'skipped' : h.changed ? 'changed' : 'ok';
      return { name: t.task.name, status, ...((t.task.name.startsWith('show ') && status !== 'skipped') || h.failed ? { msg: typeof h.msg === 'string' ? h.msg : JSON.stringify(h.msg) } : {}) };
    });
  };

  let started = Date.now();
  const cBefore = await nodeState(bed, ip);
  const checkLoad = await converge('load.yaml', ['--check']);
  const load = await converge('load.yaml');
  const cLoaded = await nodeState(bed, ip);
  const loadAgain = await converge('load.yaml');
  const checkLoadAgain = await converge('load.yaml', ['--check']);
  const checkUnload = await converge('unload.yaml', ['--check']);
  const unload = await converge('unload.yaml');
  const cUnloaded = await nodeState(bed, ip);
  const unloadAgain = await converge('unload.yaml');
  const convergeSeconds = (Date.now() - started) / 1000;

  // Ansible starts from the node as converge found it: no files, not loaded.
  started = Date.now();
  const reset = await sshToNode(bed, ip, 'modprobe -r dummy; rm -f /etc/modules-load.d/dummy.conf /etc/modprobe.d/dummy.conf', 60_000);
  if (reset.rc !== 0) throw new Error(`resetting the node: rc ${reset.rc} ${reset.stderr}`);
  const aBefore = await nodeState(bed, ip);
  const aLoad = await ansible('load.yaml');
  const aLoaded = await nodeState(bed, ip);
  const aLoadAgain = await ansible('load.yaml');
  const aUnload = await ansible('unload.yaml');
  const aUnloaded = await nodeState(bed, ip);
  return {
    converge: { checkLoad, load, loadAgain, checkLoadAgain, checkUnload, unload, unloadAgain, before: cBefore, loaded: cLoaded, unloaded: cUnloaded },
    ansible: { load: aLoad, loadAgain: aLoadAgain, unload: aUnload, before: aBefore, loaded: aLoaded, unloaded: aUnloaded },
    seconds: { converge: convergeSeconds, ansible: (Date.now() - started) / 1000 },
  };
}
