// The head node scenarios: playbooks/headnode.yaml against a converged
// debian12 test-bed host, as a no-change run and as --check. converge only:
// the playbook uses modules that ansible-core does not ship (firewalld is in
// the ansible.posix collection) and converge's own, so the same file cannot be
// given to ansible-playbook.
//
// The host is a test-bed host (test/bed), prepared the way the head node
// tests prepare it: the head node's address on its private NIC, an inventory
// with the repository's cluster variables plus the bed's (public interface,
// NFS-Ganesha instead of a kernel server). The first converge (packages, the
// compute image: minutes) is the prime; it is timed and reported, not
// repeated.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
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

const HEADNODE_IP = '192.168.0.1';

interface BedHostLike {
  name: string; address: string; port: number; user: string; privateKeyPath: string; knownHostsPath: string;
  privateInterface: string; execOk(argv: string[]): Promise<unknown>;
}
interface BedApi {
  upHost(flavor: string, o?: { name?: string; persistent?: boolean }): Promise<BedHostLike>;
  getHost(name: string): BedHostLike | undefined;
  downHost(name: string): Promise<void>;
}

/** The tree the converge under test was built from (a snapshot or this checkout). */
function treeOfCli(): string {
  return path.resolve(path.dirname(tools.CONVERGE_CLI), '..', '..', '..');
}

function writeInventory(dir: string, tree: string, h: BedHostLike, nodePub: string): string {
  fs.mkdirSync(path.join(dir, 'group_vars', 'all'), { recursive: true });
  fs.copyFileSync(path.join(tree, 'inventory', 'group_vars', 'all.yml'), path.join(dir, 'group_vars', 'all', '00-cluster.yml'));
  fs.copyFileSync(path.join(tree, 'inventory', 'group_vars', 'compute.yml'), path.join(dir, 'group_vars', 'compute.yml'));
  fs.writeFileSync(path.join(dir, 'group_vars', 'all', '90-testbed.yml'), YAML.stringify({
    public_interface: 'host0',
    nfs_server: 'ganesha',
    compute_authorized_keys: [nodePub],
  }));
  const repoInv = YAML.parse(fs.readFileSync(path.join(tree, 'inventory', 'hosts.yml'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'hosts.yml'), YAML.stringify({
    all: {
      children: {
        headnode: {
          hosts: {
            [h.name]: {
              ansible_host: h.address, ansible_port: h.port, ansible_user: h.user,
              ansible_ssh_private_key_file: h.privateKeyPath, ansible_become: true,
            },
          },
        },
        compute: { hosts: repoInv.all.children.compute.hosts },
      },
    },
  }));
  return dir;
}

/**
 * Sets up (and primes) the head node scenarios. hostName: an existing bed
 * host to use (left up afterwards); otherwise one is created and torn down.
 */
export async function headnodeScenarios(ctx: { work: string; convergeEnv: NodeJS.ProcessEnv }, log: (s: string) => void,
  hostName?: string): Promise<HeadnodeSetup> {
  const none = async () => {};
  const tree = treeOfCli();
  const playbook = path.join(tree, 'playbooks', 'headnode.yaml');
  const bedModule = path.join(tree, 'dist', 'test', 'bed', 'index.js');
  if (!fs.existsSync(playbook)) return { scenarios: [], skipped: [{ id: 'headnode', reason: `${playbook} does not exist` }], cleanup: none };
  if (!fs.existsSync(bedModule)) return { scenarios: [], skipped: [{ id: 'headnode', reason: 'the test bed (dist/test/bed) is not built' }], cleanup: none };

  const bed = (await import(pathToFileURL(bedModule).href)) as BedApi;
  let created = false;
  let host: BedHostLike | undefined;
  const cleanup = async () => { if (created && host) await bed.downHost(host.name); };
  try {
    if (hostName) {
      host = bed.getHost(hostName);
      if (!host) throw new Error(`no test-bed host named ${hostName}`);
    } else {
      log('\n== headnode: starting a debian12 test-bed host ...');
      host = await bed.upHost('debian12', { name: `cvgb-head-${process.pid % 10000}` });
      created = true;
    }
    // Idempotent: the address may be there from an earlier bench on the same host.
    await host.execOk(['sh', '-c', `ip -4 addr show dev ${host.privateInterface} | grep -q ' ${HEADNODE_IP}/' || ip addr add ${HEADNODE_IP}/24 dev ${host.privateInterface}`]);
    const dir = path.join(ctx.work, 'headnode');
    fs.mkdirSync(dir, { recursive: true });
    const key = path.join(dir, 'node_key');
    if (!fs.existsSync(key)) spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'converge-bench', '-f', key]);
    const inventory = writeInventory(path.join(dir, 'inventory'), tree, host, fs.readFileSync(key + '.pub', 'utf8').trim());
    const argv = tools.convergeArgv(playbook, inventory, host.knownHostsPath);

    log(`  first converge of ${host.name} (packages, images: minutes) ...`);
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
      tasks: 0, hosts: 1, connection: 'ssh' as const, kind,
      tools: [{
        tool: 'converge' as const,
        argv: kind === 'check' ? [...argv, '--check'] : argv,
        env: ctx.convergeEnv, cwd: dir,
        cgroup: undefined,
        expect: { hosts: 1, changed: 0 },
      }],
    }));
    return { scenarios, skipped: [], prime, cleanup };
  } catch (e) {
    await cleanup();
    return { scenarios: [], skipped: [{ id: 'headnode', reason: `setup failed: ${e instanceof Error ? e.message : String(e)}` }], cleanup: none };
  }
}
