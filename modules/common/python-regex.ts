// Playbooks carry Python regular expressions (Ansible runs Python). Most are
// valid JavaScript as they are; the differences real playbooks hit are
// translated here: named groups (?P<n>..), (?P=n), \A, \Z and a leading
// inline flag group like (?i). Anything else is passed through as is.

import { TaskFailedError } from '../../src/engine/module.js';

export function pythonRegExp(source: string, param = 'regexp'): RegExp {
  let flags = '';
  let s = source;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(s);
  if (inline) {
    for (const f of inline[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
    s = s.slice(inline[0].length);
  }
  s = s
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])\\A/g, '$1^')
    .replace(/(^|[^\\])\\Z/g, '$1$');
  try {
    return new RegExp(s, flags);
  } catch (e) {
    throw new TaskFailedError(`${param} is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** Python's match.expand(): \1, \g<1>, \g<name>, and the usual escapes. */
export function expandMatch(m: RegExpExecArray, template: string): string {
  return template.replace(/\\(?:g<(\w+)>|(\d{1,2})|(.))/g, (_all, g: string | undefined, n: string | undefined, esc: string | undefined) => {
    if (g !== undefined) return (/^\d+$/.test(g) ? m[Number(g)] : m.groups?.[g]) ?? '';
    if (n !== undefined) return m[Number(n)] ?? '';
    const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
    return escapes[esc!] ?? `\\${esc}`;
  });
}
