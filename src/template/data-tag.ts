// Values that came from a managed host (facts, registered results, command
// output) are data, as Ansible's "unsafe" values: they are never evaluated as
// templates, at any depth. Primitive strings cannot carry a tag, so the tag
// sits on what holds them: a variable layer whose values are all data, and
// every object or list inside such a value.

import { types } from 'node:util';

const DATA = new WeakSet<object>();

/** Tags `v` and every object and list inside it as data; returns `v`. */
export function markData<T>(v: T): T {
  if (v && typeof v === 'object' && !DATA.has(v) && !types.isProxy(v)) {
    DATA.add(v);
    // Arrays and plain objects only: proxies (hostvars) template themselves.
    if (Array.isArray(v)) for (const x of v) markData(x);
    else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      for (const x of Object.values(v)) markData(x);
    }
  }
  return v;
}

export function isData(v: unknown): boolean {
  return !!v && typeof v === 'object' && DATA.has(v);
}

/**
 * A YAML `!unsafe` string: shown as it is, never templated. Rendering a value
 * unwraps it to a plain string, which nothing renders again.
 */
export class UnsafeText {
  declare readonly text: string;
  constructor(text: string) {
    // Not enumerable: code that walks values looking for templates (the
    // static checks) sees no string inside.
    Object.defineProperty(this, 'text', { value: text, enumerable: false });
  }
  toString(): string { return this.text; }
  toJSON(): string { return this.text; }
}
