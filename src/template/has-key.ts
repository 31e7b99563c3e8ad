// Whether a mapping has a key, for dicts and lazy variable scopes alike. Its
// own file: both py-methods.ts (dict.get) and py-str-format.ts ({0[key]})
// need it, and py-methods.ts imports py-str-format.ts.

import { types } from 'node:util';

/** A mapping's own key (a lazy variable scope answers `in` itself). */
export function hasKey(d: object, k: string): boolean {
  return types.isProxy(d) ? k in d : Object.prototype.hasOwnProperty.call(d, k);
}
