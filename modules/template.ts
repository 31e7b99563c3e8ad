// template: renders a Jinja2 template from the playbook (templates/ first)
// with the task's variables and writes it like copy does.

import type { ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { readControllerFile } from './common/controller-files.js';
import { writeProperties } from './common/dest-schema.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';
import { basename, joinPath, requireAbsolute, resolveLinks } from './common/paths.js';

export interface TemplateParams {
  src: string;
  dest: string;
  mode?: string | number;
  owner?: string;
  group?: string;
  backup: boolean;
  validate?: string;
  force: boolean;
  follow: boolean;
  show_diff_of_secret: boolean;
}

interface TemplateState { spec: FileWriteSpec; write: FileWriteState | undefined }

export const templateModule: ModuleDefinition<TemplateParams, TemplateState> = {
  name: 'template',
  observedPaths: ['dest'],
  searchDir: 'templates',
  controllerSource: { param: 'src', template: true },
  description:
    'Renders a Jinja2 template (src, looked up in templates/ then next to the playbook) with the task\'s variables and facts, and writes it to dest ' +
    'like copy: atomic, with mode/owner/group, validate (in --check too) and backup. Undefined variables are errors naming the template and line.',
  schema: {
    properties: {
      src: { type: 'string', description: 'Template file: relative paths are looked up in templates/ and then next to the playbook.' },
      dest: { type: 'string', description: 'Absolute path on the host; an existing directory (or a path ending in /) receives the file under the template\'s name.' },
      ...writeProperties,
      force: { type: 'boolean', default: true, description: 'Replace a file whose content differs; false writes only when dest does not exist.' },
      follow: { type: 'boolean', default: false, description: 'If dest is a symbolic link, write to its target instead of replacing the link.' },
    },
    required: ['src', 'dest'],
  },

  async plan(p, ctx): Promise<PlanResult<TemplateState>> {
    const f = readControllerFile(ctx.baseDir, p.src, 'templates');
    const text = ctx.renderTemplate(f.content.toString('utf8'), f.path);
    // As in Ansible, a directory dest receives the template's own file name (x.j2 stays x.j2).
    const name = basename(f.path);
    let dest = p.dest.endsWith('/') ? joinPath(requireAbsolute(p.dest, 'dest'), name) : requireAbsolute(p.dest, 'dest');
    if (!p.dest.endsWith('/')) {
      const st = await ctx.host.stat(dest);
      if (st.type === 'directory' || (st.type === 'link' && (await resolveLinks(ctx.host, dest)).stat.type === 'directory')) dest = joinPath(dest, name);
    }
    const spec: FileWriteSpec = {
      path: dest, content: Buffer.from(text, 'utf8'), mode: p.mode, owner: p.owner, group: p.group,
      validate: p.validate, backup: p.backup, force: p.force, follow: p.follow,
      makeParents: p.dest.endsWith('/'), showSecret: p.show_diff_of_secret,
    };
    const plan = await planFileWrite(spec, ctx);
    return { ...plan, result: { ...plan.result, src: p.src }, state: { spec, write: plan.state } };
  },

  async apply(p, plan, ctx) {
    const { spec, write } = plan.state!;
    return { result: await applyFileWrite(spec, { ...plan, state: write }, ctx) };
  },
};

