// Reads what `converge nodes` needs from the head node, over the Host a run
// would use: the playbook's record of where its services log
// (boot-log-sources.json), the journal lines of dhcpd/Kea/tftpd, the tail of
// the boot site's access log and the sizes of the served images.

import type { Host } from '../host/host.js';
import { parseHttpLog, parseJournal, type BootEvent } from './boot-events.js';
import type { HeadnodeFacts } from './boot-stages.js';

/** Written by playbooks/headnode.yaml (tasks/boot-status.yml). */
export const DEFAULT_SOURCES = '/var/lib/converge-headnode/boot-log-sources.json';
/** Newest journal lines and access-log bytes read: bounded work on a busy head node. */
const JOURNAL_LINES = 50_000;
const HTTP_LOG_BYTES = 16 * 1024 * 1024;

export interface BootLogSources {
  journal_identifiers: string[];
  http_log: string;
  images_dir: string;
  ipxe_binaries: string[];
  image_dirs: Record<string, string>;
  unknown_clients: 'deny' | 'failsafe';
  tftp_logged: boolean;
}

export class BootSourcesError extends Error {}

function checkSources(file: string, v: unknown): BootLogSources {
  const o = v as Record<string, unknown>;
  const bad = (what: string) => new BootSourcesError(`${file} on the head node: ${what}; converge the head node with playbooks/headnode.yaml again`);
  if (!o || typeof o !== 'object') throw bad('not a JSON object');
  const strings = (k: string) => {
    const a = o[k];
    if (!Array.isArray(a) || !a.every((x) => typeof x === 'string' && /^[A-Za-z0-9._-]+$/.test(x))) throw bad(`${k} must be a list of names`);
    return a as string[];
  };
  const absPath = (k: string) => {
    const p = o[k];
    if (typeof p !== 'string' || !p.startsWith('/')) throw bad(`${k} must be an absolute path`);
    return p;
  };
  const dirs = o.image_dirs as Record<string, unknown>;
  if (!dirs || typeof dirs !== 'object' || !Object.values(dirs).every((d) => typeof d === 'string')) throw bad('image_dirs must map image kinds to directory names');
  if (o.unknown_clients !== 'deny' && o.unknown_clients !== 'failsafe') throw bad('unknown_clients must be deny or failsafe');
  if (typeof o.tftp_logged !== 'boolean') throw bad('tftp_logged must be true or false');
  return {
    journal_identifiers: strings('journal_identifiers'), http_log: absPath('http_log'), images_dir: absPath('images_dir'),
    ipxe_binaries: strings('ipxe_binaries'), image_dirs: dirs as Record<string, string>,
    unknown_clients: o.unknown_clients, tftp_logged: o.tftp_logged,
  };
}

export interface HeadnodeBootData {
  events: BootEvent[];
  facts: HeadnodeFacts;
  /** What could not be read, said to the user with the report. */
  notes: string[];
}

export async function readHeadnode(host: Host, sourcesFile = DEFAULT_SOURCES): Promise<HeadnodeBootData> {
  const raw = await host.readFile(sourcesFile);
  if (raw === null) {
    throw new BootSourcesError(`${sourcesFile} is not on ${host.name}: converge the head node with playbooks/headnode.yaml first (it turns on the boot logging that converge nodes reads)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new BootSourcesError(`${sourcesFile} on ${host.name} is not JSON: ${(e as Error).message}`);
  }
  const src = checkSources(sourcesFile, parsed);
  const journalArgv = ['journalctl', '--no-pager', '--quiet', '--output=short-unix', `--lines=${JOURNAL_LINES}`,
    ...src.journal_identifiers.map((i) => `--identifier=${i}`)];
  const [journal, http, sizes] = await Promise.all([
    host.run(journalArgv),
    host.run(['tail', '-c', String(HTTP_LOG_BYTES), src.http_log]),
    host.run(['find', src.images_dir, '-mindepth', '2', '-maxdepth', '2', '-type', 'f', '-printf', '%s %P\\n']),
  ]);
  const notes: string[] = [];
  if (journal.rc !== 0) notes.push(`journalctl failed (rc ${journal.rc}): ${journal.stderr.trim().split('\n')[0]}; DHCP and TFTP stages are not shown`);
  if (http.rc !== 0) notes.push(`${src.http_log} not readable: ${http.stderr.trim().split('\n')[0]}; HTTP stages are not shown`);
  let httpText = http.rc === 0 ? http.stdout : '';
  // The tail may start mid-line.
  if (httpText.length >= HTTP_LOG_BYTES) httpText = httpText.slice(httpText.indexOf('\n') + 1);
  const imageFileSizes: Record<string, number> = {};
  for (const line of sizes.stdout.split('\n')) {
    const m = /^(\d+) (.+)$/.exec(line);
    if (m) imageFileSizes[m[2]] = Number(m[1]);
  }
  return {
    events: [...(journal.rc === 0 ? parseJournal(journal.stdout) : []), ...parseHttpLog(httpText)],
    facts: {
      ipxeBinaries: src.ipxe_binaries, imageDirs: src.image_dirs, imageFileSizes,
      unknownClients: src.unknown_clients, tftpLogged: src.tftp_logged,
    },
    notes,
  };
}
