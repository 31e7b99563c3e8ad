// to_yaml and to_nice_yaml as Ansible writes them, which is PyYAML's dump:
// keys sorted, sequences inside a mapping not indented, `-   key: v` under
// indent 4, leaf collections in flow style for to_yaml, strings quoted when
// they would read back as something else. What PyYAML would fold or escape
// (multi-line strings, lines past 80 columns) is refused, not guessed.

import { pyyamlResolvesAsString } from './py-yaml-scalars.js';
import { PyFloat, PyTypeError, reprFloat } from './py-values.js';

const WIDTH = 80;

function scalarText(v: unknown, flow: boolean): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof PyFloat) return reprFloat(v.value);
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    if (Number.isInteger(v)) return String(v);
    // PyYAML writes repr(float), with '.0' added to an exponent form that has no point (1.0e-05).
    const r = reprFloat(v);
    return r.includes('e') && !r.includes('.') ? r.replace('e', '.0e') : r;
  }
  const s = String(v);
  if (/[\n\r\t\x00-\x1f\x7f]/.test(s)) throw new PyTypeError('to_yaml/to_nice_yaml of a string with line breaks or control characters is not supported');
  const plain = s !== '' && pyyamlResolvesAsString(s) && !/^[-?:,[\]{}#&*!|>'"%@`\s]/.test(s) && !/\s$/.test(s)
    && !s.includes(': ') && !s.includes(' #') && !s.endsWith(':') && !(flow && /[,[\]{}]/.test(s));
  return plain ? s : `'${s.replace(/'/g, "''")}'`;
}

function isCollection(v: unknown): v is object {
  return !!v && typeof v === 'object' && !(v instanceof PyFloat);
}

function entries(v: object): Array<[string | null, unknown]> {
  if (Array.isArray(v)) return v.map((x) => [null, x]);
  return Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
}

function flowText(v: unknown): string {
  if (!isCollection(v)) return scalarText(v, true);
  const items = entries(v);
  if (Array.isArray(v)) return `[${items.map(([, x]) => flowText(x)).join(', ')}]`;
  return `{${items.map(([k, x]) => `${scalarText(k, true)}: ${flowText(x)}`).join(', ')}}`;
}

function useFlow(v: object, flowLeaves: boolean): boolean {
  const items = entries(v);
  return items.length === 0 || (flowLeaves && items.every(([, x]) => !isCollection(x)));
}

/** Lines of `v` in block style, starting at column `col`. */
function block(v: object, indent: number, col: number, flowLeaves: boolean): string[] {
  const pad = ' '.repeat(col);
  const out: string[] = [];
  for (const [k, x] of entries(v)) {
    if (k === null) {
      // A sequence item: "- " then the value; a collection continues at col + indent.
      if (isCollection(x) && !useFlow(x, flowLeaves)) {
        const inner = block(x, indent, col + indent, flowLeaves);
        out.push(pad + '-' + ' '.repeat(indent - 1) + inner[0].slice(col + indent));
        out.push(...inner.slice(1));
      } else out.push(`${pad}- ${isCollection(x) ? flowText(x) : scalarText(x, false)}`);
    } else {
      const key = scalarText(k, false);
      if (isCollection(x) && !useFlow(x, flowLeaves)) {
        out.push(`${pad}${key}:`);
        // PyYAML does not indent a sequence under a mapping key.
        out.push(...block(x, indent, Array.isArray(x) ? col : col + indent, flowLeaves));
      } else out.push(`${pad}${key}: ${isCollection(x) ? flowText(x) : scalarText(x, false)}`);
    }
  }
  return out;
}

export function pyYamlDump(v: unknown, indent: number, flowLeaves: boolean): string {
  const lines = !isCollection(v) ? [scalarText(v, false)] : useFlow(v, flowLeaves) ? [flowText(v)] : block(v, indent, 0, flowLeaves);
  const long = lines.find((l) => l.length > WIDTH);
  if (long) throw new PyTypeError(`to_yaml/to_nice_yaml output wider than ${WIDTH} columns (PyYAML would fold it) is not supported`);
  return lines.join('\n') + '\n';
}
