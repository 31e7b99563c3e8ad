// The commands unarchive runs on the host. Scripts are fixed text; every path
// and member name reaches them as an argument, never inside the script.

import type { Host } from '../../src/host/host.js';
import { TaskFailedError } from '../../src/engine/module.js';

export const C_LOCALE = { LC_ALL: 'C', LANG: 'C' };

/** Prints the arguments that are symbolic links (one per line). */
const LINKS_AMONG = 'for p do if [ -L "$p" ]; then printf "%s\\n" "$p"; fi; done';

/** Existing directories below dest that are symbolic links: writing a member through one would leave dest. */
export async function linksAmong(host: Host, paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const chunk of chunks(paths)) {
    const r = await host.run(['sh', '-c', LINKS_AMONG, 'sh', ...chunk], { observeOnly: true });
    if (r.rc !== 0) throw new TaskFailedError(`checking ${chunk[0]} ... for links failed: ${r.stderr.trim()}`);
    found.push(...r.stdout.split('\n').filter(Boolean));
  }
  return found;
}

/**
 * Members of a staged extraction (zip) that differ from dest: missing, of
 * another type, another link target, mode, size, modification time or content.
 */
const STAGED_DIFFERS = `stage=$1 dest=$2; shift 2
for f do
  s=$stage/$f d=$dest/$f
  if [ -L "$s" ]; then
    if [ -L "$d" ] && [ "$(readlink -- "$s")" = "$(readlink -- "$d")" ]; then continue; fi
  elif [ -d "$s" ]; then
    if [ -d "$d" ] && [ ! -L "$d" ] && [ "$(stat -c %a -- "$s")" = "$(stat -c %a -- "$d")" ]; then continue; fi
  elif [ -f "$d" ] && [ ! -L "$d" ] && [ "$(stat -c '%a %s %Y' -- "$s")" = "$(stat -c '%a %s %Y' -- "$d")" ] && cmp -s -- "$s" "$d"; then continue
  fi
  printf '%s\\n' "$f"
done`;

export async function stagedDiffers(host: Host, stage: string, dest: string, rels: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const chunk of chunks(rels)) {
    const r = await host.run(['sh', '-c', STAGED_DIFFERS, 'sh', stage, dest, ...chunk], { observeOnly: true, env: C_LOCALE });
    if (r.rc !== 0) throw new TaskFailedError(`comparing the archive with ${dest} failed: ${r.stderr.trim()}`);
    out.push(...r.stdout.split('\n').filter(Boolean));
  }
  return out;
}

/** One line per argument: 'MODE UID GID TYPE' (lstat) or 'missing'. */
const STAT_EACH = 'for p do stat -c "%a %u %g %F" -- "$p" 2>/dev/null || echo missing; done';

export interface PathAttrs { mode: number; uid: number; gid: number; link: boolean; dir: boolean }

export async function statEach(host: Host, paths: string[]): Promise<Array<PathAttrs | undefined>> {
  const out: Array<PathAttrs | undefined> = [];
  for (const chunk of chunks(paths)) {
    const r = await host.run(['sh', '-c', STAT_EACH, 'sh', ...chunk], { observeOnly: true, env: C_LOCALE });
    const lines = r.stdout.split('\n').filter(Boolean);
    if (lines.length !== chunk.length) throw new TaskFailedError(`reading the attributes of the extracted files failed: ${r.stderr.trim()}`);
    for (const l of lines) {
      if (l === 'missing') { out.push(undefined); continue; }
      const [mode, uid, gid, ...type] = l.split(' ');
      const t = type.join(' ');
      out.push({ mode: parseInt(mode, 8), uid: Number(uid), gid: Number(gid), link: t === 'symbolic link', dir: t === 'directory' });
    }
  }
  return out;
}

/** A private directory on the host (mktemp -d: 0700, root's): staging and uploaded archives. */
export async function privateTempDir(host: Host): Promise<string> {
  const r = await host.run(['mktemp', '-d', '-t', 'converge-unarchive.XXXXXXXX']);
  if (r.rc !== 0) throw new TaskFailedError(`mktemp -d failed on ${host.name}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Runs a command over many paths in argv chunks well under the kernel's argument limit. */
export async function runOverPaths(host: Host, argv: string[], paths: string[], what: string): Promise<void> {
  for (const chunk of chunks(paths)) {
    const r = await host.run([...argv, '--', ...chunk], { env: C_LOCALE });
    if (r.rc !== 0) throw new TaskFailedError(`${what} failed: ${r.stderr.trim()}`);
  }
}

function chunks(paths: string[], size = 500): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < paths.length; i += size) out.push(paths.slice(i, i + size));
  return out;
}
