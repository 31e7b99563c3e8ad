// tempfile: a new temporary file or directory on every run (mktemp on the
// host: mode 0600 / 0700, a random name), its path returned for register.
// Like Ansible it reports changed each time; --check says it would create one.

import type { ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';

export interface TempfileParams { state: 'file' | 'directory'; path?: string; prefix: string; suffix: string }

export const tempfileModule: ModuleDefinition<TempfileParams> = {
  name: 'tempfile',
  description:
    'Creates a temporary file (mode 0600) or directory (0700) with a random name on every run and returns its path for register; ' +
    'always changed, like Ansible. Remove it with file state=absent when done.',
  schema: {
    properties: {
      state: { type: 'string', enum: ['file', 'directory'], default: 'file', description: 'Create a file or a directory.' },
      path: { type: 'string', description: 'Directory to create it in. Default: $TMPDIR or /tmp on the host.' },
      prefix: { type: 'string', default: 'ansible.', pattern: '^[^/]*$', description: 'Start of the name (no slash).' },
      suffix: { type: 'string', default: '', pattern: '^[^/]*$', description: 'End of the name (no slash).' },
    },
  },
  async plan(p) {
    const where = p.path ?? '$TMPDIR or /tmp';
    return { changes: [{ property: 'state', before: 'absent', after: p.state, summary: `create a temporary ${p.state} in ${where}`, repeats: true }] };
  },
  async apply(p, _plan, ctx) {
    const argv = ['mktemp', ...(p.state === 'directory' ? ['-d'] : []), ...(p.path ? [`--tmpdir=${p.path}`] : ['--tmpdir']), ...(p.suffix ? [`--suffix=${p.suffix}`] : []), `${p.prefix}XXXXXXXX`];
    const r = await ctx.host.run(argv);
    if (r.rc !== 0) throw new TaskFailedError(r.stderr.trim() || `mktemp exited with ${r.rc}`);
    return { result: { path: r.stdout.trim() } };
  },
};
