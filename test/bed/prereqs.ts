// The bed's host-side tools. A fresh machine gets them from apt (the same
// list as scripts/test-packages.txt, "# test bed" section); when installing is
// not possible the error names the script that does it.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './proc.js';

/** Command -> Debian package that provides it. */
const HOST_TOOLS: Record<string, string> = {
  debootstrap: 'debootstrap',
  'systemd-nspawn': 'systemd-container',
  ip: 'iproute2',
  nft: 'nftables',
  'ssh-keygen': 'openssh-client',
  nsenter: 'util-linux',
  'qemu-system-x86_64': 'qemu-system-x86',
  radvd: 'radvd',
  udhcpc: 'udhcpc',
  rpmbuild: 'rpm',
  createrepo_c: 'createrepo-c',
  dnf: 'dnf',
  zypper: 'zypper',
  curl: 'curl',
};

/** Files (not commands) the bed needs, with their packages. */
const HOST_FILES: Record<string, string> = {
  '/usr/lib/ipxe/undionly.kpxe': 'ipxe',
  '/usr/lib/ipxe/qemu/efi-virtio.rom': 'ipxe-qemu',
  '/usr/share/OVMF/OVMF_CODE.fd': 'ovmf',
  '/bin/busybox': 'busybox-static',
};

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function haveCommand(cmd: string): boolean {
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (existsSync(join(d, cmd))) return true;
  }
  return false;
}

let checked = false;

/** Installs what is missing (once per process), or throws naming the install script. */
export async function ensureHostTools(): Promise<void> {
  if (checked) return;
  if (process.getuid?.() !== 0) throw new Error('test bed: must run as root (namespaces, mounts, nftables)');
  const missing = new Set<string>();
  for (const [cmd, pkg] of Object.entries(HOST_TOOLS)) if (!haveCommand(cmd)) missing.add(pkg);
  for (const [file, pkg] of Object.entries(HOST_FILES)) if (!existsSync(file)) missing.add(pkg);
  // busybox-static replaces /bin/busybox of the dynamic busybox: check the package itself.
  const bb = await run(['dpkg-query', '-W', '-f=${Status}', 'busybox-static']);
  if (!bb.stdout.includes('install ok installed')) missing.add('busybox-static');
  if (missing.size > 0) {
    const pkgs = [...missing];
    process.stderr.write(`test bed: installing ${pkgs.join(' ')}\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = await run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...pkgs], { env });
    if (r.rc !== 0) {
      await run(['apt-get', 'update', '-qq', '-o', 'DPkg::Lock::Timeout=600'], { env });
      r = await run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...pkgs], { env });
    }
    if (r.rc !== 0) {
      throw new Error(`test bed: missing packages ${pkgs.join(' ')} and apt-get failed:\n${r.stderr}\n` +
        `Install them with: bash scripts/install-apt.sh scripts/test-packages.txt`);
    }
  }
  checked = true;
}
