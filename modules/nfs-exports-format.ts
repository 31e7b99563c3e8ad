// /etc/exports (exports(5)): parse export lines with their clients and
// options, compare exports with option order normalised, and replace or
// remove the lines of one path while keeping the rest of the file as it is.

export interface ExportClient {
  host: string;
  /** Options in the order they are (to be) written. */
  options: string[];
}

export interface ExportLine {
  path: string;
  clients: ExportClient[];
  /** Line range in the file (a line may continue with a trailing backslash). */
  first: number;
  last: number;
}

export interface ExportsFile {
  lines: string[];
  finalNewline: boolean;
  exports: ExportLine[];
}

/** Splits a logical line into words: double quotes group, # starts a comment. */
function words(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (const c of text) {
    if (c === '"') { quoted = !quoted; inWord = true; continue; }
    if (!quoted && c === '#') break;
    if (!quoted && /\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    cur += c;
    inWord = true;
  }
  if (inWord) out.push(cur);
  return out;
}

/** exports(5) writes special characters in paths as octal escapes (\040 for a space). */
function unescapePath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function splitOptions(s: string): string[] {
  return s.split(',').map((o) => o.trim()).filter(Boolean);
}

/** One client word: host(opts), host, or (opts) for the world; `defaults` from a -opts word. */
export function parseClient(word: string, defaults: string[] = []): ExportClient {
  const m = /^([^()]*)\((.*)\)$/.exec(word);
  if (!m) return { host: word, options: [...defaults] };
  return { host: m[1] === '' ? '*' : m[1], options: mergeOptions(defaults, splitOptions(m[2])) };
}

/** Later options win over earlier ones of the same name (rw after ro ...). */
function mergeOptions(defaults: string[], own: string[]): string[] {
  if (defaults.length === 0) return own;
  const name = (o: string) => o.split('=')[0];
  const opposite: Record<string, string> = {
    rw: 'ro', ro: 'rw', sync: 'async', async: 'sync', root_squash: 'no_root_squash', no_root_squash: 'root_squash',
    all_squash: 'no_all_squash', no_all_squash: 'all_squash', secure: 'insecure', insecure: 'secure',
    subtree_check: 'no_subtree_check', no_subtree_check: 'subtree_check', hide: 'nohide', nohide: 'hide',
    wdelay: 'no_wdelay', no_wdelay: 'wdelay', crossmnt: 'nocrossmnt', nocrossmnt: 'crossmnt',
  };
  const ownNames = new Set(own.map(name));
  const kept = defaults.filter((d) => !ownNames.has(name(d)) && !(opposite[d] && own.includes(opposite[d])));
  return [...kept, ...own];
}

export function parseExports(text: string): ExportsFile {
  const finalNewline = text.endsWith('\n');
  const lines = text === '' ? [] : (finalNewline ? text.slice(0, -1) : text).split('\n');
  const exports: ExportLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    let last = i;
    let logical = lines[i];
    while (logical.endsWith('\\') && last + 1 < lines.length) {
      last++;
      logical = logical.slice(0, -1) + ' ' + lines[last];
    }
    const w = words(logical);
    if (w.length > 0) {
      let defaults: string[] = [];
      const clients: ExportClient[] = [];
      for (const word of w.slice(1)) {
        if (word.startsWith('-')) defaults = splitOptions(word.slice(1));
        else clients.push(parseClient(word, defaults));
      }
      exports.push({ path: unescapePath(w[0]), clients, first: i, last });
    }
    i = last;
  }
  return { lines, finalNewline, exports };
}

/** Key of a client list that ignores client order and option order. */
export function exportKey(clients: ExportClient[]): string {
  return clients.map((c) => `${c.host}(${[...new Set(c.options)].sort().join(',')})`).sort().join(' ');
}

/** All clients of `path` in the file (it may be split over several lines). */
export function clientsOf(f: ExportsFile, path: string): ExportClient[] | undefined {
  const lines = f.exports.filter((e) => e.path === path);
  return lines.length ? lines.flatMap((e) => e.clients) : undefined;
}

function quotePath(path: string): string {
  return /[\s#]/.test(path) ? `"${path}"` : path;
}

export function formatExport(path: string, clients: ExportClient[]): string {
  return [quotePath(path), ...clients.map((c) => (c.options.length ? `${c.host}(${c.options.join(',')})` : c.host))].join(' ');
}

/** The file with `path`'s export replaced by `clients` (undefined: removed). */
export function editExports(f: ExportsFile, path: string, clients: ExportClient[] | undefined): string {
  const mine = f.exports.filter((e) => e.path === path);
  const drop = new Set<number>();
  for (const e of mine) for (let i = e.first; i <= e.last; i++) drop.add(i);
  const out: string[] = [];
  f.lines.forEach((l, i) => {
    if (clients && mine.length && i === mine[0].first) out.push(formatExport(path, clients));
    else if (!drop.has(i)) out.push(l);
  });
  if (clients && mine.length === 0) out.push(formatExport(path, clients));
  if (out.length === 0) return '';
  return out.join('\n') + '\n';
}

/** Options exports(5) knows (Linux nfs-utils 2.x); key=value ones by their key. */
const KNOWN_OPTIONS = new Set([
  'rw', 'ro', 'sync', 'async', 'secure', 'insecure', 'wdelay', 'no_wdelay', 'hide', 'nohide', 'crossmnt', 'nocrossmnt',
  'subtree_check', 'no_subtree_check', 'insecure_locks', 'no_auth_nlm', 'secure_locks', 'auth_nlm', 'mountpoint', 'mp',
  'fsid', 'nordirplus', 'refer', 'replicas', 'pnfs', 'no_pnfs', 'security_label', 'sec', 'root_squash', 'no_root_squash',
  'all_squash', 'no_all_squash', 'anonuid', 'anongid', 'acl', 'no_acl', 'xprtsec', 'reexport',
]);

const VALUE_OPTIONS = new Set(['mountpoint', 'mp', 'fsid', 'refer', 'replicas', 'sec', 'anonuid', 'anongid', 'xprtsec', 'reexport']);

/**
 * Our own strict check of what we write (exportfs checks the whole file too,
 * when it is installed): absolute path, client names without spaces or
 * parentheses, known options with values where they need them.
 */
export function checkExport(path: string, clients: ExportClient[]): string[] {
  const problems: string[] = [];
  if (!path.startsWith('/')) problems.push(`export path must be absolute: ${path}`);
  if (/["\\\n\0]/.test(path)) problems.push(`export path must not contain quotes, backslashes or newlines: ${path}`);
  if (clients.length === 0) problems.push(`export ${path} has no clients`);
  for (const c of clients) {
    if (c.host === '' || /[\s()#"\\,]/.test(c.host)) problems.push(`invalid client '${c.host}'`);
    for (const o of c.options) {
      const [k, v] = o.split('=', 2);
      if (!KNOWN_OPTIONS.has(k)) problems.push(`unknown export option '${o}' for client ${c.host}`);
      else if (VALUE_OPTIONS.has(k) && (v === undefined || v === '') && k !== 'mountpoint' && k !== 'mp') problems.push(`export option '${k}' needs a value (${k}=...)`);
      else if ((k === 'anonuid' || k === 'anongid') && !/^-?\d+$/.test(v)) problems.push(`export option '${o}' needs a number`);
    }
  }
  return problems;
}
