// Every module converge knows. Add a module here when it compiles.

import type { ModuleDefinition } from '../src/engine/module.js';

export const modules: ModuleDefinition[] = [
];
