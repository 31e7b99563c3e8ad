// A YAML file loaded as ansible-playbook loads it (PyYAML's YAML 1.1 scalars:
// yes/no, octal 0644; Ansible's !unsafe) that can
// say where any value came from: every error about the user's files names
// file:line:col.

import { readFileSync, readSync, statSync } from 'node:fs';
import YAML, { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import { ConfigError, type SourcePos } from './errors.js';
import { pyyamlTags } from './yaml11-scalars.js';

/** Larger input files are refused: a playbook is never this big. */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;

export type YamlPath = Array<string | number>;

export class YamlSource {
  constructor(
    public readonly file: string,
    public readonly text: string,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter,
    public readonly value: unknown,
  ) {}

  /** The parsed document and its line table (parseYaml's cache). */
  get document(): Document | undefined { return this.doc; }
  get lineCounter(): LineCounter { return this.lines; }

  private pos(offset: number | undefined): SourcePos {
    if (offset === undefined) return { file: this.file };
    const lp = this.lines.linePos(offset);
    return { file: this.file, line: lp.line, col: lp.col };
  }

  /** Position of the value at `path`, or of its key when `atKey`. Falls back to the nearest parent. */
  posOf(path: YamlPath, atKey = false): SourcePos {
    if (!this.doc) return { file: this.file };
    let node: unknown = this.doc.contents;
    let best: number | undefined = (node as Node | null)?.range?.[0];
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const keyNode = pair.key as Node;
        if (last && atKey) return this.pos(keyNode.range?.[0]);
        node = pair.value;
        best = (node as Node | null)?.range?.[0] ?? keyNode.range?.[0] ?? best;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined) break;
        node = item;
        best = (node as Node | null)?.range?.[0] ?? best;
      } else break;
    }
    return this.pos(best);
  }

  /** Line (1-based) at which the value at `path` starts. */
  lineOf(path: YamlPath): number | undefined {
    return this.posOf(path).line;
  }

  error(message: string, path: YamlPath, atKey = false): ConfigError {
    return new ConfigError(message, this.posOf(path, atKey));
  }
}

function decodeUtf8(file: string, buf: Buffer, expected = 'YAML text'): string {
  if (buf.includes(0)) {
    const off = buf.indexOf(0);
    const line = buf.subarray(0, off).toString('latin1').split('\n').length;
    throw new ConfigError(`binary file: contains a NUL byte; expected ${expected}`, { file, line });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    // Find the first invalid sequence to point at its line.
    let lo = 0;
    let hi = buf.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      try { new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, mid)); lo = mid; } catch { hi = mid; }
    }
    const line = buf.subarray(0, lo).toString('utf8').split('\n').length;
    throw new ConfigError(`not valid UTF-8; expected UTF-8 encoded ${expected}`, { file, line });
  }
}

/**
 * Parsed documents by file and text: a run reads some files more than once (the playbook's first play
 * before the whole playbook, vars files for validation and again for the play), and parsing is most of
 * what loading costs. Each caller still gets a value of its own (toJS again), never a shared one.
 */
const parsed = new Map<string, { text: string; doc: Document; lines: LineCounter }>();

export function parseYaml(file: string, text: string): YamlSource {
  const known = parsed.get(file);
  if (known && known.text === text) return new YamlSource(file, text, known.doc, known.lines, known.doc.toJS({ maxAliasCount: 1000 }));
  const source = parseYamlText(file, text);
  parsed.set(file, { text, doc: source.document!, lines: source.lineCounter });
  return source;
}

/** Where a collection could be a mapping key: `]` or `}` then `:`, or a `?` indicator (its key on the next lines). */
const COLLECTION_KEY_HINT = /[\]}]\s*:|(?:^|[\s,[{-])\?(?:\s|$)/;

function parseYamlText(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = YAML.parseDocument(text, { version: '1.1', uniqueKeys: true, prettyErrors: false, lineCounter: lines, merge: true, customTags: pyyamlTags as never });
  const err = doc.errors[0];
  if (err) {
    // linePos is only filled in with prettyErrors; pos (offsets) always is.
    const lp = err.linePos?.[0] ?? (err.pos ? lines.linePos(err.pos[0]) : undefined);
    const msg = err.code === 'DUPLICATE_KEY' ? 'duplicate key: a mapping key appears twice' : err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`invalid YAML: ${msg}`, { file, line: lp?.line, col: lp?.col });
  }
  // PyYAML refuses a list or mapping as a mapping key ("found unhashable key"); JavaScript
  // would turn it into the string "[object Object]" or "1,2". Such a key is written as a flow
  // collection before its colon or after an explicit `?`: a text with neither has none, and is
  // not walked (the walk is a tenth of a cold parse).
  let badKey: Node | undefined;
  if (COLLECTION_KEY_HINT.test(text)) {
    YAML.visit(doc, { Pair(_, pair) { if (!badKey && (isMap(pair.key) || isSeq(pair.key))) badKey = pair.key as Node; } });
  }
  if (badKey) {
    const lp = badKey.range ? lines.linePos(badKey.range[0]) : undefined;
    throw new ConfigError('invalid YAML: a list or mapping cannot be a mapping key (found unhashable key)', { file, line: lp?.line, col: lp?.col });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ConfigError(`invalid YAML: ${(e as Error).message}`, { file });
  }
  return new YamlSource(file, text, doc, lines, value);
}

/** A user's file as bytes: present and not huge (one check for YAML and plain text). */
/** Everything on descriptor 0 until its end; a non-blocking one (a socket) is waited for. */
function readStandardInput(): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  const buf = Buffer.allocUnsafe(64 * 1024);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 5); continue; }
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    parts.push(Buffer.from(buf.subarray(0, n)));
    total += n;
    if (total > MAX_INPUT_BYTES) throw new ConfigError(`standard input is over ${MAX_INPUT_BYTES} bytes; refusing larger input`);
  }
  return Buffer.concat(parts);
}

function readUserFile(file: string, what: string): Buffer {
  // `-e @/dev/stdin` (a secret piped in, never on a command line): read through descriptor 0, since a socket
  // (what a program spawning converge may hand it) cannot be opened by name.
  if (file === '/dev/stdin') {
    try { return readStandardInput(); } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(e.message.replace('standard input', what), { file });
      throw new ConfigError(`${what} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
    }
  }
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new ConfigError(`${what} not found`, { file });
  }
  if (size > MAX_INPUT_BYTES) throw new ConfigError(`${what} is ${size} bytes; refusing input larger than ${MAX_INPUT_BYTES} bytes`, { file });
  try {
    return readFileSync(file);
  } catch (e) {
    throw new ConfigError(`${what} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
}

export function loadYamlFile(file: string, what = 'file'): YamlSource {
  return parseYaml(file, decodeUtf8(file, readUserFile(file, what)));
}

export function readTextFile(file: string, what = 'file'): string {
  return decodeUtf8(file, readUserFile(file, what), `${what} text`);
}
