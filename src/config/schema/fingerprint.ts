// Identifies a schema's content, so a precompiled validator is only used for
// exactly the schema it was built from.

import { createHash } from 'node:crypto';

export function schemaFingerprint(schema: unknown): string {
  return createHash('sha1').update(JSON.stringify(schema)).digest('hex');
}
