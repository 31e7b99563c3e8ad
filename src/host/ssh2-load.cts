// Loads the two parts of ssh2 converge uses, on first use. CommonJS on purpose:
// the CLI bundle (scripts/bundle.mjs) includes what a plain require() names,
// and keeps it unevaluated until that require() runs, so a local run never
// pays for ssh2. Not ssh2's index: it also loads its server, key generator and
// HTTP agents (https, tls), a third of its load time.

import type { Client, utils } from 'ssh2';

export function loadSsh2Client(): typeof Client {
  return require('ssh2/lib/client.js') as typeof Client;
}

export function loadSsh2ParseKey(): typeof utils.parseKey {
  return (require('ssh2/lib/protocol/keyParser.js') as { parseKey: typeof utils.parseKey }).parseKey;
}
