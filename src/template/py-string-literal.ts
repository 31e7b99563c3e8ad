// A Jinja string literal's escapes, as Jinja decodes them (Python's
// 'unicode-escape' codec). nunjucks knows only \n \t \r and drops the
// backslash of every other escape, so `regex_replace('\s+', '_')` searched
// for 's+' and left the text alone: a silently different result.

const SIMPLE: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/** The value of a literal's body (between its quotes) as Jinja reads it. */
export function decodeJinjaString(body: string): string {
  const s = body.replace(/\r\n?/g, '\n');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') { out += c; continue; }
    const e = s[++i];
    if (e === undefined) throw new Error('\\ at the end of a string literal');
    if (e === '\n') continue;
    if (e in SIMPLE) { out += SIMPLE[e]; continue; }
    if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(s.slice(i))![0];
      out += String.fromCodePoint(parseInt(m, 8));
      i += m.length - 1;
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width) {
      const hex = s.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw new Error(`truncated \\${e} escape in a string literal`);
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw new Error(`\\${e}${hex} is not a Unicode code point`);
      out += String.fromCodePoint(cp);
      i += width;
      continue;
    }
    if (e === 'N') throw new Error('\\N{...} escapes in string literals are not supported');
    // Python keeps an unknown escape as written, backslash included.
    out += '\\' + e;
  }
  return out;
}

/** nunjucks' tokenizer reads the literal; the decoding is Jinja's. */
export function installJinjaStringLiterals(tokenizerProto: any): void {
  tokenizerProto._parseString = function (this: any, delimiter: string): string {
    this.forward();
    let raw = '';
    while (!this.isFinished() && this.current() !== delimiter) {
      if (this.current() === '\\') {
        raw += '\\';
        this.forward();
        if (this.isFinished()) break;
      }
      raw += this.current();
      this.forward();
    }
    this.forward();
    return decodeJinjaString(raw);
  };
}
