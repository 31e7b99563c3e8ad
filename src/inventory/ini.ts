// Ansible's INI inventory format: [group], [group:vars], [group:children],
// host lines with key=value variables, ranges like node[000:003].

import { ConfigError, ConfigErrors } from '../config/errors.js';
import { splitWords } from '../config/shorthand.js';
import { expandHostRange, type Inventory } from './inventory.js';

/** INI values are strings; numbers and booleans become typed as Ansible's literal_eval does. */
function typed(v: string): unknown {
  if (/^-?\d+$/.test(v)) return Number(v);
  if (v === 'True' || v === 'true') return true;
  if (v === 'False' || v === 'false') return false;
  return v;
}

export function parseIniInventory(inv: Inventory, file: string, text: string): void {
  const errors: ConfigError[] = [];
  let section = 'ungrouped';
  let kind: 'hosts' | 'vars' | 'children' = 'hosts';
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.replace(/\s[#;].*$/, '').trim();
    const pos = { file, line: i + 1, col: 1 };
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const head = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(line);
    if (line.startsWith('[')) {
      if (!head) {
        errors.push(new ConfigError(`bad section header '${line}'; expected [group], [group:vars] or [group:children]`, pos));
        return;
      }
      section = head[1];
      kind = (head[2] as 'vars' | 'children') ?? 'hosts';
      inv.group(section, pos);
      return;
    }
    let words: string[];
    try {
      words = splitWords(line);
    } catch (e) {
      errors.push(new ConfigError((e as Error).message, pos));
      return;
    }
    if (kind === 'vars') {
      const m = /^([A-Za-z_][\w]*)\s*=\s*(.*)$/.exec(line);
      if (!m) errors.push(new ConfigError(`expected key=value in [${section}:vars], found '${line}'`, pos));
      else inv.group(section).vars[m[1]] = typed(splitWords(m[2]).join(' '));
      return;
    }
    if (kind === 'children') {
      if (words.length !== 1) errors.push(new ConfigError(`expected one group name per line in [${section}:children]`, pos));
      else {
        inv.group(section).children.add(words[0]);
        inv.group(section).childPos.set(words[0], pos);
        inv.group(words[0], pos);
      }
      return;
    }
    const [name, ...rest] = words;
    const vars: Record<string, unknown> = {};
    for (const w of rest) {
      const m = /^([A-Za-z_][\w]*)=(.*)$/.exec(w);
      if (!m) {
        errors.push(new ConfigError(`expected key=value after host '${name}', found '${w}'`, { ...pos, col: rawLine.indexOf(w) + 1 }));
        return;
      }
      vars[m[1]] = typed(m[2]);
    }
    let names: string[];
    try { names = expandHostRange(name); } catch (e) {
      errors.push(new ConfigError((e as Error).message, pos));
      return;
    }
    for (const h of names) inv.addHost(h, section === 'ungrouped' ? undefined : section, vars, pos);
  });
  if (errors.length) throw new ConfigErrors(errors);
}
