// ini_file (community.general.ini_file): one option in one section of an INI
// file, with the behaviour of the collection Debian 12 ships (community.general
// 6): a commented-out `# option = x` line is reused, exclusive keeps only the
// given values, a missing section is appended, and a file that does not end in
// a newline gets one.

import type { ModuleDefinition } from '../src/engine/module.js';
import { attributeProperties } from './common/dest-schema.js';
import { applyTextEdit, planTextEdit, type Edited, type TextEditParams, type TextEditState } from './common/text-edit.js';

export interface IniFileParams extends TextEditParams {
  path?: string; dest?: string;
  section?: string | null;
  option?: string;
  value?: string;
  values?: string[];
  state: 'present' | 'absent';
  exclusive: boolean;
  no_extra_spaces: boolean;
  allow_no_value: boolean;
  create: boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/** An option line, active or commented out with # or ;; group 2 is its value. */
const optionLine = (option: string, commented: boolean) =>
  new RegExp(`^${commented ? '[#;]?' : ''}[ \\t]*(${escape(option)})[ \\t]*(?:=|$)[ \\t]*([^\\n]*)`);
const isBlankOrComment = (line: string) => /^[ \t]*(?:[#;][^\n]*)?$/.test(line.replace(/\n$/, ''));

function valueOf(re: RegExp, line: string): string | undefined {
  const m = re.exec(line.replace(/\n$/, ''));
  return m ? m[2] : undefined;
}

// A header that cannot collide with a real section stands for "no section" (the options before the first [section]).
const NO_SECTION = '\u0000converge-no-section';

export function editIni(p: IniFileParams, text: string | null): { text: string; changed: boolean; msg: string } {
  const values: string[] = [];
  for (const v of p.value !== undefined ? [p.value] : p.values ?? []) if (!values.includes(v)) values.push(v);
  const option = p.option || undefined;
  const fmt = (v: string) => (p.no_extra_spaces ? `${option}=${v}\n` : `${option} = ${v}\n`);
  // Python's universal newlines: \r\n and \r read as \n; a UTF-8 BOM is dropped.
  const body = (text ?? '').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines: string[] = [...(body.match(/[^\n]*\n|[^\n]+$/g) ?? [])];
  let changed = false;
  let msg = 'OK';
  if (!lines.length) lines.push('\n');
  if (!lines[lines.length - 1].endsWith('\n')) { lines[lines.length - 1] += '\n'; changed = true; }
  const section = p.section ? p.section : NO_SECTION;
  lines.unshift(`[${NO_SECTION}]`);
  lines.push('[');

  let within = false;
  let start = 0;
  let end = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith(`[${section}]`)) { within = true; start = i; }
    else if (lines[i].startsWith('[') && within) { end = i; break; }
  }
  const before = lines.slice(0, start);
  let sec = lines.slice(start, end);
  const after = lines.slice(end);
  let touched = sec.map(() => false);
  const any = option ? optionLine(option, true) : undefined;
  const active = option ? optionLine(option, false) : undefined;
  const set = (i: number, line: string) => {
    if (sec[i] !== line) { changed = true; msg = 'option changed'; }
    sec[i] = line;
    touched[i] = true;
  };

  let noValuePresent = false;
  if (p.state === 'present' && option) {
    for (let i = 0; i < sec.length; i++) {
      const v = valueOf(any!, sec[i]);
      if (v === undefined) continue;
      if (values.length && values.includes(v)) {
        if (!v && p.allow_no_value) { set(i, `${option}\n`); noValuePresent = true; } else set(i, fmt(v));
        values.splice(values.indexOf(v), 1);
      } else if (!values.length && p.allow_no_value) {
        set(i, `${option}\n`);
        noValuePresent = true;
        break;
      }
    }
  }
  if (p.state === 'present' && p.exclusive && !p.allow_no_value) {
    if (values.length) {
      for (let i = 0; i < sec.length; i++) {
        if (touched[i] || valueOf(any!, sec[i]) === undefined) continue;
        set(i, fmt(values.shift()!));
        if (!values.length) break;
      }
    }
    for (let i = sec.length - 1; i > 0; i--) {
      if (!touched[i] && valueOf(any!, sec[i]) !== undefined) {
        sec.splice(i, 1);
        touched.splice(i, 1);
        changed = true;
        msg = 'option changed';
      }
    }
  }
  if (p.state === 'present') {
    for (let i = sec.length; i > 0; i--) {
      if (isBlankOrComment(sec[i - 1])) continue;
      if (option && values.length) {
        sec.splice(i, 0, ...values.map(fmt));
        msg = 'option added';
        changed = true;
      } else if (option && !values.length && p.allow_no_value && !noValuePresent) {
        sec.splice(i, 0, `${option}\n`);
        msg = 'option added';
        changed = true;
      }
      break;
    }
  }
  if (p.state === 'absent') {
    if (option) {
      const keep = p.exclusive
        ? sec.filter((l) => valueOf(active!, l) === undefined)
        : values.length ? sec.filter((l) => { const v = valueOf(active!, l); return v === undefined || !values.includes(v); }) : sec;
      if (keep.length !== sec.length) { changed = true; msg = 'option changed'; sec = keep; touched = keep.map(() => false); }
    } else if (sec.length) {
      sec = [];
      msg = 'section removed';
      changed = true;
    }
  }
  const out = [...before, ...sec, ...after];
  out.shift();
  out.pop();
  if (!within && p.state === 'present') {
    out.push(`[${section}]\n`);
    msg = 'section and option added';
    if (option && values.length) out.push(...values.map(fmt));
    else if (option && p.allow_no_value) out.push(`${option}\n`);
    else msg = 'only section added';
    changed = true;
  }
  return { text: out.join(''), changed, msg };
}

function edit(p: IniFileParams, old: Buffer | null): Edited {
  const r = editIni(p, old === null ? null : old.toString('utf8'));
  return { content: r.changed ? Buffer.from(r.text, 'utf8') : null, msg: r.msg };
}

export const iniFileModule: ModuleDefinition<IniFileParams, TextEditState> = {
  name: 'ini_file',
  observedPaths: ['path', 'dest'],
  aliases: ['community.general.ini_file'],
  description:
    'Sets (or removes) one option in one [section] of an INI file, as community.general.ini_file does: an existing or commented-out option line ' +
    'is rewritten in place, otherwise the option goes after the last setting of the section; a missing section is appended. With exclusive ' +
    '(default) only the given value(s) stay. Without section, the options before the first section. Atomic writes, backup, mode and owner ' +
    'like copy. Returns msg (option added / option changed / section and option added / section removed / OK).',
  schema: {
    properties: {
      path: { type: 'string', description: 'The INI file (alias: dest).' },
      dest: { type: 'string', description: 'Alias of path.' },
      section: { type: ['string', 'null'], description: 'Section name, without brackets; omitted or null: the options before the first section.' },
      option: { type: 'string', description: 'Option name; without it, state absent removes the whole section and present makes sure the section exists.' },
      value: { type: 'string', description: 'The option\'s value.' },
      values: { type: 'array', items: { type: 'string' }, description: 'Several values of the same option (one line each).' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the option (or section) should be there.' },
      exclusive: { type: 'boolean', default: true, description: 'present: remove the other values of the option; absent: remove the option whatever its values.' },
      no_extra_spaces: { type: 'boolean', default: false, description: 'Write option=value instead of option = value.' },
      allow_no_value: { type: 'boolean', default: false, description: 'Allow an option without a value (a line with the bare name).' },
      create: { type: 'boolean', default: true, description: 'Create the file when it does not exist (false: fail).' },
      backup: { type: 'boolean', default: false, description: 'Before changing the file, keep a copy of it as DEST.YYYY-MM-DD@HH:MM:SS~.' },
      ...attributeProperties,
    },
    anyOf: [{ required: ['path'] }, { required: ['dest'] }],
    allOf: [
      { not: { required: ['value', 'values'] } },
      {
        if: { properties: { state: { const: 'present' }, allow_no_value: { const: false } } },
        then: { anyOf: [{ required: ['value'] }, { required: ['values'], properties: { values: { minItems: 1 } } }] },
      },
    ],
  },
  async plan(p, ctx) {
    const path = (p.path ?? p.dest)!;
    const missing = p.create ? { create: true as const } : { create: false as const, message: `Destination ${path} does not exist!` };
    return planTextEdit(p, { path, missing, edit: (old) => edit(p, old) }, ctx);
  },
  async apply(_p, planned, ctx) {
    return { result: await applyTextEdit(planned, ctx) };
  },
};
