// Handler notifications that must survive the run that made them. Ansible
// forgets a notification when a later task fails (or the process dies), and
// the service keeps running with its old configuration although the new file
// is in place. converge records each notification on the controller, in the
// state directory, before the notifying task may change anything, and removes
// it only when the handler has run; the next run of the same play starts with
// the recorded notifications and runs those handlers.
//
// One small JSON file per (host, playbook, play), so that runs of different
// playbooks never rewrite each other's records:
//   <state dir>/pending-handlers/<host>--<hash of playbook and play>.json
//   { "host": "...", "playbook": "/abs/site.yaml", "play": "web", "handlers": ["restart nginx"], "updated": "..." }
// Written atomically (temp file, fsync, rename): a kill leaves the old record
// or the new one, never a torn one. A record that cannot be read is reported
// and treated as empty; one that cannot be written is reported once per run
// and the run goes on (the configuration change matters more than its record).

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../state/atomic-file.js';

export interface PendingRecord {
  host: string;
  playbook: string;
  play: string;
  handlers: string[];
  updated: string;
}

export class PendingHandlerStore {
  readonly dir: string;
  private warned = false;

  /**
   * @param stateDir converge's state directory (/var/lib/converge, --state-dir, CONVERGE_STATE_DIR)
   * @param playbook the playbook file (absolute), part of each record's key
   * @param warn where problems with the records are reported
   */
  constructor(stateDir: string, readonly playbook: string, private readonly warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`)) {
    this.dir = path.join(stateDir, 'pending-handlers');
  }

  fileFor(host: string, play: string): string {
    const key = createHash('sha256').update(`${this.playbook}\0${play}`).digest('hex').slice(0, 16);
    // Host names are inventory names; keep the file name readable but safe.
    return path.join(this.dir, `${host.replace(/[^A-Za-z0-9._-]/g, '_')}--${key}.json`);
  }

  /** The handler names (or listen topics) still owed to this host's play. */
  load(host: string, play: string): string[] {
    const file = this.fileFor(host, play);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.warn(`cannot read pending handlers ${file}: ${(e as Error).message}`);
      return [];
    }
    try {
      const r = JSON.parse(text) as PendingRecord;
      if (r.host !== host || r.playbook !== this.playbook || r.play !== play || !Array.isArray(r.handlers)) return [];
      return r.handlers.filter((h) => typeof h === 'string');
    } catch (e) {
      this.warn(`ignoring unreadable pending handlers ${file}: ${(e as Error).message}`);
      return [];
    }
  }

  /** Replaces the record; an empty list removes it. */
  save(host: string, play: string, handlers: Iterable<string>): void {
    const list = [...new Set(handlers)];
    const file = this.fileFor(host, play);
    try {
      if (list.length === 0) {
        fs.rmSync(file, { force: true });
        return;
      }
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o755 });
      const record: PendingRecord = { host, playbook: this.playbook, play, handlers: list, updated: new Date().toISOString() };
      writeFileAtomicSync(file, JSON.stringify(record) + '\n', 0o644);
    } catch (e) {
      if (!this.warned) this.warn(`cannot record pending handlers in ${this.dir}: ${(e as Error).message}`);
      this.warned = true;
    }
  }
}
