// PXE-booting a qemu VM (TCG) on a bed host's private network: a tap in the
// host's switch namespace on its bridge, radvd there so iPXE does not wait
// ~15 s for an IPv6 router, the serial console streamed to a log file.
// Success is TEXT appearing on the console (as a substring: the stream
// carries escape codes); the VM is killed afterwards either way.

import { spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureHostTools } from './prereqs.js';
import { pidAlive, runOk, runSync, tail } from './proc.js';
import { readState, writeState, type HostState } from './state.js';

export interface PxeOptions {
  mac: string;
  /** OVMF on q35 instead of SeaBIOS. */
  uefi?: boolean;
  /** Text on the serial console that means success. */
  expect: string;
  timeoutS?: number;
  memoryMB?: number;
}

export interface PxeResult {
  ok: true;
  seconds: number;
  logPath: string;
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** radvd config: advertise a router with no prefix and no default route, only so iPXE stops waiting. */
function radvdConf(bridge: string): string {
  return `interface ${bridge} {\n  AdvSendAdvert on;\n  MinRtrAdvInterval 3;\n  MaxRtrAdvInterval 10;\n  AdvDefaultLifetime 0;\n};\n`;
}

async function ensureRadvd(st: HostState): Promise<void> {
  if (st.radvdPid && pidAlive(st.radvdPid)) return;
  await runOk(['ip', 'netns', 'exec', st.switchNetns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.forwarding=1']);
  const conf = join(st.dir, 'radvd.conf');
  writeFileSync(conf, radvdConf(st.bridge));
  const child = spawn('ip', ['netns', 'exec', st.switchNetns, 'radvd', '-n', '-C', conf, '-p', join(st.dir, 'radvd.pid'),
    '-m', 'logfile', '-l', join(st.dir, 'radvd.log')], { detached: true, stdio: 'ignore' });
  child.unref();
  st.radvdPid = child.pid;
  writeState(st);
}

function qemuArgv(st: HostState, tap: string, o: PxeOptions, varsPath: string): string[] {
  const nic = `virtio-net-pci,netdev=n0,mac=${o.mac}${o.uefi ? ',bootindex=1' : ''}`;
  const argv = ['ip', 'netns', 'exec', st.switchNetns, 'qemu-system-x86_64', '-accel', 'tcg', '-m', String(o.memoryMB ?? 512), '-smp', '1',
    '-nographic', '-no-reboot', '-serial', 'stdio', '-monitor', 'none', '-display', 'none',
    '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', nic];
  if (o.uefi) {
    argv.push('-machine', 'q35', '-drive', 'if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd',
      '-drive', `if=pflash,format=raw,file=${varsPath}`);
  } else {
    argv.push('-boot', 'n');
  }
  return argv;
}

/** Boots a VM on host NAME's private network until o.expect appears on its console. */
export async function pxeBoot(name: string, o: PxeOptions): Promise<PxeResult> {
  await ensureHostTools();
  if (!MAC_RE.test(o.mac)) throw new Error(`pxe: bad MAC "${o.mac}"`);
  const st = readState(name);
  if (!st) throw new Error(`pxe: no bed host named ${name}`);
  await ensureRadvd(st);
  const id = o.mac.toLowerCase().replace(/:/g, '').slice(-6);
  const tap = `vm${id}`;
  const logPath = join(st.dir, `pxe-${id}.log`);
  const varsPath = join(st.dir, `ovmf-vars-${id}.fd`);
  if (o.uefi) copyFileSync('/usr/share/OVMF/OVMF_VARS.fd', varsPath);
  runSync(['ip', '-n', st.switchNetns, 'link', 'del', tap]);
  await runOk(['ip', '-n', st.switchNetns, 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  await runOk(['ip', '-n', st.switchNetns, 'link', 'set', tap, 'master', st.bridge, 'up']);
  const started = Date.now();
  const log = createWriteStream(logPath);
  const vm = spawn(qemuArgv(st, tap, o, varsPath)[0], qemuArgv(st, tap, o, varsPath).slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const vmState = { pid: vm.pid ?? 0, tap, log: logPath };
  const fresh = readState(name) ?? st;
  fresh.vms = [...(fresh.vms ?? []), vmState];
  writeState(fresh);
  const timeoutMs = (o.timeoutS ?? 180) * 1000;
  let seen = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pxe: "${o.expect}" not seen within ${timeoutMs / 1000} s`)), timeoutMs);
      const onData = (d: Buffer) => {
        log.write(d);
        seen = (seen + d.toString('latin1')).slice(-Math.max(65536, o.expect.length * 2));
        if (seen.includes(o.expect)) { clearTimeout(timer); resolve(); }
      };
      vm.stdout!.on('data', onData);
      vm.stderr!.on('data', onData);
      vm.on('exit', (code) => {
        // let the last output arrive before judging
        setTimeout(() => { clearTimeout(timer); reject(new Error(`pxe: VM exited (rc ${code}) before "${o.expect}" appeared`)); }, 200);
      });
    });
    return { ok: true, seconds: (Date.now() - started) / 1000, logPath };
  } catch (e) {
    await new Promise((r) => log.end(r));
    const text = existsSync(logPath) ? readFileSync(logPath, 'latin1') : '';
    throw new Error(`${(e as Error).message}\n--- serial console (tail of ${logPath}) ---\n${tail(text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''), 40)}`);
  } finally {
    if (vm.exitCode === null) vm.kill('SIGKILL');
    await new Promise((r) => (vm.exitCode !== null || vm.signalCode !== null ? r(null) : vm.once('exit', r)));
    log.end();
    runSync(['ip', '-n', st.switchNetns, 'link', 'del', tap]);
    const now = readState(name);
    if (now) {
      now.vms = (now.vms ?? []).filter((v) => v.pid !== vmState.pid);
      writeState(now);
    }
  }
}
