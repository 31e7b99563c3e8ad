// nunjucks ends an expression at the first `}}`, even inside a dict literal
// (`{{ a | combine({'b': {'c': 1}}) }}`), where Jinja2 counts braces. This
// pass separates such inner `}}` into `} }` so both read it the same way.

export function balanceBraces(src: string): string {
  if (!src.includes('{{') && !src.includes('{%')) return src;
  let out = '';
  let i = 0;
  while (i < src.length) {
    const open = src.startsWith('{{', i) ? '}}' : src.startsWith('{%', i) ? '%}' : null;
    if (!open) { out += src[i++]; continue; }
    out += src.slice(i, i + 2);
    i += 2;
    let depth = 0;
    let quote: string | null = null;
    while (i < src.length) {
      const c = src[i];
      if (quote) {
        if (c === '\\') { out += src.slice(i, i + 2); i += 2; continue; }
        if (c === quote) quote = null;
        out += c; i++; continue;
      }
      if (c === '"' || c === "'") { quote = c; out += c; i++; continue; }
      if (depth === 0 && src.startsWith(open, i)) { out += open; i += 2; break; }
      if (c === '{') depth++;
      if (c === '}' && depth > 0) {
        depth--;
        out += src[i + 1] === '}' ? '} ' : '}';
        i++;
        continue;
      }
      out += c; i++;
    }
  }
  return out;
}
