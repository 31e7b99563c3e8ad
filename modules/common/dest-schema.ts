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

/** The file a text-editing module edits, under Ansible's four names (path, dest, destfile, name). */
export const editedPathProperties = {
  path: { type: 'string', description: 'The file to edit (aliases: dest, destfile, name).' },
  dest: { type: 'string', description: 'Alias of path.' },
  destfile: { type: 'string', description: 'Alias of path.' },
  name: { type: 'string', description: 'Alias of path.' },
} as const;

/** One of the edited path's names must be given. */
export const editedPathRequired = [{ required: ['path'] }, { required: ['dest'] }, { required: ['destfile'] }, { required: ['name'] }];
