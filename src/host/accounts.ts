// User and group names <-> numeric ids, read from the host's own /etc/passwd
// and /etc/group (so a chroot tree answers for itself), falling back to
// `getent` for directory-service accounts. Cached per host for the run.

import { HostOperationError, type Host, type Ownership } from './host.js';

interface Table { byName: Map<string, number>; byId: Map<number, string> }

function parseTable(text: string): Table {
  const byName = new Map<string, number>();
  const byId = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    const id = Number(f[2]);
    if (!Number.isInteger(id)) continue;
    byName.set(f[0], id);
    if (!byId.has(id)) byId.set(id, f[0]);
  }
  return { byName, byId };
}

export class AccountCache {
  private tables = new Map<string, Promise<Table>>();

  constructor(private host: Pick<Host, 'readFile' | 'run'>, private useGetent: boolean) {}

  private table(file: 'passwd' | 'group'): Promise<Table> {
    let t = this.tables.get(file);
    if (!t) {
      t = this.host.readFile(`/etc/${file}`).then((b) => parseTable(b ? b.toString('utf8') : ''));
      this.tables.set(file, t);
    }
    return t;
  }

  /** Forget what was read: after a task that may have added users. */
  invalidate(): void {
    this.tables.clear();
  }

  private async lookup(file: 'passwd' | 'group', name: string): Promise<number | undefined> {
    if (/^\d+$/.test(name)) return Number(name);
    let id = (await this.table(file)).byName.get(name);
    if (id === undefined) {
      // A user or group task earlier in the run may have added it since the table was read.
      this.tables.delete(file);
      id = (await this.table(file)).byName.get(name);
    }
    if (id !== undefined || !this.useGetent) return id;
    const r = await this.host.run(['getent', file, name], { observeOnly: true });
    if (r.rc !== 0) return undefined;
    const f = r.stdout.trim().split(':');
    return f.length >= 3 ? Number(f[2]) : undefined;
  }

  /** Numeric ids for chown(2): -1 leaves that id unchanged. Unknown names are errors. */
  async ids(own: Ownership): Promise<{ uid: number; gid: number }> {
    let uid = -1;
    let gid = -1;
    if (own.owner !== undefined) {
      const u = await this.uidOf(own.owner);
      if (u === undefined) throw new HostOperationError(`no such user: ${own.owner}`);
      uid = u;
    }
    if (own.group !== undefined) {
      const g = await this.gidOf(own.group);
      if (g === undefined) throw new HostOperationError(`no such group: ${own.group}`);
      gid = g;
    }
    return { uid, gid };
  }

  uidOf(name: string) { return this.lookup('passwd', name); }
  gidOf(name: string) { return this.lookup('group', name); }

  async nameOf(file: 'passwd' | 'group', id: number): Promise<string> {
    const t = await this.table(file);
    return t.byId.get(id) ?? String(id);
  }
}
