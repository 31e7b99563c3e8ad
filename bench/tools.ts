// What the bench needs on the machine, and how each tool is invoked.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/bench/ -> the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * The converge under test: this checkout's build, or BENCH_CONVERGE_CLI (a
 * build of a fixed commit, so that edits made meanwhile in a shared checkout
 * do not change what is measured).
 */
export let CONVERGE_CLI = process.env.BENCH_CONVERGE_CLI ?? binOf(REPO_ROOT);

/** The `converge` bin as package.json declares it (the shipped bundle), else the tsc output. */
function binOf(tree: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(tree, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    const bin = pkg.bin?.converge;
    if (bin && fs.existsSync(path.join(tree, bin))) return path.join(tree, bin);
  } catch { /* fall through */ }
  return path.join(tree, 'dist', 'src', 'cli', 'main.js');
}
let testedCommit: string | undefined = process.env.BENCH_CONVERGE_COMMIT;

/**
 * Builds the committed HEAD into a directory of its own (git archive, the
 * checkout's node_modules linked, `npm run build`) and measures its
 * `converge` bin from now on.
 * For a checkout that other people are editing while the bench runs.
 */
export function useSnapshotOfHead(log: (s: string) => void): void {
  const commit = spawnSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const dir = path.join('/tmp', `cvgb-snapshot-${commit}`);
  const built = path.join(dir, '.bench-built');
  if (!fs.existsSync(built)) {
    log(`building a snapshot of ${commit} in ${dir} ...`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const sh = (cmd: string) => {
      const r = spawnSync('sh', ['-c', cmd], { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd}: ${r.stdout}${r.stderr}`);
    };
    sh(`git -C '${REPO_ROOT}' archive HEAD | tar -x -C '${dir}'`);
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    // The project's own build (tsc, precompiled validators, the bundle): what users run.
    sh('npm run --silent build');
    fs.writeFileSync(built, commit + '\n');
  }
  CONVERGE_CLI = binOf(dir);
  testedCommit = commit;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Installs ansible-core, GNU time and OpenSSH from Debian's packages where missing. */
export function ensurePrerequisites(log: (s: string) => void): void {
  const missing: string[] = [];
  if (!onPath('ansible-playbook')) missing.push('ansible-core');
  if (!fs.existsSync('/usr/bin/time')) missing.push('time');
  if (!fs.existsSync('/usr/sbin/sshd')) missing.push('openssh-server');
  if (!onPath('ssh') || !onPath('ssh-keygen')) missing.push('openssh-client');
  if (!fs.existsSync('/usr/lib/openssh/sftp-server')) missing.push('openssh-sftp-server');
  if (missing.length === 0) return;
  log(`installing ${missing.join(' ')} ...`);
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...missing], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed (${r.status})`);
}

export function ansibleVersion(): string {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n')[0].trim();
}

export function convergeCommit(): string {
  if (testedCommit) return testedCommit;
  const r = spawnSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return (r.stdout ?? '').trim();
}

export function cpuModel(): string {
  const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? 'unknown';
  const count = info.split('\n').filter((l) => l.startsWith('processor')).length;
  return `${model} (${count} logical CPUs)`;
}

export function memTotalMiB(): number {
  const m = /^MemTotal:\s+(\d+)/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

/** Closes ansible's persistent ssh masters (their sockets are in controlDir). */
export function closeAnsibleMasters(controlDir: string): void {
  if (!fs.existsSync(controlDir)) return;
  for (const s of fs.readdirSync(controlDir)) {
    spawnSync('ssh', ['-o', `ControlPath=${path.join(controlDir, s)}`, '-O', 'exit', 'bench-master'], { stdio: 'ignore', timeout: 5000 });
  }
}

export function convergeArgv(playbook: string, inventory: string, knownHosts?: string, extra: string[] = []): string[] {
  return [process.execPath, CONVERGE_CLI, playbook, '-i', inventory, '--color', 'never',
    ...(knownHosts ? ['--known-hosts-file', knownHosts] : []), ...extra];
}

export function ansibleArgv(playbook: string, inventory: string, forks: number, extra: string[] = []): string[] {
  return ['ansible-playbook', '-i', inventory, '--forks', String(forks), playbook, ...extra];
}
