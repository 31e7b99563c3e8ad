// Preloaded into a converge run by the profiler (node --import): counts the
// SSH requests converge makes (exec channels, SFTP requests by kind) and
// writes them as JSON to $CVGB_COUNT_FILE at exit, with the times (ms since
// the process started) of the connection and of the first and last requests. Each counted request is at
// least one round trip to the host, though concurrent ones overlap.

import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import ssh2 from 'ssh2';

const require = createRequire(import.meta.url);
const counts: Record<string, number> = {};
/** Milliseconds since the process started, at the first time each thing happened. */
const marks: Record<string, number> = {};
const mark = (k: string) => { marks[k] ??= +performance.now().toFixed(1); };
const bump = (k: string) => {
  counts[k] = (counts[k] ?? 0) + 1;
  mark(`first ${k}`);
  marks.lastRequest = +performance.now().toFixed(1);
};

function wrap(proto: Record<string, unknown>, names: string[], prefix: string): void {
  for (const n of names) {
    const orig = proto[n];
    if (typeof orig !== 'function') continue;
    proto[n] = function (this: unknown, ...args: unknown[]) {
      bump(prefix + n);
      return (orig as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

wrap(ssh2.Client.prototype as unknown as Record<string, unknown>, ['exec', 'sftp'], 'channel.');
const clientProto = ssh2.Client.prototype as unknown as { connect: (...a: unknown[]) => unknown; on: unknown };
const connect = clientProto.connect;
clientProto.connect = function (this: { once(e: string, f: () => void): void }, ...args: unknown[]) {
  mark('connect called');
  this.once('ready', () => mark('connection ready'));
  return connect.apply(this, args);
};
const { SFTP } = require('ssh2/lib/protocol/SFTP.js') as { SFTP: { prototype: Record<string, unknown> } };
wrap(SFTP.prototype, ['open', 'close', 'read', 'write', 'fstat', 'stat', 'lstat', 'opendir', 'readdir', 'mkdir', 'rmdir', 'rename',
  'unlink', 'setstat', 'fsetstat', 'readlink', 'symlink', 'realpath', 'ext_openssh_rename', 'ext_openssh_hardlink', 'ext_openssh_fsync'], 'sftp.');

process.on('exit', () => {
  const file = process.env.CVGB_COUNT_FILE;
  mark('exit');
  if (file) fs.writeFileSync(file, JSON.stringify({ counts, marks }));
});
