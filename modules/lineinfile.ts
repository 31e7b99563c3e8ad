// lineinfile: makes sure one line is present (added, or replaced where a
// regexp matches) or absent in a text file, with Ansible's parameters.

import type { ModuleContext, ModuleDefinition, PlanResult } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { editedPathProperties, editedPathRequired, writeProperties } from './common/dest-schema.js';
import { applyFileWrite, planFileWrite, type FileWriteSpec, type FileWriteState } from './common/file-write.js';
import { requireAbsolute, resolveLinks } from './common/paths.js';
import { expandMatch, pythonRegExp } from './common/python-regex.js';
import { describeExpected, expectedFrom } from './common/ledger-hints.js';

export interface LineinfileParams {
  path?: string; dest?: string; destfile?: string; name?: string;
  line?: string; value?: string;
  regexp?: string; regex?: string;
  search_string?: string;
  state: 'present' | 'absent';
  insertafter?: string;
  insertbefore?: string;
  create: boolean;
  backup: boolean;
  backrefs: boolean;
  firstmatch: boolean;
  mode?: string | number; owner?: string; group?: string;
  validate?: string;
  show_diff_of_secret: boolean;
}

interface EditResult { lines: string[]; msg: string }

const strip = (l: string) => l.replace(/\r?\n$/, '');

/** Lines with their own line endings, so untouched lines are written back byte for byte. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

interface Want { line?: string; regexp?: RegExp; search?: string; insertafter?: string; insertbefore?: string; backrefs: boolean; firstmatch: boolean }

function findLast(lines: string[], test: (l: string) => boolean, first: boolean): number {
  let idx = -1;
  for (let i = 0; i < lines.length; i++) {
    if (test(strip(lines[i]))) { idx = i; if (first) break; }
  }
  return idx;
}

function present(lines: string[], w: Want): EditResult {
  const line = w.line!;
  let match: RegExpExecArray | null = null;
  let idx: number;
  if (w.regexp) {
    const re = w.regexp;
    idx = findLast(lines, (l) => re.test(l), w.firstmatch);
    if (idx >= 0) match = re.exec(strip(lines[idx]));
  } else if (w.search !== undefined) {
    idx = findLast(lines, (l) => l.includes(w.search!), w.firstmatch);
  } else {
    idx = findLast(lines, (l) => l === line, w.firstmatch);
  }
  const out = [...lines];
  if (idx >= 0) {
    const newLine = w.backrefs && match ? expandMatch(match, line) : line;
    if (strip(out[idx]) === newLine) return { lines, msg: '' };
    out[idx] = newLine + (out[idx].endsWith('\r\n') ? '\r\n' : '\n');
    return { lines: out, msg: 'line replaced' };
  }
  if (w.backrefs) return { lines, msg: '' };
  // converge keeps the task idempotent when the regexp does not match the line it
  // writes: if the exact line is already there, nothing is added a second time.
  if (lines.some((l) => strip(l) === line)) return { lines, msg: '' };
  const add = line + '\n';
  if (w.insertbefore === 'BOF' || w.insertafter === 'BOF') return { lines: [add, ...out], msg: 'line added' };
  let at = -1;
  if (w.insertafter !== undefined && w.insertafter !== 'EOF') {
    const re = pythonRegExp(w.insertafter, 'insertafter');
    const i = findLast(lines, (l) => re.test(l), w.firstmatch);
    if (i >= 0) at = i + 1;
  } else if (w.insertbefore !== undefined) {
    const re = pythonRegExp(w.insertbefore, 'insertbefore');
    at = findLast(lines, (l) => re.test(l), w.firstmatch);
  }
  if (at < 0 || at >= out.length) {
    if (out.length && !out[out.length - 1].endsWith('\n')) out[out.length - 1] += '\n';
    out.push(add);
  } else {
    out.splice(at, 0, add);
  }
  return { lines: out, msg: 'line added' };
}

function absent(lines: string[], w: Want): EditResult {
  const test = w.regexp ? (l: string) => w.regexp!.test(l) : w.search !== undefined ? (l: string) => l.includes(w.search!) : (l: string) => l === w.line;
  const kept = lines.filter((l) => !test(strip(l)));
  const n = lines.length - kept.length;
  return { lines: n ? kept : lines, msg: n ? `${n} line(s) removed` : '' };
}

interface LineState { spec: FileWriteSpec; write: FileWriteState | undefined }

async function plan(p: LineinfileParams, ctx: ModuleContext): Promise<PlanResult<LineState>> {
  const path = requireAbsolute((p.path ?? p.dest ?? p.destfile ?? p.name)!, 'path');
  const w: Want = {
    line: p.line ?? p.value,
    regexp: (p.regexp ?? p.regex) !== undefined ? pythonRegExp((p.regexp ?? p.regex)!) : undefined,
    search: p.search_string, insertafter: p.insertafter, insertbefore: p.insertbefore,
    backrefs: p.backrefs, firstmatch: p.firstmatch,
  };
  if (w.regexp && w.search !== undefined) throw new TaskFailedError('regexp and search_string are mutually exclusive');
  if (p.insertafter !== undefined && p.insertbefore !== undefined) throw new TaskFailedError('insertafter and insertbefore are mutually exclusive');
  if (p.state === 'present' && w.line === undefined) throw new TaskFailedError('state: present requires line');
  if (p.backrefs && !w.regexp) throw new TaskFailedError('backrefs requires regexp');
  if (p.state === 'absent' && w.line === undefined && !w.regexp && w.search === undefined) {
    throw new TaskFailedError('state: absent requires one of line, regexp or search_string');
  }

  const real = await resolveLinks(ctx.host, path);
  if (real.stat.exists && real.stat.type !== 'file') throw new TaskFailedError(`${path} is not a regular file`);
  let old: Buffer | null = real.stat.exists ? await ctx.host.readFile(real.path) : null;
  if (old === null) {
    if (p.state === 'absent') return { changes: [], result: { msg: '' } };
    if (!p.create) {
      const e = expectedFrom(ctx, path);
      if (e === undefined) throw new TaskFailedError(`${path} does not exist (create: true creates it)`);
      return { changes: [{ property: 'content', afterTask: e.task, summary: `edit ${path} once ${describeExpected(e)} created it` }] };
    }
    old = Buffer.alloc(0);
  }
  // Round-trips bytes that are not UTF-8 unchanged (latin1 maps bytes 1:1).
  const utf8 = old.toString('utf8');
  const encoding: BufferEncoding = Buffer.from(utf8, 'utf8').equals(old) ? 'utf8' : 'latin1';
  const lines = splitLines(old.toString(encoding));
  const edit = p.state === 'present' ? present(lines, w) : absent(lines, w);
  const content = edit.msg ? Buffer.from(edit.lines.join(''), encoding) : old;
  if (!real.stat.exists && !edit.msg) return { changes: [], result: { msg: '' } }; // create + backrefs without match
  const spec: FileWriteSpec = {
    path: real.path, content, mode: p.mode, owner: p.owner, group: p.group,
    validate: p.validate, backup: p.backup, follow: true, makeParents: p.create, showSecret: p.show_diff_of_secret,
  };
  const planned = await planFileWrite(spec, ctx);
  for (const c of planned.changes) if (c.property === 'content' && edit.msg) c.summary = `${edit.msg} in ${path}`;
  return { ...planned, result: { ...planned.result, msg: edit.msg }, state: { spec, write: planned.state } };
}

export const lineinfileModule: ModuleDefinition<LineinfileParams, LineState> = {
  name: 'lineinfile',
  observedPaths: ['path', 'dest', 'destfile', 'name'],
  description:
    'Makes sure a line is present in a text file (replacing the last line a regexp matches, or inserting after/before a match, at EOF or BOF) ' +
    'or that matching lines are absent. regexp is a Python regular expression; backrefs fills \\1 or \\g<name> from it. Unlike Ansible, ' +
    'a line is never added twice when the regexp does not match the line itself. Writes are atomic, with validate and backup like copy.',
  schema: {
    properties: {
      ...editedPathProperties,
      line: { type: 'string', description: 'The line to have in the file (alias: value).' },
      value: { type: 'string', description: 'Alias of line.' },
      regexp: { type: 'string', description: 'Python regular expression: with state present the last matching line is replaced; with absent every matching line is removed (alias: regex).' },
      regex: { type: 'string', description: 'Alias of regexp.' },
      search_string: { type: 'string', description: 'Literal text to look for instead of a regexp.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the line should be there.' },
      insertafter: { type: 'string', description: "Where a new line goes: 'EOF' (default), 'BOF', or after the last line matching this regular expression." },
      insertbefore: { type: 'string', description: "Where a new line goes: 'BOF', or before the last line matching this regular expression." },
      create: { type: 'boolean', default: false, description: 'Create the file (and its directories) when it does not exist.' },
      backrefs: { type: 'boolean', default: false, description: 'line holds back-references to regexp groups; when regexp does not match, the file is left alone.' },
      firstmatch: { type: 'boolean', default: false, description: 'Use the first match of regexp/insertafter/insertbefore instead of the last.' },
      ...writeProperties,
    },
    anyOf: editedPathRequired,
  },
  plan,
  async apply(p, planned, ctx) {
    const { spec, write } = planned.state!;
    // msg comes from the plan: the verifying re-plan (in sync, msg '') must not replace it.
    return { result: { msg: planned.result?.msg, ...(await applyFileWrite(spec, { ...planned, state: write }, ctx)) } };
  },
};
