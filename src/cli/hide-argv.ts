// `converge PLAYBOOK -e db_password=...` puts the value on converge's own
// command line, which every local user can read in `ps` for as long as the
// run lasts. The first thing converge does is overwrite its command line as
// the kernel shows it (process.title) with the inline -e values masked; only
// the moment node takes to start remains. `-e @FILE` (a 0600 file) keeps a
// secret off the command line entirely; the agent's unit does that.

import { SECRET_MARK } from '../output/redact.js';

const EXTRA_VARS = new Set(['-e', '--extra-vars']);

/** argv with every inline -e value masked, or null when there is none. */
export function maskedArgv(argv: string[]): string[] | null {
  let masked = false;
  const out = argv.map((a, i) => {
    if (i > 0 && EXTRA_VARS.has(argv[i - 1]) && !a.startsWith('@')) {
      masked = true;
      return SECRET_MARK;
    }
    const attached = /^(--extra-vars=|-e=?)(.+)$/.exec(a);
    if (attached && a !== '--extra-vars' && !attached[2].startsWith('@')) {
      masked = true;
      return attached[1] + SECRET_MARK;
    }
    return a;
  });
  return masked ? out : null;
}

/** Rewrites the process's command line (as ps shows it) when it holds inline -e values. */
export function hideExtraVarsFromPs(argv = process.argv): void {
  const m = maskedArgv(argv);
  if (m) process.title = m.join(' ');
}

hideExtraVarsFromPs();
