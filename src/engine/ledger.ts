// The check-mode ledger: what earlier tasks on this host would create.
// A later task that finds something missing asks the ledger before failing,
// and reports "would change (after task N)" when an earlier task explains it.

/** Something a task makes exist, recorded in the check-mode ledger (module.ts re-exports it for modules). */
export interface Provided {
  kind: 'package' | 'path' | 'unit' | 'user' | 'group' | 'command';
  name: string;
}

export class Ledger {
  private entries: Array<Provided & { task: number }> = [];

  record(task: number, provided: Provided[]): void {
    for (const p of provided) this.entries.push({ ...p, task });
  }

  /** The latest task that would provide exactly this thing. */
  find(kind: Provided['kind'], name: string): number | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e.kind === kind && e.name === name) return e.task;
    }
    return undefined;
  }

  /** The latest task that would create `path` or one of its parent directories. */
  findPath(path: string): number | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e.kind !== 'path') continue;
      if (path === e.name || path.startsWith(e.name.endsWith('/') ? e.name : e.name + '/')) return e.task;
    }
    return undefined;
  }

  /** The latest task that would install any package (a unit or command may come from it). */
  lastOfKind(kind: Provided['kind']): number | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].kind === kind) return this.entries[i].task;
    return undefined;
  }

  /** The latest task with any predicted change. */
  lastTask(): number | undefined {
    const last = this.entries.length ? this.entries[this.entries.length - 1].task : 0;
    return Math.max(last, this.lastChanged ?? 0) || undefined;
  }

  /** Tasks predicted to change something, even when they name nothing they create. */
  private lastChanged: number | undefined;
  noteChanged(task: number): void {
    this.lastChanged = task;
  }

  get empty(): boolean {
    return this.entries.length === 0 && this.lastChanged === undefined;
  }
}
