// Per-host SSH keys: a client key (authorized for root and the bed's users)
// and a host key, both generated at `up` so no two hosts share a key.

import { readFileSync } from 'node:fs';
import { runOk } from './proc.js';

export interface HostKeys {
  clientKeyPath: string;
  clientPublicKey: string;
  hostKeyPath: string;
  hostPublicKey: string;
  /** SHA256:... of the host key, as `ssh-keygen -l` prints it. */
  hostKeyFingerprint: string;
}

export async function generateKeys(dir: string, name: string): Promise<HostKeys> {
  const clientKeyPath = `${dir}/id_ed25519`;
  const hostKeyPath = `${dir}/ssh_host_ed25519_key`;
  await Promise.all([
    runOk(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `converge-testbed@${name}`, '-f', clientKeyPath]),
    runOk(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${name}`, '-f', hostKeyPath]),
  ]);
  const fp = await runOk(['ssh-keygen', '-l', '-f', `${hostKeyPath}.pub`]);
  return {
    clientKeyPath,
    clientPublicKey: readFileSync(`${clientKeyPath}.pub`, 'utf8').trim(),
    hostKeyPath,
    hostPublicKey: readFileSync(`${hostKeyPath}.pub`, 'utf8').trim(),
    hostKeyFingerprint: fp.stdout.split(/\s+/)[1] ?? '',
  };
}

/** The raw key blob of an OpenSSH public key line, as ssh2's hostVerifier receives it. */
export function publicKeyBlob(line: string): Buffer {
  return Buffer.from(line.split(/\s+/)[1] ?? '', 'base64');
}
