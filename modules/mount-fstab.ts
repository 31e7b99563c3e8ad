// The fstab edits of the mount module, as ansible.posix.mount makes them:
// a line is found by its mount point (escaped as fstab escapes it); a matching
// line with other fields is rewritten whole, a missing one is appended, and
// every other line (comments, blank, malformed) is kept byte for byte.

export interface FstabEntry {
  src: string; name: string; fstype: string; opts: string; dump: string; passno: string;
}

/** fstab's octal escapes for the characters that would split a field. */
export function escapeFstab(v: string): string {
  return v.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/&/g, '\\046');
}

function linesOf(text: string): string[] {
  return (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((l) => (l.endsWith('\n') ? l : l + '\n'));
}

const FIELDS = ['src', 'name', 'fstype', 'opts', 'dump', 'passno'] as const;
const entryLine = (e: FstabEntry) => `${e.src} ${e.name} ${e.fstype} ${e.opts} ${e.dump} ${e.passno}\n`;

/** Another swap line than ours: swap entries all share the mount point 'none'. */
const otherSwap = (ld: Record<string, string>, src: string | undefined) =>
  src !== undefined && ld.name === 'none' && ld.fstype === 'swap' && ld.src !== src;

/** The entry set in the file: the new text and whether it differs. */
export function setEntry(text: string, want: FstabEntry): { text: string; changed: boolean } {
  const e = Object.fromEntries(FIELDS.map((k) => [k, escapeFstab(want[k])])) as unknown as FstabEntry;
  let exists = false;
  let changed = false;
  const out: string[] = [];
  for (const line of linesOf(text)) {
    const fields = line.trim() ? line.split(/\s+/).filter(Boolean) : [];
    if (!line.trim() || line.trim().startsWith('#') || fields.length < 4 || fields.length > 6) { out.push(line); continue; }
    const ld: Record<string, string> = {};
    FIELDS.forEach((k, i) => { ld[k] = fields[i] ?? ''; });
    if (ld.name !== e.name || otherSwap(ld, want.src)) { out.push(line); continue; }
    exists = true;
    // A line without dump/passno differs (Ansible compares them as the number 0 against the string '0').
    const differs = (['src', 'fstype', 'opts', 'dump', 'passno'] as const).some((k) => ld[k] !== e[k]);
    if (differs) changed = true;
    // Once a matching line differed, later matching lines are rewritten too (Ansible's flag is not reset per line).
    out.push(changed ? entryLine(e) : line);
  }
  if (!exists) { out.push(entryLine(e)); changed = true; }
  return { text: out.join(''), changed };
}

/** The file without the mount point's lines (only well-formed six-field lines count, as in Ansible). */
export function unsetEntry(text: string, name: string, src?: string): { text: string; changed: boolean } {
  const escaped = escapeFstab(name);
  let changed = false;
  const out: string[] = [];
  for (const line of linesOf(text)) {
    const fields = line.split(/\s+/).filter(Boolean);
    if (!line.trim() || line.trim().startsWith('#') || fields.length !== 6) { out.push(line); continue; }
    const ld: Record<string, string> = {};
    FIELDS.forEach((k, i) => { ld[k] = fields[i]; });
    if (ld.name !== escaped || otherSwap(ld, src)) { out.push(line); continue; }
    changed = true;
  }
  return { text: out.join(''), changed };
}
