// A large file next to the playbook (a `copy` src of an image or a tarball),
// never held in memory: its checksum is computed as it is read for the plan,
// and its bytes are read again, a chunk at a time, as the host writes them.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import type { ContentStream } from '../../src/host/host.js';

const CHUNK = 256 * 1024;

/** Content the plan compares by checksum (it is never read whole). */
export interface StreamedContent extends ContentStream {
  sha1(): Promise<string>;
}

async function sha1OfFile(path: string): Promise<{ sha1: string; size: number }> {
  const hash = createHash('sha1');
  const buf = Buffer.allocUnsafe(CHUNK);
  const fh = await fs.open(path, 'r');
  try {
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) return { sha1: hash.digest('hex'), size };
      hash.update(buf.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

export class ControllerFileStream implements StreamedContent {
  private digest?: Promise<string>;

  constructor(readonly path: string, readonly size: number) {}

  /** The checksum the plan reports; the bytes written later must match it. */
  sha1(): Promise<string> {
    this.digest ??= sha1OfFile(this.path).then((d) => {
      if (d.size !== this.size) throw this.changed();
      return d.sha1;
    });
    return this.digest;
  }

  private changed(): Error {
    return new Error(`${this.path} changed while converge was reading it (now not the content that was planned)`);
  }

  /**
   * Each chunk is handed on only once the next one was read, and the last
   * one only after the whole file matched the planned size and checksum: a
   * file changed since the plan never reaches the host complete (every
   * writer then drops its temp file).
   */
  async* chunks(): AsyncIterable<Buffer> {
    const expected = await this.sha1();
    const fh = await fs.open(this.path, 'r');
    try {
      const hash = createHash('sha1');
      let total = 0;
      let held: Buffer | undefined;
      for (;;) {
        // A new buffer each time: a writer may still hold the previous one (SFTP requests in flight).
        const buf = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        hash.update(chunk);
        total += bytesRead;
        if (total > this.size) throw this.changed();
        if (held) yield held;
        held = chunk;
      }
      if (total !== this.size || hash.digest('hex') !== expected) throw this.changed();
      if (held) yield held;
    } finally {
      await fh.close();
    }
  }
}
