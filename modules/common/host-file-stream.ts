// A large file on the host as a copy's source (remote_src): the plan compares
// it by the checksum the host computes, so a no-change run never brings it
// over. Its bytes are brought over by load(), during the plan, only when they
// will be written (or validated): not while a write is under way, since a
// host with one privileged shell would have the read wait behind the write
// that waits for these bytes.

import { createHash } from 'node:crypto';
import type { Host } from '../../src/host/host.js';
import type { StreamedContent } from './controller-stream.js';

export class HostFileStream implements StreamedContent {
  private digest?: Promise<string>;
  private bytes?: Buffer;

  constructor(private readonly host: Host, readonly path: string, readonly size: number) {}

  sha1(): Promise<string> {
    this.digest ??= this.host.checksum(this.path).then((sum) => {
      if (sum === null) throw this.changed();
      return sum;
    });
    return this.digest;
  }

  private changed(): Error {
    return new Error(`${this.path} on ${this.host.name} changed while converge was reading it (now not the content that was planned)`);
  }

  /** Brings the bytes over; they must be what the plan compared (its checksum). */
  async load(): Promise<void> {
    if (this.bytes) return;
    const expected = await this.sha1();
    const b = await this.host.readFile(this.path);
    if (b === null || b.length !== this.size || createHash('sha1').update(b).digest('hex') !== expected) throw this.changed();
    this.bytes = b;
  }

  async* chunks(): AsyncIterable<Buffer> {
    if (!this.bytes) throw new Error(`internal: ${this.path} is written before it was loaded`);
    yield this.bytes;
  }
}
