// `validate: "visudo -cf %s"`: the new content is written to a temp file and
// checked before anything is replaced, in real runs and in --check alike.
// The command template is split into argv by shell-like rules (it is written
// by the playbook author); %s becomes the temp path inside its word, so a
// path with spaces or `$(...)` stays one literal argument. No shell runs.

import type { ContentStream, Host, WriteOptions } from '../../src/host/host.js';
import { TaskFailedError } from '../../src/engine/module.js';
import type { Ledger } from '../../src/engine/ledger.js';
import { isTempNameOf, tempNameFor } from '../../src/host/local-host.js';
import { basename, dirname, joinPath } from './paths.js';
import { splitWords } from './words.js';

export const validateSchema = {
  type: 'string',
  pattern: '%s',
  description: "Command that checks the new content before it replaces the file, with %s for the path of a temp copy, e.g. 'visudo -cf %s'. Runs in --check too. Split into words like a shell would, but no shell runs.",
};

export interface ValidateOptions extends WriteOptions {
  check?: boolean;
  ledger?: Ledger;
}

export interface ValidateOutcome {
  /** --check: the validator is not installed yet but an earlier task installs packages. */
  afterTask?: number;
}

/** argv of the validator with %s replaced by `tempPath` (in every word that holds it). */
export function validateArgv(template: string, tempPath: string): string[] {
  if (!template.includes('%s')) throw new TaskFailedError(`validate must contain %s (the path of the file to check): ${template}`);
  let words: string[];
  try {
    words = splitWords(template);
  } catch (e) {
    throw new TaskFailedError(`validate: ${(e as Error).message}`);
  }
  if (words.length === 0) throw new TaskFailedError('validate is empty');
  return words.map((w) => w.split('%s').join(tempPath));
}

/** Copies of `target` that a killed run left in `where` (the state directory's lock keeps two runs apart). */
async function removeStaleCopies(host: Host, where: string, target: string): Promise<void> {
  let names: string[];
  try { names = await host.readdir(where); } catch { return; }
  for (const n of names) if (isTempNameOf(target, n)) await host.remove(joinPath(where, n)).catch(() => {});
}

export async function runValidate(host: Host, template: string, content: Buffer | ContentStream, target: string, opts: ValidateOptions = {}): Promise<ValidateOutcome> {
  const dir = dirname(target);
  const dirStat = await host.stat(dir);
  const where = dirStat.exists && dirStat.type === 'directory' ? dir : '/tmp';
  // Named like the target's own temp files: a run killed while the validator runs leaves a copy of the new content
  // (perhaps a secret) that the next validation or write of the target removes.
  await removeStaleCopies(host, where, target);
  const temp = joinPath(where, basename(tempNameFor(joinPath(where, basename(target)))));
  const argv = validateArgv(template, temp);
  const write: WriteOptions = {};
  if (opts.mode !== undefined) write.mode = opts.mode;
  else {
    const t = await host.stat(target);
    write.mode = t.exists && t.type === 'file' ? t.mode : 0o644;
  }
  // Owner/group only when they exist already (in --check they may not yet).
  if (opts.owner !== undefined && (await host.uidOf(opts.owner)) !== undefined) write.owner = opts.owner;
  if (opts.group !== undefined && (await host.gidOf(opts.group)) !== undefined) write.group = opts.group;
  let r;
  try {
    await host.writeFile(temp, content, write);
    r = await host.run(argv);
  } finally {
    await host.remove(temp).catch(() => {});
  }
  if (r.rc === 0) return {};
  if (r.rc === 127 && opts.check) {
    // The validator (or a command it runs) is not installed yet: an earlier task may bring it.
    const task = (argv[0].startsWith('/') ? opts.ledger?.findPath(argv[0]) : undefined) ?? opts.ledger?.lastOfKind('package');
    if (task !== undefined) return { afterTask: task };
  }
  // The validator's own words; very long output is cut here (the full text is in the result).
  let output = r.stderr.trim() || r.stdout.trim() || '(no output)';
  if (output.length > 4000) output = output.slice(0, 4000) + ' [...]';
  throw new TaskFailedError(`validation failed (rc ${r.rc} from: ${template}), ${target} left unchanged: ${output}`, {
    rc: r.rc, stdout: r.stdout, stderr: r.stderr, validate: template,
  });
}
