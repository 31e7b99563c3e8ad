// What a PXE-booted VM loads, cached under CACHE_DIR/pxe-assets/: a Debian
// kernel (apt-get download of the current linux-image-*-amd64, unpacked with
// dpkg-deb, never installed) and a busybox initramfs whose /init prints a
// marker on the serial console and powers off. Also the iPXE binaries of the
// build machine's `ipxe` package.

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDirLock } from './cache-lock.js';
import { ensureHostTools } from './prereqs.js';
import { runOk } from './proc.js';
import { CACHE_DIR } from './state.js';

export interface PxeAssets {
  /** bzImage of a Debian 12 kernel (serial console, devtmpfs and gzip initramfs built in). */
  kernel: string;
  kernelVersion: string;
  /** gzip newc initramfs: busybox; /init prints PXE_MARKER and the kernel's `bedmarker=` argument, then powers off. */
  initrd: string;
  /** iPXE for BIOS PXE ROMs (chainloaded over TFTP) and for UEFI. */
  undionly: string;
  ipxeEfi: string;
}

/** Printed by the initramfs's /init (followed by `bedmarker=` from the kernel command line, if any). */
export const PXE_MARKER = 'CONVERGE-BED-INITRAMFS-UP';

const INIT_SCRIPT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
for arg in $(/bin/busybox cat /proc/cmdline); do
  case "$arg" in bedmarker=*) MARK="\${arg#bedmarker=}";; esac
done
echo "${PXE_MARKER} \${MARK:-}"
echo "${PXE_MARKER} \${MARK:-}" > /dev/ttyS0 2>/dev/null
/bin/busybox poweroff -f
`;

const ASSET_DIR = join(CACHE_DIR, 'pxe-assets');

async function currentKernelPackage(): Promise<string> {
  const r = await runOk(['apt-cache', 'depends', 'linux-image-amd64']);
  const m = /Depends: (linux-image-[0-9][^\s]*-amd64)/.exec(r.stdout);
  if (!m) throw new Error(`test bed: cannot tell the current kernel package from apt-cache depends linux-image-amd64:\n${r.stdout}`);
  return m[1];
}

async function ensureKernel(): Promise<{ kernel: string; version: string }> {
  mkdirSync(ASSET_DIR, { recursive: true });
  const have = readdirSync(ASSET_DIR).filter((f) => /^vmlinuz-/.test(f)).sort();
  if (have.length > 0) return { kernel: join(ASSET_DIR, have[have.length - 1]), version: have[have.length - 1].slice(8) };
  const pkg = await currentKernelPackage();
  const tmp = mkdtempSync(join(tmpdir(), 'cvbed-kernel-'));
  try {
    await runOk(['apt-get', 'download', '-q', pkg], { cwd: tmp });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`test bed: apt-get download ${pkg} left no .deb`);
    await runOk(['dpkg-deb', '-x', join(tmp, deb), join(tmp, 'x')]);
    const vmlinuz = readdirSync(join(tmp, 'x/boot')).find((f) => f.startsWith('vmlinuz-'));
    if (!vmlinuz) throw new Error(`test bed: ${deb} has no /boot/vmlinuz-*`);
    copyFileSync(join(tmp, 'x/boot', vmlinuz), join(ASSET_DIR, `${vmlinuz}.tmp`));
    renameSync(join(ASSET_DIR, `${vmlinuz}.tmp`), join(ASSET_DIR, vmlinuz));
    return { kernel: join(ASSET_DIR, vmlinuz), version: vmlinuz.slice(8) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function ensureInitrd(): Promise<string> {
  const hash = createHash('sha256').update(INIT_SCRIPT).digest('hex').slice(0, 12);
  const out = join(ASSET_DIR, `initrd-marker-${hash}.gz`);
  if (existsSync(out)) return out;
  const tmp = mkdtempSync(join(tmpdir(), 'cvbed-initrd-'));
  try {
    const root = join(tmp, 'root');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    writeFileSync(join(root, 'init'), INIT_SCRIPT, { mode: 0o755 });
    // busybox cpio reads the file list from stdin (no cpio binary on a fresh machine)
    await runOk(['sh', '-c', 'cd "$1" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -9 > "$2"', 'sh', root, `${out}.tmp`]);
    renameSync(`${out}.tmp`, out);
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export async function ensurePxeAssets(): Promise<PxeAssets> {
  await ensureHostTools();
  mkdirSync(ASSET_DIR, { recursive: true });
  return withDirLock(join(CACHE_DIR, 'pxe-assets.lock'), async () => {
    const k = await ensureKernel();
    return { kernel: k.kernel, kernelVersion: k.version, initrd: await ensureInitrd(), undionly: '/usr/lib/ipxe/undionly.kpxe', ipxeEfi: '/usr/lib/ipxe/ipxe.efi' };
  });
}
