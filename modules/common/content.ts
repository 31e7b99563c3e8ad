// Content changes with a unified diff a person can judge. Binary or very large
// content gets a one-line summary instead; secrets get no diff at all.

import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { Host } from '../../src/host/host.js';
import { isContentStream } from '../../src/host/content-stream.js';
import type { StreamedContent } from './controller-stream.js';
import type { Change } from '../../src/engine/module.js';
import { basename } from './paths.js';

/** Above this size (either side) no diff is computed: it would be unreadable and slow. */
export const MAX_DIFF_BYTES = 256 * 1024;

export function sha1(data: Buffer | string): string {
  return createHash('sha1').update(data).digest('hex');
}

export function isBinary(data: Buffer): boolean {
  const head = data.subarray(0, 8000);
  if (head.includes(0)) return true;
  // Not valid UTF-8 -> binary for diffing purposes.
  return Buffer.from(head.toString('utf8'), 'utf8').length !== head.length && !endsInCutCharacter(head);
}

/** A multi-byte character cut at the 8000-byte boundary is not a sign of binary data. */
function endsInCutCharacter(head: Buffer): boolean {
  if (head.length < 8000) return false;
  const s = head.toString('utf8');
  return Buffer.from(s.replace(/\uFFFD+$/, ''), 'utf8').length >= head.length - 3;
}

/** Names that usually hold secrets: private keys, shadow files, anything "secret". */
export function hasSecretName(path: string): boolean {
  const n = basename(path).toLowerCase();
  return /^id_/.test(n) && !n.endsWith('.pub')
    || /\.(key|pem|p12|pfx)$/.test(n)
    || /^g?shadow-?$/.test(n)
    || n.includes('secret') || n.includes('password') || n.includes('passwd.key');
}

/** A file nobody but its owner may read is treated as a secret (0600, 0400, 0700 ...). */
export function hasSecretMode(mode: number | undefined): boolean {
  return mode !== undefined && (mode & 0o077) === 0;
}

export interface ContentOptions {
  /** Current content; read from the host when not given (null = missing). */
  old?: Buffer | null;
  /** Mode the file has or will have: 0600-like modes hide the diff. */
  mode?: number;
  /** show_diff_of_secret: true in the task. */
  showSecret?: boolean;
}

function describeSize(b: Buffer | null): string {
  return b === null ? 'absent' : `${b.length} bytes`;
}

/** The diff line of a file whose content is a secret (by mode or name), or undefined. */
function hiddenDiff(path: string, opts: ContentOptions): string | undefined {
  if (opts.showSecret || !(hasSecretMode(opts.mode) || hasSecretName(path))) return undefined;
  const why = hasSecretName(path) ? 'key-like name' : `mode 0${(opts.mode! & 0o777).toString(8)}`;
  return `content changed (diff hidden: ${why}; set show_diff_of_secret: true to see it)`;
}

/** The current file as the host summed it (large files are never read here). */
export interface SummedFile {
  sha1: string;
  size: number;
}

/**
 * The content change for large content, compared by checksum: the host sums
 * the current file, the new content is summed as it is read. No diff (it
 * would be unreadable), the sizes and checksum instead.
 */
export async function planSummedContent(path: string, content: Buffer | StreamedContent, old: SummedFile | null,
  opts: Omit<ContentOptions, 'old'> = {}): Promise<Change | null> {
  const after = isContentStream(content) ? await content.sha1() : sha1(content);
  if (old !== null && old.sha1 === after) return null;
  const size = isContentStream(content) ? content.size : content.length;
  return {
    property: 'content',
    before: old?.sha1,
    after,
    summary: old === null ? `create ${path}` : `update content of ${path}`,
    diff: hiddenDiff(path, opts) ?? `binary or large content changed: ${old === null ? 'absent' : `${old.size} bytes`} -> ${size} bytes (sha1 ${after})`,
  };
}

/**
 * The content change from the current file to `content`, or null when equal.
 * before/after are sha1 checksums (undefined for a missing file).
 */
export async function planContent(host: Host, path: string, content: Buffer, opts: ContentOptions = {}): Promise<Change | null> {
  const old = opts.old !== undefined ? opts.old : await host.readFile(path);
  if (old !== null && old.equals(content)) return null;
  const change: Change = {
    property: 'content',
    before: old === null ? undefined : sha1(old),
    after: sha1(content),
    summary: old === null ? `create ${path}` : `update content of ${path}`,
  };
  const hidden = hiddenDiff(path, opts);
  if (hidden) {
    change.diff = hidden;
  } else if ((old && (isBinary(old) || old.length > MAX_DIFF_BYTES)) || isBinary(content) || content.length > MAX_DIFF_BYTES) {
    change.diff = `binary or large content changed: ${describeSize(old)} -> ${content.length} bytes (sha1 ${change.after})`;
  } else {
    change.diff = createTwoFilesPatch(`before: ${path}`, `after: ${path}`, old ? old.toString('utf8') : '', content.toString('utf8'), undefined, undefined, { context: 3 });
  }
  return change;
}
