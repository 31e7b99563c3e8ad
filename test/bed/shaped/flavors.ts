// The SHAPED flavors: rocky8, rocky9, rocky10, suse15. Each is a layer over
// shaped-debs: the Debian daemons hidden, the distribution's package manager
// (Debian's dnf or zypper) with its rpm database in /var/lib/rpm, the
// release package installed and the base packages registered, and a local
// repository (/var/lib/converge-bed/repo) of the shaped RPMs.

import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInTree } from '../layer-build.js';
import { ensurePxeAssets, type PxeAssets } from '../pxe-assets.js';
import type { Layer } from '../rootfs.js';
import type { Flavor } from '../flavors.js';
import { shapedDebsLayer } from './debs-layer.js';
import { HIDDEN, HIDE_INPUTS, HIDE_SCRIPT } from './hide.js';
import { SHAPED_DISTROS, type ShapedDistro } from './os-release.js';
import { JUSTDB_PACKAGES, shapedPackages } from './packages.js';
import { buildRepo, RPM_BUILDER_SOURCE } from './rpm-build.js';

/** The shaped repository inside a shaped host (also usable for --installroot / --root image builds). */
export const SHAPED_REPO = '/var/lib/converge-bed/repo';

const RPM_MACROS = '# converge test bed: the rpm database where the real distributions keep it\n%_dbpath /var/lib/rpm\n';

function repoFile(d: ShapedDistro): { path: string; content: string } {
  return d.family === 'rocky'
    ? { path: '/etc/yum.repos.d/converge-bed.repo', content: `[converge-bed]\nname=converge test bed SHAPED Rocky Linux ${d.major} packages\nbaseurl=file://${SHAPED_REPO}\nenabled=1\ngpgcheck=0\nmetadata_expire=never\n` }
    : { path: '/etc/zypp/repos.d/converge-bed.repo', content: `[converge-bed]\nname=converge test bed SHAPED openSUSE Leap 15.6 packages\nenabled=1\nautorefresh=0\nbaseurl=file://${SHAPED_REPO}\ntype=rpm-md\ngpgcheck=0\nkeeppackages=0\n` };
}

function flavorLayer(d: ShapedDistro, kernel: PxeAssets): Layer {
  const pkgManager = d.family === 'rocky' ? 'dnf' : 'zypper';
  const repo = repoFile(d);
  const prepare = `${HIDE_SCRIPT}
apt-get install -y -q --no-install-recommends ${pkgManager}
apt-get clean
mkdir -p /etc/rpm /var/lib/rpm
# directories of the real base system that the justdb-registered packages would have created
mkdir -p /etc/sysconfig /etc/sysconfig/network-scripts /usr/libexec /etc/pki/rpm-gpg
`;
  const register = `
cd ${SHAPED_REPO}
rpm --initdb
rpm --force-debian -i --nodeps --replacefiles ${d.releasePackage}-[0-9]*.noarch.rpm
rpm --force-debian -i --justdb --nodeps ${JUSTDB_PACKAGES.map((p) => `${p}-[0-9]*.noarch.rpm`).join(' ')}
${d.family === 'rocky' ? 'dnf -q makecache' : 'zypper --non-interactive --quiet refresh'}
# Debian's rpm warns ("use Alien instead") on every call while a dpkg database exists
mkdir -p ${HIDDEN}/var/lib
mv /var/lib/dpkg ${HIDDEN}/var/lib/dpkg
`;
  return {
    id: d.flavor,
    parent: shapedDebsLayer,
    inputs: { d, prepare, register, repo, RPM_MACROS, HIDE_INPUTS, RPM_BUILDER_SOURCE, packages: shapedPackages(d, { tree: '/TREE', kernel: kernel.kernel, kernelVersion: kernel.kernelVersion }) },
    async build(_dir, merged, log) {
      await runInTree(merged, prepare, log);
      writeFileSync(join(merged, 'etc/rpm/macros.converge-bed'), RPM_MACROS);
      const work = mkdtempSync(join(tmpdir(), `cvbed-rpm-${d.flavor}-`));
      try {
        await buildRepo(shapedPackages(d, { tree: merged, kernel: kernel.kernel, kernelVersion: kernel.kernelVersion }), join(merged, SHAPED_REPO), work);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
      mkdirSync(join(merged, repo.path, '..'), { recursive: true });
      writeFileSync(join(merged, repo.path), repo.content);
      await runInTree(merged, register, log);
      log(`test bed: ${d.flavor} repository: ${readdirSync(join(merged, SHAPED_REPO)).filter((f) => f.endsWith('.rpm')).length} packages\n`);
    },
  };
}

export const SHAPED_FLAVORS: Flavor[] = Object.values(SHAPED_DISTROS).map((d) => ({
  name: d.flavor,
  shaped: true,
  description: `SHAPED ${d.family === 'rocky' ? `Rocky Linux ${d.versionId}` : 'openSUSE Leap 15.6'}: Debian 12 underneath, ${d.family === 'rocky' ? 'dnf' : 'zypper'}, local repository of shaped RPMs`,
  layer: async () => flavorLayer(d, await ensurePxeAssets()),
}));

/** Where a shaped flavor's repository is on the build machine (for `dnf --installroot` image builds from outside). */
export async function shapedRepoOnHost(flavor: string): Promise<string> {
  const f = SHAPED_FLAVORS.find((x) => x.name === flavor);
  if (!f) throw new Error(`test bed: ${flavor} is not a shaped flavor`);
  const { ensureLayer } = await import('../rootfs.js');
  const stack = await ensureLayer(await f.layer());
  return join(stack[0], SHAPED_REPO);
}
