// Variables as Ansible resolves them: layers from low to high precedence,
// each value templated lazily when read, so `a: "{{ b }}/x"` sees the final b.

import { types } from 'node:util';
import { hasTemplate, renderDeep, TemplateError, type Lookup } from '../template/render.js';
import { isSecretName, noteSecret } from '../output/redact.js';
import { isData, markData, UnsafeText } from '../template/data-tag.js';
import { hasKey } from '../template/py-methods.js';

/** A layer whose values came from a managed host or were already rendered: never templated again. */
export function dataLayer<T extends Record<string, unknown>>(layer: T): T {
  return markData(layer);
}

function containsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return hasTemplate(v);
  // `!unsafe` text is unwrapped by renderDeep, which does not template it.
  if (v instanceof UnsafeText) return true;
  // Proxies (hostvars, other scopes) template themselves lazily, and walking
  // them would recurse through every host's hostvars forever.
  if (types.isProxy(v) || isData(v)) return false;
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
    for (let i = this.layers.length - 1; i >= 0; i--) if (hasKey(this.layers[i], k)) return true;
    return false;
  }

  keys(): string[] {
    const out = new Set<string>();
    for (const l of this.layers) for (const k of Object.keys(l)) out.add(k);
    return [...out];
  }

  raw(k: string): unknown {
    for (let i = this.layers.length - 1; i >= 0; i--) if (hasKey(this.layers[i], k)) return this.layers[i][k];
    return undefined;
  }

  get(k: string): unknown {
    if (this.cache.has(k)) return this.cache.get(k);
    let layer: Record<string, unknown> | undefined;
    for (let i = this.layers.length - 1; i >= 0 && !layer; i--) if (hasKey(this.layers[i], k)) layer = this.layers[i];
    if (!layer) return undefined;
    const raw = layer[k];
    if (isData(layer) || !containsTemplate(raw)) {
      // Output masks the value of a secret-named variable once it is known (src/output/redact.ts).
      if (isSecretName(k)) noteSecret(raw);
      return raw;
    }
    if (this.resolving.has(k)) throw new TemplateError(`variable '${k}' refers to itself`, `variable '${k}'`);
    this.resolving.add(k);
    try {
      const v = renderDeep(raw, this.proxy, `variable '${k}'`, this.lookup);
      if (isSecretName(k)) noteSecret(v);
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

  /** A new scope with a layer of data on top (loop items, a task's result): never templated. */
  withData(layer: Record<string, unknown>): VarScope {
    return this.with(dataLayer(layer));
  }
}
