// Parameter schemas shared by the file modules (descriptions feed `converge doc`).

import { modeSchema } from './mode.js';
import { validateSchema } from './validate.js';

export const attributeProperties = {
  mode: modeSchema,
  owner: { type: 'string', description: 'User name (or numeric id) that should own the file.' },
  group: { type: 'string', description: 'Group name (or numeric id) that should own the file.' },
};

export const writeProperties = {
  ...attributeProperties,
  backup: { type: 'boolean', default: false, description: 'Before replacing a file, keep a copy of it as DEST.YYYY-MM-DD@HH:MM:SS~.' },
  validate: validateSchema,
  show_diff_of_secret: {
    type: 'boolean', default: false,
    description: 'Show the content diff even for files that look secret (mode 0600-like, or names like id_*, *.key, *.pem, shadow, *secret*).',
  },
};
