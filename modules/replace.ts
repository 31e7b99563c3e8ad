// replace: every match of a Python regular expression in a file is replaced
// (re.subn with MULTILINE), optionally only between `after` and `before`,
// with Ansible's parameters, messages and return values.

import type { ModuleDefinition } from '../src/engine/module.js';
import { editedPathProperties, editedPathRequired, writeProperties } from './common/dest-schema.js';
import { expandMatch, pythonRegExp } from './common/python-regex.js';
import { applyTextEdit, decodeText, planTextEdit, type Edited, type TextEditParams, type TextEditState } from './common/text-edit.js';

export interface ReplaceParams extends TextEditParams {
  path?: string; dest?: string; destfile?: string; name?: string;
  regexp: string;
  replace: string;
  after?: string;
  before?: string;
  encoding: string;
}

/** The part of the text the substitution applies to: [start, end) of the subsection, or null when after/before do not match. */
function section(text: string, p: ReplaceParams): { start: number; end: number; pattern: string } | null | undefined {
  let pattern = '';
  if (p.after && p.before) pattern = `${p.after}(?P<subsection>.*?)${p.before}`;
  else if (p.after) pattern = `${p.after}(?P<subsection>.*)`;
  else if (p.before) pattern = `(?P<subsection>.*)${p.before}`;
  if (!pattern) return undefined;
  const re = pythonRegExp(pattern, p.after ? 'after' : 'before');
  const dotall = new RegExp(re.source, [...new Set(re.flags + 'sd')].join(''));
  const m = dotall.exec(text);
  if (!m) return null;
  const [start, end] = m.indices!.groups!.subsection;
  return { start, end, pattern };
}

function edit(p: ReplaceParams, old: Buffer): Edited {
  const { text, encoding } = p.encoding.toLowerCase().replace('_', '-') === 'utf-8' ? decodeText(old) : { text: old.toString('latin1'), encoding: 'latin1' as BufferEncoding };
  const sec = section(text, p);
  if (sec === null) {
    const pattern = p.after && p.before ? `${p.after}(?P<subsection>.*?)${p.before}` : p.after ? `${p.after}(?P<subsection>.*)` : `(?P<subsection>.*)${p.before}`;
    return { content: null, msg: `Pattern for before/after params did not match the given file: ${pattern}`, result: { rc: 0 } };
  }
  const start = sec?.start ?? 0;
  const end = sec?.end ?? text.length;
  const part = text.slice(start, end);
  const base = pythonRegExp(p.regexp);
  const re = new RegExp(base.source, [...new Set(base.flags + 'gm')].join(''));
  let count = 0;
  const replaced = part.replace(re, (...args) => {
    count++;
    const groups = typeof args[args.length - 1] === 'object' ? args[args.length - 1] : undefined;
    const m = args.slice(0, groups ? -3 : -2) as unknown as RegExpExecArray;
    m.groups = groups;
    return expandMatch(m, p.replace);
  });
  if (count === 0 || replaced === part) return { content: null, msg: '', result: { rc: 0 } };
  return { content: Buffer.from(text.slice(0, start) + replaced + text.slice(end), encoding), msg: `${count} replacements made`, result: { rc: 0 } };
}

export const replaceModule: ModuleDefinition<ReplaceParams, TextEditState> = {
  name: 'replace',
  observedPaths: ['path', 'dest', 'destfile', 'name'],
  description:
    'Replaces every match of a Python regular expression in a file (MULTILINE: ^ and $ match at each line), optionally only in the part after ' +
    'the first match of `after` and/or before `before`. The replacement takes \\1 and \\g<name> back-references. A missing file fails. ' +
    'Writes are atomic, with validate, backup, mode and owner like copy. Returns msg ("N replacements made").',
  schema: {
    properties: {
      ...editedPathProperties,
      regexp: { type: 'string', description: 'Python regular expression to look for, with MULTILINE.' },
      replace: { type: 'string', default: '', description: 'What each match becomes; \\1, \\g<1> and \\g<name> insert groups. Empty removes the matches.' },
      after: { type: 'string', description: 'Only replace after the first match of this regular expression (DOTALL).' },
      before: { type: 'string', description: 'Only replace before the first match of this regular expression (DOTALL).' },
      encoding: { type: 'string', enum: ['utf-8', 'utf8', 'UTF-8', 'latin-1', 'latin1', 'iso-8859-1', 'ascii'], default: 'utf-8', description: 'Encoding of the file (utf-8; latin-1 and ascii read and write bytes unchanged).' },
      ...writeProperties,
    },
    required: ['regexp'],
    anyOf: editedPathRequired,
  },
  async plan(p, ctx) {
    const path = (p.path ?? p.dest ?? p.destfile ?? p.name)!;
    const planned = await planTextEdit(p, { path, missing: { create: false, message: `Path ${path} does not exist !` }, edit: (old) => edit(p, old!) }, ctx);
    const attrs = planned.changes.some((c) => c.property !== 'content');
    if (attrs && planned.result) {
      const msg = String(planned.result.msg ?? '');
      planned.result.msg = (msg ? `${msg} and ` : '') + 'ownership, perms or SE linux context changed';
    }
    return planned;
  },
  async apply(_p, planned, ctx) {
    return { result: await applyTextEdit(planned, ctx) };
  },
};
