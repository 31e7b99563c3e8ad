// The bad-input corpus (test/reliability/corpus/*/case.json): every broken
// playbook, inventory, template or variable file must be refused before any
// host is contacted — exit 4, an `error: FILE:LINE` message naming the file
// that is actually wrong, and nothing written. Each case runs `converge
// PLAYBOOK` as a real process, and the static checks behind `converge validate`
// (loadAndValidate, the function both commands call first) in this process:
// node's start-up per case is the cost that matters here.
//
// "No host contacted" is observed, not assumed: every case's inventory has a
// local host whose tasks would write into the case's empty out/ dir, and SSH
// hosts whose port (-e ansible_port) is a canary listener that counts
// connections.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, ConfigErrors } from '../../src/config/errors.js';
import { loadAndValidate } from '../../src/cli/run-command.js';
import { eachLimited, listTree, runCli, tempDir } from './cli-process.js';

/** The corpus lives in the source tree (tsc does not copy it to dist/): found upwards from here. */
function findCorpus(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const c = path.join(dir, 'test', 'reliability', 'corpus');
    if (fs.existsSync(path.join(c, '_shared'))) return c;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('test/reliability/corpus not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
const CORPUS = findCorpus();

interface CaseSpec {
  what: string;
  /** File the error must name, relative to the case dir. */
  file: string;
  /** Line the error must name; null where the whole file is at fault (too large, empty, alias bomb). */
  line: number | null;
  /** Regular expression the message must match. */
  match: string;
  inventory?: string;
  args?: string[];
}

interface Generate { file: string; pad_to_bytes: number }

const cases = fs.readdirSync(CORPUS).filter((n) => !n.startsWith('_') && fs.existsSync(path.join(CORPUS, n, 'case.json'))).sort();

let canary: net.Server;
let canaryPort = 0;
let contacts = 0;
const figures = { cases: 0, invocations: 0 };

before(async () => {
  canary = net.createServer((s) => { contacts++; s.destroy(); });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  canaryPort = (canary.address() as net.AddressInfo).port;
});

after(async () => {
  await new Promise((r) => canary.close(r));
  process.stdout.write(`# bad-input corpus: ${figures.cases} cases, ${figures.invocations} converge invocations, ${contacts} host contacts\n`);
});

/** The values of `-e X` pairs in a case's extra arguments. */
function extraVarArgs(args: string[]): string[] {
  return args.flatMap((a, i) => (args[i - 1] === '-e' ? [a] : []));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Copies a case to a temp dir and makes its generated files (too big to commit). */
function prepare(name: string, dir: string): void {
  fs.cpSync(path.join(CORPUS, name), dir, { recursive: true });
  const genFile = path.join(dir, 'generate.json');
  if (fs.existsSync(genFile)) {
    const g = JSON.parse(fs.readFileSync(genFile, 'utf8')) as Generate;
    const line = '# padding: a file far larger than any real playbook, template or inventory ....\n';
    fs.appendFileSync(path.join(dir, g.file), line.repeat(Math.ceil(g.pad_to_bytes / line.length)));
  }
  fs.mkdirSync(path.join(dir, 'out'));
}

describe('bad input is refused before any host is contacted', () => {
  it('the corpus holds at least 40 cases', () => {
    assert.ok(cases.length >= 40, `only ${cases.length} cases in ${CORPUS}`);
  });

  // One test that runs the cases two at a time (the machine has 2 cores), with
  // each case's failure message naming the case.
  it('each case: exit 4, error names the right file and line, nothing written, no connection', async () => {
    const failures: string[] = [];
    await eachLimited(cases, 2, async (name) => {
      const spec = JSON.parse(fs.readFileSync(path.join(CORPUS, name, 'case.json'), 'utf8')) as CaseSpec;
      const t = tempDir('corpus');
      try {
        prepare(name, t.dir);
        const before = listTree(t.dir);
        const inventory = spec.inventory ? path.join(t.dir, spec.inventory) : path.join(CORPUS, '_shared', 'hosts.ini');
        const common = [path.join(t.dir, 'site.yaml'), '-i', inventory, '-e', `out=${path.join(t.dir, 'out')}`, '-e', `ansible_port=${canaryPort}`, ...(spec.args ?? [])];
        const label = `${name} (${spec.what})`;
        // The file may be named absolutely or relative to the working directory (-e @FILE).
        const fileRe = `(${escapeRe(path.join(t.dir, spec.file))}|${escapeRe(spec.file)})`;
        const where = spec.line === null ? `${fileRe}(:\\d+)*` : `${fileRe}:${spec.line}(:\\d+)?`;
        const want = new RegExp(`^error: ${where}: .*(${spec.match})`, 'm');

        const r = await runCli(common, { cwd: t.dir });
        figures.invocations++;
        if (r.rc !== 4) failures.push(`${label} [run]: exit ${r.rc}, expected 4\n${r.stderr}${r.stdout}`);
        else if (!want.test(r.stderr)) failures.push(`${label} [run]: message does not match ${want}\n${r.stderr}`);
        else if (/unexpected error|at .*\.js:\d+/.test(r.stderr)) failures.push(`${label} [run]: a stack trace instead of a message\n${r.stderr}`);

        // validate: the same checks, called the way the CLI calls them.
        const cwd = process.cwd();
        let messages = '';
        try {
          process.chdir(t.dir);
          loadAndValidate(common[0], { inventory, extraVars: ['out=' + path.join(t.dir, 'out'), ...extraVarArgs(spec.args ?? [])] });
          failures.push(`${label} [validate]: accepted`);
        } catch (e) {
          if (e instanceof ConfigErrors) messages = e.errors.map((x) => `error: ${x.located}`).join('\n');
          else if (e instanceof ConfigError) messages = `error: ${e.located}`;
          else failures.push(`${label} [validate]: not a configuration error: ${(e as Error).stack}`);
        } finally {
          process.chdir(cwd);
        }
        if (messages && !want.test(messages)) failures.push(`${label} [validate]: message does not match ${want}\n${messages}`);

        const now = listTree(t.dir);
        if (JSON.stringify(now) !== JSON.stringify(before)) failures.push(`${label}: files appeared: ${now.filter((p) => !before.includes(p)).join(', ')}`);
        figures.cases++;
      } finally {
        t.remove();
      }
    });
    assert.equal(contacts, 0, 'a host was contacted (the canary port saw a connection)');
    assert.deepEqual(failures, []);
  });
});
