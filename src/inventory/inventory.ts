// The inventory: hosts, groups (with children), and the variables each host
// sees, merged the way Ansible does (all < parent groups < child groups < host).

import { ConfigError, type SourcePos } from '../config/errors.js';

export interface Group {
  name: string;
  hosts: Set<string>;
  children: Set<string>;
  vars: Record<string, unknown>;
  pos?: SourcePos;
  childPos: Map<string, SourcePos>;
}

export interface InventoryHost {
  name: string;
  vars: Record<string, unknown>;
  pos?: SourcePos;
}

export class Inventory {
  hosts = new Map<string, InventoryHost>();
  groups = new Map<string, Group>();
  files: string[] = [];
  /** Where each variable was set: `host:NAME` or `group:NAME` -> variable -> position. */
  private varPositions = new Map<string, Map<string, SourcePos>>();

  noteVarPos(scope: 'host' | 'group', name: string, variable: string, pos: SourcePos): void {
    const key = `${scope}:${name}`;
    let m = this.varPositions.get(key);
    if (!m) { m = new Map(); this.varPositions.set(key, m); }
    m.set(variable, pos);
  }

  /** Where a host's value of `variable` comes from (host first, then its most specific group). */
  varPos(host: string, variable: string): SourcePos | undefined {
    const own = this.varPositions.get(`host:${host}`)?.get(variable);
    if (own) return own;
    for (const g of [...this.groupsOf(host)].reverse()) {
      const p = this.varPositions.get(`group:${g.name}`)?.get(variable);
      if (p) return p;
    }
    return this.hosts.get(host)?.pos;
  }

  /**
   * Answers of groupsOf / groupMap once loading is finished (finish()): every task of every host asks
   * them (group_names, groups, the host's variables), and they walk every group each time. Forgotten
   * when a host or group is added; membership changes only through those and finish().
   */
  private settled?: { groupsOf: Map<string, Array<{ name: string; depth: number }>>; groupMap?: Record<string, string[]> };

  constructor() {
    this.group('all');
    this.group('ungrouped');
  }

  group(name: string, pos?: SourcePos): Group {
    let g = this.groups.get(name);
    if (!g) {
      if (this.settled) this.settled = { groupsOf: new Map() };
      g = { name, hosts: new Set(), children: new Set(), vars: {}, pos, childPos: new Map() };
      this.groups.set(name, g);
    }
    return g;
  }

  addHost(name: string, group: string | undefined, vars: Record<string, unknown>, pos?: SourcePos): void {
    if (this.settled) this.settled = { groupsOf: new Map() };
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, vars: {}, pos };
      this.hosts.set(name, h);
    }
    Object.assign(h.vars, vars);
    if (group) this.group(group).hosts.add(name);
  }

  /** Called after loading: finds cycles, fills `all` and `ungrouped`. */
  finish(): void {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const walk = (g: string, trail: string[]) => {
      if (done.has(g)) return;
      if (visiting.has(g)) {
        // trail ends with g itself: the group that lists g as a child is the one before it.
        const from = trail[trail.length - 2];
        const pos = this.groups.get(from)?.childPos.get(g) ?? this.groups.get(g)?.pos;
        throw new ConfigError(`group cycle: ${trail.slice(trail.indexOf(g)).join(' -> ')}; a group cannot contain itself`, pos);
      }
      visiting.add(g);
      for (const c of this.groups.get(g)?.children ?? []) {
        if (!this.groups.has(c)) this.group(c);
        walk(c, [...trail, c]);
      }
      visiting.delete(g);
      done.add(g);
    };
    for (const g of this.groups.keys()) walk(g, [g]);
    const all = this.group('all');
    for (const h of this.hosts.keys()) all.hosts.add(h);
    const ungrouped = this.group('ungrouped');
    for (const h of this.hosts.keys()) {
      const inSome = [...this.groups.values()].some((g) => g.name !== 'all' && g.name !== 'ungrouped' && g.hosts.has(h));
      if (!inSome) ungrouped.hosts.add(h);
    }
    this.settled = { groupsOf: new Map() };
  }

  /** Groups a host belongs to, directly or through children, with their depth below `all`. */
  groupsOf(host: string): Array<{ name: string; depth: number }> {
    const known = this.settled?.groupsOf.get(host);
    if (known) return known;
    const found = this.findGroupsOf(host);
    this.settled?.groupsOf.set(host, found);
    return found;
  }

  private findGroupsOf(host: string): Array<{ name: string; depth: number }> {
    const depth = new Map<string, number>();
    const visit = (g: string, d: number) => {
      if ((depth.get(g) ?? -1) >= d) return;
      depth.set(g, d);
      for (const c of this.groups.get(g)?.children ?? []) visit(c, d + 1);
    };
    visit('all', 0);
    for (const g of this.groups.keys()) if (!depth.has(g)) visit(g, 1);
    const member = (g: string, seen = new Set<string>()): boolean => {
      if (seen.has(g)) return false;
      seen.add(g);
      const grp = this.groups.get(g);
      if (!grp) return false;
      if (grp.hosts.has(host)) return true;
      return [...grp.children].some((c) => member(c, seen));
    };
    return [...this.groups.keys()]
      .filter((g) => member(g))
      .map((name) => ({ name, depth: depth.get(name) ?? 1 }))
      .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
  }

  /** Group names as Ansible's `group_names` (without all/ungrouped). */
  groupNames(host: string): string[] {
    return this.groupsOf(host).map((g) => g.name).filter((g) => g !== 'all' && g !== 'ungrouped').sort();
  }

  varsOf(host: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const g of this.groupsOf(host)) Object.assign(out, this.groups.get(g.name)!.vars);
    Object.assign(out, this.hosts.get(host)?.vars ?? {});
    return out;
  }

  /** Ansible's `groups` magic variable. */
  groupMap(): Record<string, string[]> {
    if (this.settled?.groupMap) return this.settled.groupMap;
    const out: Record<string, string[]> = {};
    for (const g of this.groups.keys()) {
      out[g] = [...this.hosts.keys()].filter((h) => this.groupsOf(h).some((x) => x.name === g));
    }
    if (this.settled) this.settled.groupMap = out;
    return out;
  }

  /**
   * Host patterns: `all`, `*`, names, groups, globs (`node-*`), `~regex`,
   * unions (`a:b` or `a,b`), intersections (`a:&b`) and exclusions (`a:!b`).
   */
  match(pattern: string): string[] {
    const order = [...this.hosts.keys()];
    let result = new Set<string>();
    const parts = pattern.split(/[:,]/).map((s) => s.trim()).filter(Boolean);
    const one = (p: string): Set<string> => {
      if (p === 'all' || p === '*') return new Set(order);
      if (this.groups.has(p)) return new Set(order.filter((h) => this.groupsOf(h).some((g) => g.name === p)));
      if (this.hosts.has(p)) return new Set([p]);
      let re: RegExp | undefined;
      if (p.startsWith('~')) re = new RegExp(p.slice(1));
      else if (/[*?[]/.test(p)) re = new RegExp('^' + p.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
      if (!re) return new Set();
      const hits = new Set(order.filter((h) => re!.test(h)));
      for (const g of this.groups.keys()) if (re.test(g)) for (const h of one(g)) hits.add(h);
      return hits;
    };
    for (const raw of parts) {
      if (raw.startsWith('!')) for (const h of one(raw.slice(1))) result.delete(h);
      else if (raw.startsWith('&')) { const keep = one(raw.slice(1)); result = new Set([...result].filter((h) => keep.has(h))); }
      else for (const h of one(raw)) result.add(h);
    }
    return order.filter((h) => result.has(h));
  }
}

/** `node[000:003]`, `node[a:c]`, `node[0:10:2]` -> the host names. */
export function expandHostRange(name: string): string[] {
  const m = /^(.*?)\[([0-9a-z]+):([0-9a-z]+)(?::(\d+))?\](.*)$/.exec(name);
  if (!m) return [name];
  const [, pre, a, b, stepS, post] = m;
  const step = stepS ? Number(stepS) : 1;
  // A range that counts backwards (or a zero step) would silently give no host at all.
  if (step < 1 || (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) > Number(b) : a > b)) {
    throw new Error(`host range '${name}' is empty: [${a}:${b}${stepS ? ':' + stepS : ''}] must count upwards with a step of at least 1`);
  }
  const out: string[] = [];
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const width = a.length > 1 && a.startsWith('0') ? a.length : 0;
    for (let i = Number(a); i <= Number(b); i += step) out.push(...expandHostRange(pre + String(i).padStart(width, '0') + post));
  } else if (/^[a-z]$/.test(a) && /^[a-z]$/.test(b)) {
    for (let c = a.charCodeAt(0); c <= b.charCodeAt(0); c += step) out.push(...expandHostRange(pre + String.fromCharCode(c) + post));
  } else return [name];
  return out;
}
