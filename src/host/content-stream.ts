// Content too large to hold in memory (a 100 MB `copy` src): every host
// writes it chunk by chunk as it is read, so a run's memory does not grow
// with the size of the files it puts in place.

export interface ContentStream {
  /** Exact byte count; a host that announces it before the bytes (the sudo shell) relies on it. */
  readonly size: number;
  /**
   * The bytes from the start, each call reading afresh. It may throw at any
   * point (the source changed): a writer then abandons its temp file.
   */
  chunks(): AsyncIterable<Buffer>;
}

/** What Host.writeFile accepts. */
export type FileContent = Buffer | string | ContentStream;

export function isContentStream(c: unknown): c is ContentStream {
  return typeof c === 'object' && c !== null && !Buffer.isBuffer(c) && typeof (c as ContentStream).chunks === 'function';
}

export function contentSize(c: Buffer | ContentStream): number {
  return isContentStream(c) ? c.size : c.length;
}

/** The content as chunks, whatever its form (a Buffer is one chunk). */
export async function* chunksOf(c: Buffer | ContentStream): AsyncIterable<Buffer> {
  if (isContentStream(c)) yield* c.chunks();
  else if (c.length) yield c;
}

/** `prefix` followed by `rest` (the sudo helper's temp name line before the content). */
export function prefixed(prefix: Buffer, rest: Buffer | ContentStream): Buffer | ContentStream {
  if (!isContentStream(rest)) return Buffer.concat([prefix, rest]);
  return {
    size: prefix.length + rest.size,
    async* chunks() {
      yield prefix;
      yield* rest.chunks();
    },
  };
}
