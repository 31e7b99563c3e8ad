// raw: the text is run by a shell on the host, as Ansible's raw sends it over
// ssh. The script is the playbook author's own shell text (not data built
// into one); it runs as `/bin/sh -c TEXT` (or executable). Always "changed";
// a non-zero exit fails. In --check it does not run.

import type { ModuleDefinition } from '../src/engine/module.js';

export interface RawParams { free_form: string; executable?: string }

export const rawModule: ModuleDefinition<RawParams> = {
  name: 'raw',
  verify: false,
  freeForm: 'free_form',
  description: 'Runs the text with /bin/sh -c (or executable) on the host, without anything else around it (for hosts without python in Ansible). Returns rc, stdout, stdout_lines, stderr. Always changed; a non-zero exit fails; not run in --check.',
  schema: {
    properties: {
      free_form: { type: 'string', description: 'The shell text (the free form `raw: ...`).' },
      executable: { type: 'string', description: 'Shell to run it with (absolute path), default /bin/sh.' },
    },
    required: ['free_form'],
  },
  async plan(p) {
    return { changes: [{ property: 'command', summary: `run: ${p.free_form}` }] };
  },
  async apply(p, _plan, ctx) {
    const r = await ctx.host.run([p.executable ?? '/bin/sh', '-c', p.free_form]);
    const lines = r.stdout.split(/\r?\n/);
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    const result = { rc: r.rc, stdout: r.stdout, stdout_lines: lines, stderr: r.stderr, stderr_lines: r.stderr.split(/\r?\n/).filter((l, i, a) => i < a.length - 1 || l !== '') };
    if (r.rc !== 0) return { result, changed: true, failed: `non-zero return code ${r.rc}` };
    return { result, changed: true };
  },
};
