// A large file on the host as a copy's source (remote_src): the plan compares
// it by the checksum the host computes, so a no-change run never brings it
// over; its bytes come over only to be written, and only if they are still
// what was planned.

import { createHash } from 'node:crypto';
import type { Host } from '../../src/host/host.js';
import type { StreamedContent } from './controller-stream.js';

export class HostFileStream implements StreamedContent {
  private digest?: Promise<string>;

  constructor(private readonly host: Host, readonly path: string, readonly size: number) {}

  sha1(): Promise<string> {
    this.digest ??= this.host.checksum(this.path).then((sum) => {
      if (sum === null) throw this.changed();
      return sum;
    });
    return this.digest;
  }

  private changed(): Error {
    return new Error(`${this.path} on ${this.host.name} changed while converge was copying it (now not the content that was planned)`);
  }

  async* chunks(): AsyncIterable<Buffer> {
    const expected = await this.sha1();
    const bytes = await this.host.readFile(this.path);
    if (bytes === null || bytes.length !== this.size || createHash('sha1').update(bytes).digest('hex') !== expected) throw this.changed();
    yield bytes;
  }
}
