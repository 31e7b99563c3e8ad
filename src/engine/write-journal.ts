// Which files converge is in the middle of writing, per host, kept in the
// state directory. A write makes a temp file next to its target and renames it
// over; a SIGKILL (or a cut connection) between the two leaves the temp file
// behind. The host sweeps such files when it next writes the same target, but
// a target the next playbook no longer changes is not written again. So each
// write is noted here before it starts and forgotten when it is over; when a
// host is next connected, the targets still noted are the ones a run died
// writing, and the temp files next to them are removed.
//
//   <state dir>/writes-in-progress/<host>.json   ["/etc/dhcp/dhcpd.conf", ...]
//
// Written with rename but without fsync: what must survive is the death of the
// converge process, not of the machine (a stale temp file is untidy, not
// harmful). Errors are reported once and never fail a run.

import * as fs from 'node:fs';
import * as path from 'node:path/posix';
import type { Host } from '../host/host.js';
import { isTempNameOf } from '../host/local-host.js';
import { writeFileAtomicSync } from '../state/atomic-file.js';

export class WriteJournal {
  readonly dir: string;
  private readonly inFlight = new Map<string, Set<string>>();
  private warned = false;

  constructor(stateDir: string, private readonly warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`)) {
    this.dir = path.join(stateDir, 'writes-in-progress');
  }

  fileFor(host: string): string {
    return path.join(this.dir, `${host.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }

  /** Targets an earlier run was writing on this host when it died. */
  leftOver(host: string): string[] {
    try {
      const v = JSON.parse(fs.readFileSync(this.fileFor(host), 'utf8')) as unknown;
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  begin(host: string, target: string): void {
    let set = this.inFlight.get(host);
    if (!set) { set = new Set(this.leftOver(host)); this.inFlight.set(host, set); }
    set.add(target);
    this.save(host, set);
  }

  end(host: string, target: string): void {
    const set = this.inFlight.get(host);
    if (!set) return;
    set.delete(target);
    this.save(host, set);
  }

  /** Forgets the left-over targets once they are swept. */
  clear(host: string, targets: string[]): void {
    const set = this.inFlight.get(host) ?? new Set(this.leftOver(host));
    for (const t of targets) set.delete(t);
    this.inFlight.set(host, set);
    this.save(host, set);
  }

  private save(host: string, set: Set<string>): void {
    const file = this.fileFor(host);
    try {
      if (set.size === 0) { fs.rmSync(file, { force: true }); return; }
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      // Its temp file is removed when the write fails (a full disk) and swept if the process dies.
      writeFileAtomicSync(file, JSON.stringify([...set]) + '\n', 0o600, false);
    } catch (e) {
      if (!this.warned) this.warn(`cannot note writes in progress in ${this.dir}: ${(e as Error).message}`);
      this.warned = true;
    }
  }
}

/** Removes the temp files next to the targets an earlier run died writing. Never throws. */
export async function sweepLeftOverTemps(host: Host, journal: WriteJournal): Promise<number> {
  const targets = journal.leftOver(host.name);
  if (targets.length === 0) return 0;
  let removed = 0;
  const swept: string[] = [];
  for (const t of targets) {
    try {
      for (const n of await host.readdir(path.dirname(t))) {
        if (isTempNameOf(t, n)) { await host.remove(path.join(path.dirname(t), n)); removed++; }
      }
      swept.push(t);
    } catch { /* directory gone or host trouble: kept for the next run */ }
  }
  journal.clear(host.name, swept);
  return removed;
}

/** The host, with every write, symlink and hard link noted in the journal while it is in progress. */
export function journaledHost(host: Host, journal: WriteJournal): Host {
  const noted = async (target: string, op: () => Promise<void>) => {
    journal.begin(host.name, target);
    try { await op(); } finally { journal.end(host.name, target); }
  };
  const wrapped: Partial<Host> = {
    writeFile: (p, content, opts) => noted(p, () => host.writeFile(p, content, opts)),
    symlink: (target, p) => noted(p, () => host.symlink(target, p)),
    link: (target, p) => noted(p, () => host.link(target, p)),
  };
  return new Proxy(host, {
    get: (h, k, recv) => {
      if (typeof k === 'string' && k in wrapped) return wrapped[k as keyof Host];
      const v = Reflect.get(h, k, recv);
      return typeof v === 'function' ? v.bind(h) : v;
    },
  });
}
