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

export function parseShorthand(text: string, module: ModuleDefinition): Record<string, unknown> {
  const props = Object.keys((module.schema.properties as object) ?? {});
  if (module.freeForm) {
    // Only k=v words naming a real parameter are parameters; the rest is the command, kept verbatim.
    const params: Record<string, unknown> = {};
    const rest: string[] = [];
    // Words as written (quotes kept, Jinja blocks whole), so the command text stays verbatim.
    const raw = text.match(/(?:\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|[^\s"'{]+|\{|"(?:\\.|[^"])*"|'[^']*')+/g) ?? [];
    for (const w of raw) {
      const m = KV.exec(w);
      if (m && props.includes(m[1]) && m[1] !== module.freeForm) params[m[1]] = splitWords(m[2]).join(' ');
      else rest.push(w);
    }
    if (rest.length) params[module.freeForm] = rest.join(' ');
    return params;
  }
  const params: Record<string, unknown> = {};
  const loose: string[] = [];
  for (const w of splitWords(text)) {
    const m = KV.exec(w);
    if (m) params[m[1]] = m[2];
    else loose.push(w);
  }
  if (loose.length) params._raw_params = loose.join(' ');
  return params;
}
