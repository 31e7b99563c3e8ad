// A one-command SSH client for the bed's own tests (ssh2, host key checked
// against the key the bed generated for the host).

import ssh2 from 'ssh2';
import type { BedSshConfig } from './index.js';

export function sshRun(cfg: BedSshConfig, command: string): Promise<{ rc: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let stdout = '';
        stream.on('data', (d: Buffer) => { stdout += d.toString(); });
        stream.stderr.on('data', () => { /* ignored */ });
        stream.on('close', (code: number) => { c.end(); resolve({ rc: code, stdout }); });
      });
    });
    c.on('error', reject);
    c.connect(cfg);
  });
}
