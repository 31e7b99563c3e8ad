// converge (compiled), its runtime packages and this node, copied into a test
// bed host's tree, for the tests that run `converge agent --install` inside it.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The compiled tree (src/, modules/, test/). */
const DIST = path.resolve(here, '../..');
export const IN_HOST = '/opt/converge';
export const NODE = '/usr/local/bin/node';
export const CLI_IN_HOST = `${IN_HOST}/src/cli/main.js`;
/** Build-only packages the agent does not need on the host. */
const DEV_ONLY = new Set(['typescript', '@typescript', '@types']);

function nodeModulesDir(): string {
  for (let d = DIST; d !== path.dirname(d); d = path.dirname(d)) {
    if (existsSync(path.join(d, 'node_modules'))) return path.join(d, 'node_modules');
  }
  throw new Error('node_modules not found above ' + DIST);
}

function cp(args: string[]): void {
  const r = spawnSync('cp', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp ${args.join(' ')}: ${r.stderr}`);
}

export function copyConvergeInto(root: string): void {
  const dest = path.join(root, IN_HOST);
  mkdirSync(path.join(dest, 'node_modules'), { recursive: true });
  cp(['-a', path.join(DIST, 'src'), path.join(DIST, 'modules'), dest]);
  writeFileSync(path.join(dest, 'package.json'), '{ "type": "module" }\n');
  const nm = nodeModulesDir();
  const deps = readdirSync(nm).filter((n) => !DEV_ONLY.has(n) && !n.startsWith('.')).map((n) => path.join(nm, n));
  cp(['-aL', ...deps, path.join(dest, 'node_modules')]);
  cp(['-L', process.execPath, path.join(root, NODE)]);
}
