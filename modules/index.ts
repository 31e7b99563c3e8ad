// Every module converge knows. Add a module here when it compiles.

import type { ModuleDefinition } from '../src/engine/module.js';
import { assert } from './assert.js';
import { debug } from './debug.js';
import { fail } from './fail.js';
import { meta } from './meta.js';
import { setFact } from './set-fact.js';
import { copyModule } from './copy.js';
import { fileModule } from './file.js';
import { lineinfileModule } from './lineinfile.js';
import { statModule } from './stat.js';
import { commandModule, shellModule } from './command.js';
import { templateModule } from './template.js';
import { aptModule, dnfModule, packageModuleDef, zypperModule } from './package/index.js';
import { sysconfigModule } from './sysconfig.js';
import { nfsExportModule } from './nfs-export.js';
import { getUrlModule } from './get-url.js';
import { serviceModule } from './service.js';
import { firewalldModule } from './firewalld.js';
import { includeVarsModule } from './include-vars.js';
import { replaceModule } from './replace.js';
import { blockinfileModule } from './blockinfile.js';
import { iniFileModule } from './ini-file.js';
import { slurpModule } from './slurp.js';
import { tempfileModule } from './tempfile.js';
import { findModule } from './find.js';
import { sysctlModule } from './sysctl.js';
import { pauseModule } from './pause.js';
import { userModule } from './user.js';
import { groupModule } from './group.js';
import { authorizedKeyModule } from './authorized-key.js';
import { pingModule } from './ping.js';
import { rawModule } from './raw.js';
import { cronModule } from './cron.js';
import { waitForModule } from './wait-for.js';
import { unarchiveModule } from './unarchive/index.js';
import { fetchModule } from './fetch.js';
import { uriModule } from './uri.js';
import { mountModule } from './mount.js';
import { hostnameModule } from './hostname.js';
import { timezoneModule } from './timezone.js';
import { systemdServiceModule } from './systemd-service.js';
import { setupModule } from './setup.js';
import { serviceFactsModule } from './service-facts.js';
import { packageFactsModule } from './package-facts.js';
import { knownHostsModule } from './known-hosts.js';
import { modprobeModule } from './modprobe.js';
import { rebootModule } from './reboot.js';
import { selinuxModule } from './selinux.js';
import { sebooleanModule } from './seboolean.js';
import { sefcontextModule } from './sefcontext.js';
import { gitModule } from './git.js';
import { yumRepositoryModule } from './yum-repository.js';
import { aptRepositoryModule } from './apt-repository.js';
import { rpmKeyModule } from './rpm-key.js';
import { aptKeyModule } from './apt-key.js';
import { zypperRepositoryModule } from './zypper-repository.js';
import { archiveModule } from './archive.js';

export const modules: ModuleDefinition[] = [
  debug,
  assert,
  fail,
  setFact,
  meta,
  fileModule,
  copyModule,
  templateModule,
  lineinfileModule,
  statModule,
  commandModule,
  shellModule,
  packageModuleDef, dnfModule, zypperModule, aptModule,
  sysconfigModule,
  nfsExportModule,
  getUrlModule,
  serviceModule,
  firewalldModule,
  includeVarsModule,
  replaceModule, blockinfileModule, iniFileModule, slurpModule, tempfileModule, findModule,
  sysctlModule, pauseModule,
  userModule, groupModule, authorizedKeyModule,
  pingModule, rawModule, cronModule, waitForModule,
  unarchiveModule, fetchModule, uriModule, gitModule, yumRepositoryModule, aptRepositoryModule, rpmKeyModule, aptKeyModule, zypperRepositoryModule, archiveModule,
  mountModule, hostnameModule, timezoneModule, systemdServiceModule,
  setupModule, serviceFactsModule, packageFactsModule, knownHostsModule, modprobeModule, rebootModule,
  selinuxModule, sebooleanModule, sefcontextModule,
];
