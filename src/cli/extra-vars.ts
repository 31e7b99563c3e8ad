// `-e KEY=VALUE`, `-e @vars.yml`, `-e '{"json": true}'`, repeatable.

import { ConfigError, UsageError } from '../config/errors.js';
import { loadYamlFile } from '../config/yaml-source.js';
import { splitWords } from '../config/shorthand.js';

export function parseExtraVars(values: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of values) {
    if (v.startsWith('@')) {
      const src = loadYamlFile(v.slice(1), 'extra vars file');
      if (!src.value || typeof src.value !== 'object' || Array.isArray(src.value)) {
        throw new ConfigError('an extra vars file must be a mapping of names to values', { file: v.slice(1) });
      }
      Object.assign(out, src.value);
    } else if (v.trim().startsWith('{')) {
      try {
        Object.assign(out, JSON.parse(v));
      } catch (e) {
        throw new UsageError(`-e: invalid JSON: ${(e as Error).message}`);
      }
    } else {
      for (const w of splitWords(v)) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(w);
        if (!m) throw new UsageError(`-e: expected KEY=VALUE, @FILE or JSON, got '${w}'`);
        out[m[1]] = m[2];
      }
    }
  }
  return out;
}
