#!/usr/bin/env node
// `npm run testbed -- up FLAVOR [--name NAME] | down NAME|--all | list | flavors | exec NAME CMD... |
//  ssh-command NAME | pxe NAME --mac MAC [--uefi] --expect TEXT [--timeout S]`
// Hosts created here stay up until `down` (they are not tied to this process).

import { Command } from 'commander';
import { BedHost, downAll, downHost, getHost, listHosts, upHost } from './index.js';
import { loadFlavors } from './flavors.js';

function hostJson(h: BedHost): Record<string, unknown> {
  return {
    name: h.name, flavor: h.flavor, address: h.address, port: h.port, user: h.user,
    privateKeyPath: h.privateKeyPath, rootUser: h.rootUser, sudoPassword: h.sudoPassword,
    passwordSudoUser: h.passwordSudoUser, privateInterface: h.privateInterface, bridge: h.bridge,
    switchNetns: h.switchNetns, netns: h.netns, hostAddress: h.hostAddress, leaderPid: h.leaderPid,
    hostKeyFingerprint: h.hostKeyFingerprint, knownHostsLine: h.knownHostsLine, knownHostsPath: h.knownHostsPath,
    rootDir: h.rootDir, logPath: h.logPath, sshCommand: h.sshArgv().join(' '),
  };
}

const program = new Command('testbed').description('converge test bed: disposable systemd hosts with SSH, a private network and PXE VMs');

program.command('up').argument('<flavor>').option('--name <name>', 'host name (default: FLAVOR-xxxx)')
  .description('boot a host and print its connection details as JSON')
  .action(async (flavor: string, o: { name?: string }) => {
    const h = await upHost(flavor, { name: o.name, persistent: true });
    process.stdout.write(JSON.stringify(hostJson(h), null, 2) + '\n');
  });

program.command('down').argument('[name]').option('--all', 'every bed host on this machine')
  .description('stop a host and remove everything it created')
  .action(async (name: string | undefined, o: { all?: boolean }) => {
    if (o.all) {
      const gone = await downAll();
      process.stdout.write(gone.map((n) => `down ${n}\n`).join(''));
      return;
    }
    if (!name) throw new Error('down: NAME or --all');
    if (!getHost(name)) throw new Error(`down: no host named ${name}`);
    await downHost(name);
  });

program.command('list').option('--json', 'as JSON').description('hosts that are up').action((o: { json?: boolean }) => {
  const hosts = listHosts();
  if (o.json) {
    process.stdout.write(JSON.stringify(hosts, null, 2) + '\n');
    return;
  }
  for (const s of hosts) process.stdout.write(`${s.name}\t${s.flavor}\t${s.address}\t${s.ownerPid === null ? 'persistent' : `owner ${s.ownerPid}`}\n`);
});

program.command('exec').argument('<name>').argument('<argv...>').description('run a command as root inside a host (nsenter)')
  .action(async (name: string, argv: string[]) => {
    const h = getHost(name);
    if (!h) throw new Error(`exec: no host named ${name}`);
    const r = await h.exec(argv);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.rc;
  });

program.command('ssh-command').argument('<name>').option('--user <user>', 'login (default: the sudo user)')
  .description('print the ssh command line that logs into a host').action((name: string, o: { user?: string }) => {
    const h = getHost(name);
    if (!h) throw new Error(`ssh-command: no host named ${name}`);
    process.stdout.write(h.sshArgv(o.user).join(' ') + '\n');
  });

program.command('flavors').description('the flavors a host can have').action(async () => {
  for (const f of Object.values(await loadFlavors())) process.stdout.write(`${f.name}\t${f.description}\n`);
});

program.command('pxe').argument('<name>').requiredOption('--mac <mac>', 'the VM NIC MAC address')
  .option('--uefi', 'boot with OVMF (q35) instead of BIOS').requiredOption('--expect <text>', 'serial console text meaning success')
  .option('--timeout <seconds>', 'give up after this long', '180')
  .description("PXE-boot a qemu VM on a host's private network until TEXT appears on its serial console")
  .action(async (name: string, o: { mac: string; uefi?: boolean; expect: string; timeout: string }) => {
    const { pxeBoot } = await import('./pxe.js');
    const r = await pxeBoot(name, { mac: o.mac, uefi: !!o.uefi, expect: o.expect, timeoutS: Number(o.timeout) });
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  });

program.parseAsync().catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
