// blockinfile: a block of lines between two marker lines, inserted, updated
// or removed, with Ansible's markers, placement rules and messages.

import type { ModuleDefinition } from '../src/engine/module.js';
import { editedPathProperties, editedPathRequired, writeProperties } from './common/dest-schema.js';
import { pythonRegExp } from './common/python-regex.js';
import { applyTextEdit, decodeText, planTextEdit, splitKeepEnds, type Edited, type TextEditParams, type TextEditState } from './common/text-edit.js';

export interface BlockinfileParams extends TextEditParams {
  path?: string; dest?: string; destfile?: string; name?: string;
  state: 'present' | 'absent';
  marker: string;
  block?: string; content?: string;
  insertafter?: string;
  insertbefore?: string;
  create: boolean;
  marker_begin: string;
  marker_end: string;
}

/** Where a new block goes when the markers are not in the file yet. */
function insertAt(lines: string[], original: string, p: BlockinfileParams): number {
  const after = p.insertbefore === undefined ? p.insertafter ?? 'EOF' : undefined;
  const before = p.insertbefore;
  const source = after !== undefined && after !== 'EOF' ? after : before !== undefined && before !== 'BOF' ? before : undefined;
  if (source === undefined) return before !== undefined ? 0 : lines.length;
  const re = pythonRegExp(source, after !== undefined ? 'insertafter' : 'insertbefore');
  let n: number | undefined;
  if (re.flags.includes('m')) {
    // An inline (?m) pattern is searched in the whole text; the line is counted from the match.
    const m = re.exec(original);
    if (m) n = (original.slice(0, after !== undefined ? m.index + m[0].length : m.index).match(/\n/g) ?? []).length;
  } else {
    lines.forEach((l, i) => { if (re.test(l)) n = i; });
  }
  if (n === undefined) return lines.length;
  return after !== undefined ? n + 1 : n;
}

function edit(p: BlockinfileParams, old: Buffer | null): Edited {
  const { text, encoding } = old ? decodeText(old) : { text: '', encoding: 'utf8' as BufferEncoding };
  const lines = splitKeepEnds(text);
  const marker = (mark: string) => p.marker.split('{mark}').join(mark) + '\n';
  const begin = marker(p.marker_begin);
  const end = marker(p.marker_end);
  let block = p.block ?? p.content ?? '';
  let blockLines: string[] = [];
  if (p.state === 'present' && block) {
    if (!block.endsWith('\n')) block += '\n';
    blockLines = [begin, ...splitKeepEnds(block), end];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((l, i) => { if (l === begin) n0 = i; if (l === end) n1 = i; });
  let at: number;
  if (n0 === undefined || n1 === undefined) at = insertAt(lines, text, p);
  else if (n0 < n1) { lines.splice(n0, n1 - n0 + 1); at = n0; }
  else { lines.splice(n1, n0 - n1 + 1); at = n1; }
  if (at > 0 && !lines[at - 1].endsWith('\n')) lines[at - 1] += '\n';
  lines.splice(at, 0, ...blockLines);
  const result = lines.join('');
  if (old !== null && result === text) return { content: null, msg: '' };
  if (old === null && result === '' && blockLines.length === 0) return { content: Buffer.alloc(0), msg: 'File created' };
  return { content: Buffer.from(result, encoding), msg: old === null ? 'File created' : blockLines.length ? 'Block inserted' : 'Block removed' };
}

export const blockinfileModule: ModuleDefinition<BlockinfileParams, TextEditState> = {
  name: 'blockinfile',
  observedPaths: ['path', 'dest', 'destfile', 'name'],
  description:
    'Keeps a block of lines between two marker lines ("# BEGIN ANSIBLE MANAGED BLOCK" / "# END ...") in a text file: inserted at EOF, BOF, or after/before ' +
    'the last line matching a regular expression, replaced in place when the markers are there, removed with state absent or an empty block. ' +
    'Writes are atomic, with validate, backup, mode and owner like copy. Returns msg (Block inserted / Block removed / File created).',
  schema: {
    properties: {
      ...editedPathProperties,
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the block should be there.' },
      marker: { type: 'string', default: '# {mark} ANSIBLE MANAGED BLOCK', description: 'Marker line template; {mark} becomes marker_begin or marker_end.' },
      block: { type: 'string', description: 'The lines to keep between the markers (alias: content); empty removes the block. Default: empty.' },
      content: { type: 'string', description: 'Alias of block.' },
      insertafter: { type: 'string', description: "Where a new block goes: 'EOF' (default) or after the last line matching this regular expression." },
      insertbefore: { type: 'string', description: "Where a new block goes: 'BOF' or before the last line matching this regular expression." },
      create: { type: 'boolean', default: false, description: 'Create the file when it does not exist.' },
      marker_begin: { type: 'string', default: 'BEGIN', description: 'Replaces {mark} in the first marker.' },
      marker_end: { type: 'string', default: 'END', description: 'Replaces {mark} in the last marker.' },
      ...writeProperties,
    },
    anyOf: editedPathRequired,
    allOf: [{ not: { required: ['insertafter', 'insertbefore'] } }, { not: { required: ['block', 'content'] } }],
  },
  async plan(p, ctx) {
    const path = (p.path ?? p.dest ?? p.destfile ?? p.name)!;
    // As Ansible: without create a missing file fails even for state absent.
    const missing = !p.create ? { create: false as const, message: `Path ${path} does not exist !` }
      : p.state === 'absent' ? { create: false as const, ok: { content: null, msg: `File ${path} not present` } } : { create: true as const };
    return planTextEdit(p, { path, missing, edit: (old) => edit(p, old) }, ctx);
  },
  async apply(_p, planned, ctx) {
    return { result: await applyTextEdit(planned, ctx) };
  },
};
