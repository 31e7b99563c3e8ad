// `converge PLAYBOOK -e db_password=...` puts the value on converge's own
// command line, which every local user can read in `ps` for as long as the
// run lasts. The first thing converge does is overwrite its command line as
// the kernel shows it (process.title) with the inline -e values masked; only
// the moment node takes to start remains, and nothing converge could do
// removes it: the kernel shows the argv the shell passed from the execve on,
// before any of converge's code runs (a launcher that re-executed itself
// would be visible just as long). `-e @FILE` (a 0600 file) or `-e @/dev/stdin`
// keeps a secret off every command line entirely; the agent's unit does that.

import { SECRET_MARK } from '../output/redact.js';

const EXTRA_VARS = new Set(['-e', '--extra-vars']);

/** For argv[i]: the option text before an inline -e value and the value, or null. */
function inlineAt(argv: string[], i: number): { option: string; value: string } | null {
  const a = argv[i];
  if (i > 0 && EXTRA_VARS.has(argv[i - 1]) && !a.startsWith('@')) return { option: '', value: a };
  const attached = /^(--extra-vars=|-e=?)(.+)$/.exec(a);
  if (attached && a !== '--extra-vars' && !attached[2].startsWith('@')) return { option: attached[1], value: attached[2] };
  return null;
}

/** argv with every inline -e value masked, or null when there is none. */
export function maskedArgv(argv: string[]): string[] | null {
  let masked = false;
  const out = argv.map((a, i) => {
    const inline = inlineAt(argv, i);
    if (!inline) return a;
    masked = true;
    return inline.option + SECRET_MARK;
  });
  return masked ? out : null;
}

/** The inline -e values (KEY=VALUE words or JSON), as given. */
export function inlineExtraVars(argv: string[]): string[] {
  return argv.flatMap((_, i) => inlineAt(argv, i)?.value ?? []);
}

/** Rewrites the process's command line (as ps shows it) when it holds inline -e values. */
export function hideExtraVarsFromPs(argv = process.argv): void {
  const m = maskedArgv(argv);
  if (m) process.title = m.join(' ');
}

hideExtraVarsFromPs();
