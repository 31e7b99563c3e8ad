// Plain YAML scalars resolved as PyYAML's YAML 1.1 resolver resolves them,
// since that is what ansible-playbook sees: `yes`/`on`/`true` are booleans but
// `y` and `n` are strings; `0644` is octal, `09` a string; a float needs a dot
// (`1e3` and `e0` are strings); `1:30` is 90; `2001-12-14` a date (kept as
// its text, which is how Ansible prints a date). Checked against PyYAML by
// test/compat/yaml-scalars.test.ts.

import { Scalar, type ScalarTag } from 'yaml';
import { UnsafeText } from '../template/data-tag.js';
import { PyFloat, pyFloat } from '../template/py-values.js';

const BOOL_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const BOOL_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const DATETIME = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?$/;

function sexagesimal(body: string): number {
  return body.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

function resolveInt(src: string): number {
  const s = src.replace(/_/g, '');
  const sign = s.startsWith('-') ? -1 : 1;
  const body = s.replace(/^[-+]/, '');
  if (body.includes(':')) return sign * sexagesimal(body);
  if (body.startsWith('0b')) return sign * parseInt(body.slice(2), 2);
  if (body.startsWith('0x')) return sign * parseInt(body.slice(2), 16);
  if (body.length > 1 && body.startsWith('0')) return sign * parseInt(body, 8);
  return sign * parseInt(body, 10);
}

function resolveFloat(src: string): number | PyFloat {
  const s = src.replace(/_/g, '').toLowerCase();
  if (s.endsWith('.inf')) return s.startsWith('-') ? -Infinity : Infinity;
  if (s === '.nan') return NaN;
  if (s.includes(':')) {
    const sign = s.startsWith('-') ? -1 : 1;
    return pyFloat(sign * sexagesimal(s.replace(/^[-+]/, '')));
  }
  // A whole float (1.0) stays a float, so a template shows it as Ansible does.
  return pyFloat(Number(s));
}

const scalar = (v: unknown) => new Scalar(v);

const PLAIN: ScalarTag[] = [
  { tag: 'tag:yaml.org,2002:null', default: true, test: NULL, resolve: () => scalar(null), identify: (v) => v === null },
  { tag: 'tag:yaml.org,2002:bool', default: true, test: BOOL_TRUE, resolve: () => scalar(true), identify: (v) => v === true },
  { tag: 'tag:yaml.org,2002:bool', default: true, test: BOOL_FALSE, resolve: () => scalar(false), identify: (v) => v === false },
  { tag: 'tag:yaml.org,2002:int', default: true, test: INT, resolve: (s) => scalar(resolveInt(s)), identify: (v) => Number.isInteger(v) },
  { tag: 'tag:yaml.org,2002:float', default: true, test: FLOAT, resolve: (s) => scalar(resolveFloat(s)), identify: (v) => typeof v === 'number' || v instanceof PyFloat },
  // PyYAML makes these date and datetime objects; Ansible prints a date as this same text.
  { tag: 'tag:yaml.org,2002:timestamp', default: true, test: DATE, resolve: (s) => scalar(s), identify: () => false },
  { tag: 'tag:yaml.org,2002:timestamp', default: true, test: DATETIME, resolve: (s) => scalar(s), identify: () => false },
];

/** Ansible's `!unsafe`: a string that is never templated. */
const UNSAFE: ScalarTag = {
  tag: '!unsafe',
  identify: (v) => v instanceof UnsafeText,
  resolve: (s) => new UnsafeText(s) as never,
};

const REPLACED = new Set(['tag:yaml.org,2002:null', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:timestamp']);

/** The `customTags` hook for yaml's parseDocument: PyYAML's plain scalars and `!unsafe`. */
export function pyyamlTags(tags: Array<ScalarTag | { tag: string }>): Array<ScalarTag | { tag: string }> {
  // Explicit tags (`!!int "7"`) keep the library's resolvers; only implicit plain-scalar rules change.
  const kept = tags.filter((t) => !(REPLACED.has(t.tag) && (t as ScalarTag).default));
  return [...PLAIN, ...kept, UNSAFE];
}
