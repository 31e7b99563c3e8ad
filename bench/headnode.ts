// The head node scenarios: playbooks/headnode.yaml against a converged
// debian12 test-bed host, as a no-change run and as --check. converge only:
// the playbook uses modules that ansible-core does not ship (firewalld is in
// the ansible.posix collection) and converge's own, so the same file cannot be
// given to ansible-playbook.
//
// The host is a test-bed host (test/bed), prepared by the head node tests'
// own fixture (test/headnode/fixture.ts: the head node's address on its
// private NIC, an inventory with the repository's cluster variables plus the
// bed's, the compute tree from the machine's cache when there is one). The
// first converge (packages, images: minutes) is the prime; it is timed and
// reported, not repeated.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { measure, parseRecap } from './measure.js';
import type { Scenario } from './scenario.js';
import * as tools from './tools.js';

export interface HeadnodeSetup {
  scenarios: Scenario[];
  skipped: Array<{ id: string; reason: string }>;
  /** The first converge of the host (not a measured scenario). */
  prime?: { wallMs: number; exitCode: number; recap: ReturnType<typeof parseRecap> };
  cleanup(): Promise<void>;
}

interface BedHostLike { name: string; knownHostsPath: string }
interface BedApi {
  upHost(flavor: string, o?: { name?: string }): Promise<BedHostLike>;
  downHost(name: string): Promise<void>;
}
/** test/headnode/fixture.ts: the head node tests' own preparation of a bed host. */
interface FixtureApi {
  prepareHeadnode(h: BedHostLike): Promise<{ inventory: string; seeded: boolean; tmp: string }>;
}

/** The tree the converge under test was built from (a snapshot or this checkout). */
function treeOfCli(): string {
  let dir = path.dirname(tools.CONVERGE_CLI);
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Starts a bed host, prepares and converges it (the prime), and returns the scenarios on it; cleanup() tears it down. */
export async function headnodeScenarios(ctx: { work: string; convergeEnv: NodeJS.ProcessEnv }, log: (s: string) => void): Promise<HeadnodeSetup> {
  const none = async () => {};
  const tree = treeOfCli();
  const playbook = path.join(tree, 'playbooks', 'headnode.yaml');
  const bedModule = path.join(tree, 'dist', 'test', 'bed', 'index.js');
  const fixtureModule = path.join(tree, 'dist', 'test', 'headnode', 'fixture.js');
  const skip = (reason: string): HeadnodeSetup => ({ scenarios: [], skipped: [{ id: 'headnode', reason }], cleanup: none });
  if (!fs.existsSync(playbook)) return skip(`${playbook} does not exist`);
  if (!fs.existsSync(bedModule)) return skip('the test bed (dist/test/bed) is not built');
  if (!fs.existsSync(fixtureModule)) return skip('the head node test fixture (dist/test/headnode/fixture.js) is not built');

  const bed = (await import(pathToFileURL(bedModule).href)) as BedApi;
  const fixture = (await import(pathToFileURL(fixtureModule).href)) as FixtureApi;
  let host: BedHostLike | undefined;
  let tmp: string | undefined;
  const cleanup = async () => {
    if (host) await bed.downHost(host.name);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    log('\n== headnode: starting a debian12 test-bed host ...');
    host = await bed.upHost('debian12', { name: `cvgb-head-${process.pid % 100000}` });
    const prepared = await fixture.prepareHeadnode(host);
    tmp = prepared.tmp;
    const dir = path.join(ctx.work, 'headnode');
    fs.mkdirSync(dir, { recursive: true });
    const argv = tools.convergeArgv(playbook, prepared.inventory, host.knownHostsPath);
    const validated = spawnSync(argv[0], [argv[1], 'validate', playbook, '-i', prepared.inventory], { encoding: 'utf8' });
    const tasks = Number(/(\d+) task/.exec(validated.stdout ?? '')?.[1] ?? 0);

    log(`  first converge of ${host.name} (packages, images${prepared.seeded ? '; compute tree from the cache' : ''}: minutes) ...`);
    const m = await measure(argv, { cwd: dir, env: ctx.convergeEnv, sampleMs: 1000 });
    const recap = parseRecap(m.stdout);
    const prime = { wallMs: m.wallMs, exitCode: m.exitCode, recap };
    log(`  first converge: exit ${m.exitCode}, ${(m.wallMs / 1000).toFixed(0)} s, changed=${recap.changed} failed=${recap.failed}`);
    if (m.exitCode !== 0) {
      const tail = (m.stdout + '\n' + m.stderr).trim().split('\n').slice(-12).join(' | ');
      return { scenarios: [], prime, skipped: [{ id: 'headnode', reason: `the first converge of the bed host failed (exit ${m.exitCode}): ${tail}` }], cleanup };
    }
    const scenarios: Scenario[] = (['no-change', 'check'] as const).map((kind) => ({
      id: `headnode-${kind}`,
      title: `playbooks/headnode.yaml, ${kind === 'check' ? '--check' : 'no-change run'}, converged debian12 bed host over SSH (converge only)`,
      tasks, hosts: recap.hosts, connection: 'ssh' as const, kind,
      tools: [{
        tool: 'converge' as const,
        argv: kind === 'check' ? [...argv, '--check'] : argv,
        env: ctx.convergeEnv, cwd: dir,
        cgroup: undefined,
        // The play's hosts as the first converge reported them (the head node, and the compute image as a chroot host).
        expect: { hosts: recap.hosts, changed: 0 },
      }],
    }));
    return { scenarios, skipped: [], prime, cleanup };
  } catch (e) {
    await cleanup();
    return { scenarios: [], skipped: [{ id: 'headnode', reason: `setup failed: ${e instanceof Error ? e.message : String(e)}` }], cleanup: none };
  }
}
