// SHAPED packages the head-node playbook needs that the test bed's shaped
// repositories (test/bed/shaped/packages.ts) do not have yet. Added to a
// second local repository of the host before the first run, so that the playbook installs
// them with dnf/zypper exactly as it would on the real distribution:
//
// - gzip, tar (all flavors): in every real Rocky and openSUSE repository;
//   SHAPED packages without files (Debian 12 underneath provides both
//   programs), like the bed's own bash and openssh-server.
// - busybox-static (suse15): openSUSE's busybox package is dynamically
//   linked; its busybox-static subpackage installs /usr/bin/busybox-static,
//   which the failsafe and compute images need. SHAPED: the bed's static
//   Debian busybox under that name.
//
// - /etc/exports (rocky*): shipped by Rocky's `setup` package, which the
//   bed only registers (rpm --justdb), so the file is missing; exportfs
//   cannot run without it. Created empty, as `setup` ships it.
//
// These belong in the bed's package lists; until they are there, this keeps
// the playbook's variables true to the real distributions.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SHAPED_REPO, type BedHost } from '../bed/index.js';
import { buildRepo, type ShapedPackage } from '../bed/shaped/rpm-build.js';

function extraPackages(flavor: string): ShapedPackage[] {
  const dist = flavor === 'suse15' ? 'lp156' : `el${flavor.replace('rocky', '')}`;
  const release = `1.${dist}.cvbed.hn`;
  const pkgs: ShapedPackage[] = [
    { name: 'gzip', version: '1.12', release, summary: 'SHAPED: registered only (Debian provides gzip)', files: [] },
    { name: 'tar', version: '1.34', release, summary: 'SHAPED: registered only (Debian provides tar)', files: [] },
  ];
  if (flavor === 'suse15') {
    pkgs.push({ name: 'busybox-static', version: '1.37.0', release, summary: 'SHAPED: statically linked busybox (the test bed\'s Debian build)',
      files: [{ path: '/usr/bin/busybox-static', from: '/bin/busybox', mode: 0o755 }] });
  }
  return pkgs;
}

/** The extra packages' repository inside the host (next to the bed's own, which stays untouched). */
export const EXTRA_REPO = '/var/lib/converge-headnode-test/repo';

/**
 * Builds the extra packages into a second local repository of the shaped
 * host, configures it there like the bed's own, and returns the package names.
 */
export async function addHeadnodeShapedPackages(h: BedHost): Promise<string[]> {
  const pkgs = extraPackages(h.flavor);
  const work = mkdtempSync(path.join(os.tmpdir(), `converge-headnode-rpm-${h.flavor}-`));
  try {
    await buildRepo(pkgs, path.join(h.rootDir, EXTRA_REPO), work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const suse = h.flavor === 'suse15';
  const file = suse ? '/etc/zypp/repos.d/converge-headnode-test.repo' : '/etc/yum.repos.d/converge-headnode-test.repo';
  const repo = `[converge-headnode-test]\nname=converge head-node test: SHAPED packages the bed lacks\nbaseurl=file://${EXTRA_REPO}\nenabled=1\ngpgcheck=0\n${suse ? 'autorefresh=1\ntype=rpm-md\n' : 'metadata_expire=never\n'}`;
  writeFileSync(path.join(h.rootDir, file), repo);
  if (!suse) await h.execOk(['sh', '-c', 'test -e /etc/exports || install -m 0644 /dev/null /etc/exports']);
  if (suse) await h.execOk(['zypper', '--non-interactive', '--quiet', 'refresh', 'converge-headnode-test']);
  else await h.execOk(['dnf', '-q', 'makecache']);
  return pkgs.map((p) => p.name);
}
