// Variables as Ansible resolves them: layers from low to high precedence,
// each value templated lazily when read, so `a: "{{ b }}/x"` sees the final b.

import { types } from 'node:util';
import { hasTemplate, renderDeep, TemplateError, type Lookup } from '../template/render.js';

function containsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return hasTemplate(v);
  // Proxies (hostvars, other scopes) template themselves lazily, and walking
  // them would recurse through every host's hostvars forever.
  if (types.isProxy(v)) return false;
  if (Array.isArray(v)) return v.some(containsTemplate);
  if (v && typeof v === 'object') return Object.values(v).some(containsTemplate);
  return false;
}

export class VarScope {
  readonly proxy: Record<string, unknown>;
  private cache = new Map<string, unknown>();
  private resolving = new Set<string>();

  constructor(private readonly layers: Array<Record<string, unknown>>, private readonly lookup?: Lookup) {
    const self = this;
    this.proxy = new Proxy({} as Record<string, unknown>, {
      get(_t, k) {
        if (typeof k !== 'string') return undefined;
        return self.get(k);
      },
      has(_t, k) {
        return typeof k === 'string' && self.has(k);
      },
      ownKeys() {
        return self.keys();
      },
      getOwnPropertyDescriptor(_t, k) {
        if (typeof k !== 'string' || !self.has(k)) return undefined;
        return { enumerable: true, configurable: true, writable: false, value: self.get(k) };
      },
    });
  }

  has(k: string): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) if (k in this.layers[i]) return true;
    return false;
  }

  keys(): string[] {
    const out = new Set<string>();
    for (const l of this.layers) for (const k of Object.keys(l)) out.add(k);
    return [...out];
  }

  raw(k: string): unknown {
    for (let i = this.layers.length - 1; i >= 0; i--) if (k in this.layers[i]) return this.layers[i][k];
    return undefined;
  }

  get(k: string): unknown {
    if (this.cache.has(k)) return this.cache.get(k);
    const raw = this.raw(k);
    if (!containsTemplate(raw)) return raw;
    if (this.resolving.has(k)) throw new TemplateError(`variable '${k}' refers to itself`, `variable '${k}'`);
    this.resolving.add(k);
    try {
      const v = renderDeep(raw, this.proxy, `variable '${k}'`, this.lookup);
      this.cache.set(k, v);
      return v;
    } finally {
      this.resolving.delete(k);
    }
  }

  /** A new scope with one more layer on top (task vars, loop item). */
  with(layer: Record<string, unknown>): VarScope {
    return new VarScope([...this.layers, layer], this.lookup);
  }
}
