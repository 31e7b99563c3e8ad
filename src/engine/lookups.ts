// The lookup plugins templates call on the controller, as ansible-playbook
// runs them: env, file, fileglob, first_found, template, lines and pipe.
// Several terms give several results: lookup() joins them with commas,
// query() keeps the list (render.ts decides by LookupResults).
//
// pipe and lines run a command on the controller. Ansible hands the text to
// /bin/sh; converge splits it into words as the shell would and runs that
// argv without a shell, so text from a variable cannot add a command. What
// only a shell could do (pipes, redirections, $expansions, globs, ~) is
// refused, never approximated.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { readTextFile } from '../config/yaml-source.js';
import { LookupResults, renderText, renderVars, type Lookup } from '../template/render.js';
import { firstFound, globFiles } from './loops.js';

function keywords(args: unknown[]): { terms: unknown[]; kw: Record<string, unknown> } {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  if (last && typeof last === 'object' && (last as { __keywords?: boolean }).__keywords) {
    const { __keywords, ...kw } = last;
    return { terms: args.slice(0, -1), kw };
  }
  return { terms: args, kw: {} };
}

function noOptions(kind: string, kw: Record<string, unknown>, allowed: string[] = []): void {
  const bad = Object.keys(kw).filter((k) => !allowed.includes(k));
  if (bad.length) throw new Error(`lookup('${kind}'): option ${bad.join(', ')} is not supported${allowed.length ? ` (supported: ${allowed.join(', ')})` : ''}`);
}

/** Words of a command line as POSIX sh splits them; what needs a shell to mean something is refused. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  const refuse = (what: string) => {
    throw new Error(`lookup pipe/lines: ${what} in '${line}' needs a shell; converge runs the command without one (write the command without it, or use a command task)`);
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) refuse('an unterminated quote');
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      for (i++; ; i++) {
        if (i >= line.length) refuse('an unterminated quote');
        const d = line[i];
        if (d === '"') break;
        if (d === '$' || d === '`') refuse(`'${d}' inside double quotes`);
        if (d === '\\' && i + 1 < line.length && '\\"$`\n'.includes(line[i + 1])) { cur += line[++i]; continue; }
        cur += d;
      }
    } else if (c === '\\') {
      if (i + 1 >= line.length) refuse('a trailing backslash');
      cur += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if ('|&;<>()$`*?[]{}\n'.includes(c) || (c === '~' && !inWord) || (c === '#' && !inWord)) {
      refuse(`'${c === '\n' ? '\\n' : c}'`);
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  if (!words.length) throw new Error('lookup pipe/lines: an empty command');
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) refuse('a variable assignment');
  return words;
}

function runCommand(kind: string, line: string, cwd: string): string {
  const argv = shellWords(line);
  const r = spawnSync(argv[0], argv.slice(1), { cwd, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw new Error(`lookup('${kind}', '${line}'): ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `command not found: ${argv[0]}` : r.error.message}`);
  if (r.status !== 0) throw new Error(`lookup_plugin.${kind}(${line}) returned ${r.status ?? `signal ${r.signal}`}`);
  return r.stdout;
}

/**
 * Where a lookup looks for a relative file, as Ansible's search path has it: in a role's task the
 * role's `sub`/ and the role itself (then its tasks/), then the playbook's `sub`/ and the playbook
 * directory. The role is the one of the task whose template runs the lookup (its role_path).
 */
function searchPath(baseDir: string, sub: string, name?: string): string[] {
  const role = renderVars().role_path;
  const bases = typeof role === 'string' && role ? [role, path.join(role, 'tasks'), baseDir] : [baseDir];
  // Ansible adds no second `files/` to a name that starts with it.
  const withSub = name === undefined || name.split('/')[0] !== sub;
  return [...new Set(bases.flatMap((b) => (withSub ? [path.join(b, sub), b] : [b])))];
}

/** The lookups of a playbook whose files/ and templates/ sit in `baseDir`. */
export function makeLookup(baseDir: string): Lookup {
  const inDirs = (sub: string, name: string, what: string): string => {
    const candidates = path.isAbsolute(name) ? [name] : searchPath(baseDir, sub, name).map((d) => path.resolve(d, name));
    for (const c of candidates) {
      try { readTextFile(c); return c; } catch { /* next */ }
    }
    throw new Error(`${what}: could not find or read '${name}' (looked in ${candidates.join(', ')})`);
  };
  return (kind: string, ...args: unknown[]) => {
    const { terms, kw } = keywords(args);
    const strings = () => terms.flatMap((t) => (Array.isArray(t) ? t : [t])).map(String);
    switch (kind) {
      case 'env': {
        noOptions(kind, kw, ['default']);
        return LookupResults.of2(strings().map((n) => process.env[n] ?? (kw.default !== undefined ? kw.default : '')));
      }
      case 'file': {
        noOptions(kind, kw, ['rstrip', 'lstrip']);
        return LookupResults.of2(strings().map((n) => {
          let text = readTextFile(inDirs('files', n, `lookup('file')`), 'lookup file');
          // Python's str.rstrip()/lstrip(): every kind of trailing (leading) whitespace.
          if (kw.rstrip === undefined || kw.rstrip) text = text.replace(/[\s\x1c-\x1f\x85]+$/u, '');
          if (kw.lstrip) text = text.replace(/^[\s\x1c-\x1f\x85]+/u, '');
          return text;
        }));
      }
      case 'template': {
        noOptions(kind, kw);
        return LookupResults.of2(strings().map((n) => {
          const file = inDirs('templates', n, `lookup('template')`);
          return renderText(readTextFile(file, 'lookup template'), renderVars(), file);
        }));
      }
      case 'fileglob':
        noOptions(kind, kw);
        return LookupResults.of2(strings().flatMap((p) => globFiles(p, searchPath(baseDir, 'files'))));
      case 'first_found': {
        noOptions(kind, kw, ['skip', 'files', 'paths']);
        const spec: unknown[] = Object.keys(kw).length ? [...terms, kw] : terms;
        return LookupResults.of2(firstFound(spec, searchPath(baseDir, 'files')));
      }
      case 'pipe':
        noOptions(kind, kw);
        // Ansible strips the trailing whitespace of each command's output.
        return LookupResults.of2(strings().map((c) => runCommand(kind, c, baseDir).replace(/\s+$/, '')));
      case 'lines':
        noOptions(kind, kw);
        return LookupResults.of2(strings().flatMap((c) => runCommand(kind, c, baseDir).split(/\r\n|\r|\n/).filter((l, i, a) => i < a.length - 1 || l !== '')));
      default:
        throw new Error(`unknown lookup plugin '${kind}' (supported: env, file, fileglob, first_found, lines, pipe, template)`);
    }
  };
}
