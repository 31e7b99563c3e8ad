// What the race tests share: a directory the unprivileged attacker owns, the
// attacker itself (racer.js under setpriv as nobody), root-owned victims whose
// state is recorded before and compared after, and the converge CLI.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, sleep, type CliResult } from './cli-process.js';

export const NOBODY = 65534;
const RACER = fileURLToPath(new URL('./racer.js', import.meta.url));

export interface Racer {
  /** Lines the racer printed so far (one per swap or read). */
  lines(): string[];
  /** Kills the racer (SIGKILL: it loops without ever yielding to signal handlers) and waits for it. */
  stop(): Promise<string[]>;
}

/** Starts racer.js as nobody:nogroup with no supplementary groups. */
export async function startRacer(limitMs: number, args: string[]): Promise<Racer> {
  const child: ChildProcess = spawn('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', '--',
    process.execPath, RACER, String(limitMs), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  // 'close', not 'exit': the lines still in the pipe when it is killed are counted too.
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  // Node's start-up: the racer is looping once its first readdir/lstat ran; give it that much time.
  await sleep(120);
  const lines = () => out.split('\n').filter(Boolean);
  return {
    lines,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      return lines();
    },
  };
}

/** A directory owned by the attacker, inside a root-owned one everyone may traverse. */
export function attackerDir(parent: string, name: string): string {
  const d = path.join(parent, name);
  fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  fs.chmodSync(d, 0o755);
  fs.chownSync(d, NOBODY, NOBODY);
  return d;
}

/** mode, owner, group and content of a root-owned victim file, to compare before and after. */
export function fingerprint(p: string): string {
  const st = fs.lstatSync(p);
  return `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${st.isFile() ? fs.readFileSync(p, 'latin1') : ''}`;
}

/** converge's temp files (writes, validation, downloads) anywhere under `dir`, except inside what the racer moved away. */
export function convergeTemps(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try { names = fs.readdirSync(d); } catch { return; }
    for (const n of names) {
      if (n.startsWith('.gone-')) continue;
      const p = path.join(d, n);
      if (n.includes('.converge-')) out.push(p);
      // A name converge removes between the readdir and the lstat is no longer there: not a temp file left.
      if (fs.lstatSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** converge run on the local machine with a state directory of the test's own. */
export function converge(playbook: string, stateDir: string, extra: string[] = []): Promise<CliResult> {
  return runCli([playbook, ...extra], { cwd: path.dirname(playbook), env: { CONVERGE_STATE_DIR: stateDir } });
}

/** Ends each test file with its figures on one line (the README's reliability table quotes them). */
export function report(tag: string, figures: string[]): void {
  process.stdout.write(`# ${tag}: ${figures.join('; ')}\n`);
}

/**
 * The same machine reached over SSH with sudo (a real sshd on 127.0.0.1, a
 * non-root login with become): the race tests run their playbook against it
 * too, so the privileged shell's helpers and commands meet the same attacker.
 */
export interface SudoTarget {
  /** converge arguments that reach it (inventory host `s1`). */
  args: string[];
  stop(): Promise<void>;
}

export async function sudoTarget(tag: string, dir: string, hosts = 1): Promise<SudoTarget> {
  const { createUsers, removeUsers, startSshd, testUsers } = await import('../host/sshd-fixture.js');
  const sshd = await startSshd();
  const users = testUsers(tag);
  await createUsers(users);
  const inv = path.join(dir, `ssh-${tag}.yaml`);
  // Hosts s1, s2 ...: the same machine through separate connections (converge runs hosts in parallel).
  const line = (n: number) => `    s${n}: { ansible_host: 127.0.0.1, ansible_port: ${sshd.port}, `
    + `ansible_ssh_private_key_file: ${sshd.clientKey}, ansible_user: ${users.nopw}, ansible_become: true }\n`;
  fs.writeFileSync(inv, 'all:\n  hosts:\n' + Array.from({ length: hosts }, (_, i) => line(i + 1)).join(''));
  return {
    args: ['-i', inv, '--known-hosts-file', sshd.knownHosts],
    stop: async () => { await sshd.stop(); await removeUsers(users); },
  };
}
