// File modes as playbooks write them. YAML 1.1 reads `mode: 0644` as the
// integer 420, which already is 0o644: integers are used as they are (like
// Ansible, so `mode: 644` without the zero is decimal 644 = 0o1204 — a classic
// mistake we reject when the value has bits outside 0o7777). Strings are octal
// ("0644", "644") or symbolic like chmod ("u=rw,g=r,o=r", "u+x", "a+rX").

export function formatMode(mode: number): string {
  return '0' + (mode & 0o7777).toString(8).padStart(3, '0');
}

const WHO: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 };

/** Applies one chmod-style symbolic clause list to `current`. */
function applySymbolic(spec: string, current: number, isDir: boolean): number {
  let mode = current;
  for (const clause of spec.split(',')) {
    const m = /^([ugoa]*)((?:[-+=][rwxXstugo]*)+)$/.exec(clause);
    if (!m) throw new Error(`invalid symbolic mode clause '${clause}' in '${spec}'`);
    // No "who" means all (chmod would filter by umask; Ansible does not).
    const whoMask = (m[1] || 'a').split('').reduce((acc, w) => acc | WHO[w], 0);
    for (const op of m[2].match(/[-+=][rwxXstugo]*/g)!) {
      const sign = op[0];
      let bits = 0;
      for (const p of op.slice(1)) {
        switch (p) {
          case 'r': bits |= 0o444; break;
          case 'w': bits |= 0o222; break;
          case 'x': bits |= 0o111; break;
          // X: execute only for directories or files already executable by someone.
          case 'X': if (isDir || (mode & 0o111)) bits |= 0o111; break;
          case 's': bits |= 0o6000; break;
          case 't': bits |= 0o1000; break;
          // Copy permissions from another class (g=u): spread its rwx to all classes.
          case 'u': bits |= ((mode >> 6) & 7) * 0o111; break;
          case 'g': bits |= ((mode >> 3) & 7) * 0o111; break;
          case 'o': bits |= (mode & 7) * 0o111; break;
        }
      }
      bits &= whoMask;
      if (sign === '+') mode |= bits;
      else if (sign === '-') mode &= ~bits;
      else mode = (mode & ~whoMask) | bits;
    }
  }
  return mode & 0o7777;
}

/**
 * The permission bits `mode` asks for. `current` is the path's mode now (or
 * the default for a new path), needed by symbolic modes; `isDir` for `X`.
 * Throws an Error with a readable message for a bad mode.
 */
export function parseMode(mode: string | number, current?: number, isDir = false): number {
  if (typeof mode === 'number') {
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
      throw new Error(`mode ${mode} is not a valid permission value; write it as a quoted octal string like '0644'`);
    }
    return mode;
  }
  const s = mode.trim();
  if (/^0?[0-7]{3,4}$/.test(s) || /^0o[0-7]{3,4}$/i.test(s)) {
    const v = parseInt(s.replace(/^0o/i, ''), 8);
    if (v > 0o7777) throw new Error(`mode '${mode}' is out of range`);
    return v;
  }
  if (/^[0-7]{1,2}$/.test(s)) return parseInt(s, 8);
  const base = current ?? (isDir ? 0o755 : 0o644);
  return applySymbolic(s, base & 0o7777, isDir);
}

/** JSON Schema for a mode parameter: an integer (YAML 1.1 octal) or a string. */
export const modeSchema = {
  type: ['string', 'integer'],
  // Checked before any host is contacted: '0999', 'rwx' or 70000 are refused up front.
  pattern: '^\\s*(0?[0-7]{1,4}|0[oO][0-7]{3,4}|preserve|[ugoa]*([-+=][rwxXstugo]*)+(,[ugoa]*([-+=][rwxXstugo]*)+)*)\\s*$',
  minimum: 0,
  maximum: 0o7777,
  description: "Permissions: quoted octal ('0644'), YAML 1.1 octal (0644) or symbolic ('u=rw,g=r,o=r', 'a+rX').",
};
