// KEY=VALUE shell-variable files (/etc/sysconfig/*, /etc/default/*): parse
// assignments with their quoting, and edit values while keeping every other
// byte — comments, order, blank lines and the quoting style of the file.
// Values are literal strings: `"a b"`, `'a b'` and `a\ b` all mean "a b".

export type QuoteStyle = '"' | "'" | '';

export interface Assignment {
  key: string;
  /** The decoded value. */
  value: string;
  /** Quote the value was written with ('' for bare). */
  quote: QuoteStyle;
  /** Index of the first and last line of the assignment in `lines`. */
  first: number;
  last: number;
  /** Text before KEY (indent, "export ") and after the value (" # comment"). */
  prefix: string;
  suffix: string;
}

export interface ShellVarsFile {
  lines: string[];
  /** Whether the text ended with a newline. */
  finalNewline: boolean;
  assignments: Assignment[];
}

const ASSIGN = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)=/;

/**
 * Reads one shell word starting at text[i]: returns the decoded value, the
 * first quote used, and where the word ends. Unclosed quotes return end -1.
 */
function readWord(text: string, i: number): { value: string; quote: QuoteStyle; end: number } {
  let value = '';
  let quote: QuoteStyle | undefined;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      quote ??= '"';
      i++;
      for (;;) {
        if (i >= text.length) return { value, quote, end: -1 };
        const d = text[i];
        if (d === '"') { i++; break; }
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
          if (text[i + 1] !== '\n') value += text[i + 1];
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
    } else if (c === "'") {
      quote ??= "'";
      const close = text.indexOf("'", i + 1);
      if (close < 0) return { value, quote, end: -1 };
      value += text.slice(i + 1, close);
      i = close + 1;
    } else if (c === '\\') {
      quote ??= '';
      if (i + 1 < text.length && text[i + 1] !== '\n') value += text[i + 1];
      i += 2;
    } else if (/\s/.test(c) || c === ';') {
      break;
    } else {
      quote ??= '';
      value += c;
      i++;
    }
  }
  return { value, quote: quote ?? '', end: i };
}

export function parseShellVars(text: string): ShellVarsFile {
  const finalNewline = text.endsWith('\n');
  const lines = text === '' ? [] : (finalNewline ? text.slice(0, -1) : text).split('\n');
  const assignments: Assignment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = ASSIGN.exec(lines[i]);
    if (!m) continue;
    // A quoted value may span lines: join until the word closes.
    let last = i;
    let joined = lines[i];
    let word = readWord(joined, m[0].length);
    while (word.end < 0 && last + 1 < lines.length) {
      last++;
      joined += '\n' + lines[last];
      word = readWord(joined, m[0].length);
    }
    if (word.end < 0) break; // unterminated quote up to the end: leave the rest alone
    assignments.push({ key: m[2], value: word.value, quote: word.quote, first: i, last, prefix: m[1], suffix: joined.slice(word.end) });
    i = last;
  }
  return { lines, finalNewline, assignments };
}

/** The quoting most assignments of the file use; double quotes for a file without any. */
export function fileQuoteStyle(f: ShellVarsFile): QuoteStyle {
  const n: Record<string, number> = { '"': 0, "'": 0, '': 0 };
  for (const a of f.assignments) if (a.value !== '' || a.quote !== '') n[a.quote]++;
  if (n['"'] + n["'"] + n[''] === 0) return '"';
  if (n[''] > n['"'] && n[''] > n["'"]) return '';
  return n["'"] > n['"'] ? "'" : '"';
}

const BARE_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** The value written in `style`, or in double quotes when the style cannot hold it. */
export function quoteValue(value: string, style: QuoteStyle): string {
  if (style === '' && BARE_SAFE.test(value)) return value;
  if (style === "'" && !value.includes("'")) return `'${value}'`;
  return `"${value.replace(/[\\"$`]/g, (c) => '\\' + c)}"`;
}

/** Last assignment of each key (the one the shell ends up with). */
export function currentValues(f: ShellVarsFile): Map<string, Assignment> {
  const m = new Map<string, Assignment>();
  for (const a of f.assignments) m.set(a.key, a);
  return m;
}

/**
 * New text with `set` values applied (existing keys changed in place, keeping
 * their quote style; new keys appended) and `remove` keys deleted (every
 * assignment of them).
 */
export function editShellVars(f: ShellVarsFile, set: Map<string, string>, remove: Set<string>): string {
  const style = fileQuoteStyle(f);
  const current = currentValues(f);
  const replaced = new Map<number, string[]>(); // first line -> replacement lines
  const dropped = new Set<number>();
  for (const a of f.assignments) {
    if (remove.has(a.key)) {
      for (let i = a.first; i <= a.last; i++) dropped.add(i);
    } else if (set.has(a.key) && current.get(a.key) === a && a.value !== set.get(a.key)) {
      const quote = a.quote === '' && !BARE_SAFE.test(set.get(a.key)!) ? style || '"' : a.quote;
      replaced.set(a.first, `${a.prefix}${a.key}=${quoteValue(set.get(a.key)!, quote)}${a.suffix}`.split('\n'));
      for (let i = a.first + 1; i <= a.last; i++) dropped.add(i);
    }
  }
  const out: string[] = [];
  f.lines.forEach((l, i) => {
    if (replaced.has(i)) out.push(...replaced.get(i)!);
    else if (!dropped.has(i)) out.push(l);
  });
  for (const [k, v] of set) if (!current.has(k)) out.push(`${k}=${quoteValue(v, style)}`);
  if (out.length === 0) return '';
  return out.join('\n') + (f.finalNewline || out.length > f.lines.length || f.lines.length === 0 ? '\n' : '');
}
