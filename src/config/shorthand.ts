// Ansible's `key=value` task shorthand: `file: path=/x state=directory`,
// and free-form modules: `command: ls -l creates=/x`.

import type { ModuleDefinition } from '../engine/module.js';

/** Splits on white space outside quotes; quotes are removed, escapes kept literal. */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    // Jinja blocks are one word even when they contain spaces, as in Ansible.
    if (!quote && (text.startsWith('{{', i) || text.startsWith('{%', i))) {
      const close = text.indexOf(text[i + 1] === '{' ? '}}' : '%}', i + 2);
      const end = close < 0 ? text.length : close + 2;
      cur += text.slice(i, end);
      has = true;
      i = end - 1;
      continue;
    }
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (has || cur) out.push(cur);
  return out;
}

const KV = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

/** Words as Ansible's split_args makes them: split on white space outside quotes and Jinja blocks, quotes kept. */
export function rawWords(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (!quote && (text.startsWith('{{', i) || text.startsWith('{%', i) || text.startsWith('{#', i))) {
      const closer = text[i + 1] === '{' ? '}}' : text[i + 1] === '%' ? '%}' : '#}';
      const close = text.indexOf(closer, i + 2);
      const end = close < 0 ? text.length : close + 2;
      cur += text.slice(i, end);
      i = end - 1;
      continue;
    }
    if (quote) {
      if (c === '\\' && i + 1 < text.length) { cur += c + text[++i]; continue; }
      if (c === quote) quote = null;
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (/\s/.test(c)) {
      if (cur) out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (quote) throw new Error(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (cur) out.push(cur);
  return out;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/** Python's unicode-escape decoding, which Ansible applies to every key=value word. */
export function decodeEscapes(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)/g, (m, e: string) => {
    if (/^[xuU]/.test(e) && e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCodePoint(parseInt(e, 8));
    return ESCAPES[e] ?? m;
  });
}

/** Ansible's unquote: one pair of matching outer quotes comes off. */
function unquote(s: string): string {
  return s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0] ? s.slice(1, -1) : s;
}

export function parseShorthand(text: string, module: ModuleDefinition): Record<string, unknown> {
  const props = Object.keys((module.schema.properties as object) ?? {});
  const words = rawWords(text);
  const params: Record<string, unknown> = {};
  const rest: string[] = [];
  for (const w of words) {
    const m = KV.exec(decodeEscapes(w));
    // Free-form modules (command): only k=v words naming a real parameter are parameters; the rest is the command, kept verbatim.
    if (m && (!module.freeForm || (props.includes(m[1]) && m[1] !== module.freeForm))) params[m[1]] = unquote(m[2].trim());
    else rest.push(w);
  }
  if (module.freeForm) {
    if (rest.length) params[module.freeForm] = rest.join(' ');
    return params;
  }
  if (rest.length) params._raw_params = rest.map((w) => unquote(decodeEscapes(w))).join(' ');
  return params;
}
