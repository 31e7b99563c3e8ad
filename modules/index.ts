// Every module converge knows. Add a module here when it compiles.

import type { ModuleDefinition } from '../src/engine/module.js';
import { aptModule, dnfModule, packageModuleDef, zypperModule } from './package/index.js';
import { sysconfigModule } from './sysconfig.js';
import { nfsExportModule } from './nfs-export.js';
import { getUrlModule } from './get-url.js';

export const modules: ModuleDefinition[] = [
  packageModuleDef, dnfModule, zypperModule, aptModule,
  sysconfigModule,
  nfsExportModule,
  getUrlModule,
];
