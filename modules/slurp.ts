// slurp: a file's content from the host, base64-encoded, for register.
// The content is data from the host: never templated, never changed.

import type { ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { resolveLinks } from './common/paths.js';

export interface SlurpParams { src?: string; path?: string }

export const slurpModule: ModuleDefinition<SlurpParams> = {
  name: 'slurp',
  observedPaths: ['src', 'path'],
  description: 'Reads a file on the host and returns its content base64-encoded (content, encoding: base64, source) for register; decode it with b64decode. Never changes anything.',
  schema: {
    properties: {
      src: { type: 'string', description: 'The file to read (alias: path).' },
      path: { type: 'string', description: 'Alias of src.' },
    },
    anyOf: [{ required: ['src'] }, { required: ['path'] }],
    not: { required: ['src', 'path'] },
  },
  async plan(p, ctx) {
    const source = (p.src ?? p.path)!;
    const real = await resolveLinks(ctx.host, source);
    if (!real.stat.exists) throw new TaskFailedError(`file not found: ${source}`);
    if (real.stat.type === 'directory') throw new TaskFailedError(`source is a directory and must be a file: ${source}`);
    const data = await ctx.host.readFile(real.path);
    if (data === null) throw new TaskFailedError(`file not found: ${source}`);
    return { changes: [], result: { content: data.toString('base64'), encoding: 'base64', source } };
  },
  async apply() {
    return {};
  },
};
