// Bundles the built CLI into one file and prepares its code cache:
//  - dist/converge.cjs: the whole CLI in one CommonJS file (one file to load
//    instead of hundreds is most of converge's startup time), ssh2 included
//    (loaded only for SSH hosts). ssh2's optional native parts stay outside and
//    are required from wherever npm installed ssh2: its compiled cipher binding
//    and cpu-features.
//  - dist/converge.mjs: the `converge` executable (src/cli/launcher.ts), which
//    runs converge.cjs through V8's code cache.
//  - dist/converge.v8cache: that cache, from a training run of
//    scripts/code-cache-training/ in a temporary directory. A failed training
//    run leaves no cache (converge works without one) and fails nothing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';

// ssh2 requires its binding by a path relative to its own file; from the bundle it is the package's path.
const nativeFromPackage = {
  name: 'native-from-package',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => {
      const abs = path.resolve(args.resolveDir, args.path);
      const at = abs.lastIndexOf(`${path.sep}node_modules${path.sep}`);
      if (at < 0) return { errors: [{ text: `native module outside node_modules: ${abs}` }] };
      return { path: abs.slice(at + '/node_modules/'.length).split(path.sep).join('/'), external: true };
    });
  },
};

// Whitespace and syntax minified (names kept: errors and stack traces still name functions): a
// third less to read and hash at every start.
const common = { bundle: true, minifyWhitespace: true, minifySyntax: true, platform: 'node', target: 'node20', logLevel: 'error', legalComments: 'none' };

await build({
  ...common,
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/converge.cjs',
  format: 'cjs',
  external: ['cpu-features'],
  plugins: [nativeFromPackage],
  // import.meta does not exist in CommonJS: its only use here is createRequire(import.meta.url).
  define: { 'import.meta.url': '__converge_bundle_url' },
  banner: { js: "const __converge_bundle_url = require('node:url').pathToFileURL(__filename).href;" },
});
await build({ ...common, entryPoints: ['dist/src/cli/launcher.js'], outfile: 'dist/converge.mjs', format: 'esm', banner: { js: '#!/usr/bin/env node' } });
fs.chmodSync('dist/converge.mjs', 0o755);

const cache = 'dist/converge.v8cache';
fs.rmSync(cache, { force: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'converge-code-cache-'));
try {
  const inventory = path.join(work, 'inventory.ini');
  fs.writeFileSync(inventory, 'localhost ansible_connection=local\n');
  const run = (extraEnv) => spawnSync(process.execPath, [
    'dist/converge.mjs', 'scripts/code-cache-training/playbook.yaml', '-i', inventory,
    '-e', `base_dir=${path.join(work, 'target')}`, '--color', 'never',
  ], { encoding: 'utf8', env: { ...process.env, CONVERGE_STATE_DIR: path.join(work, 'state'), ...extraEnv } });
  const first = run({});
  const second = first.status === 0 ? run({ CONVERGE_WRITE_CODE_CACHE: '1' }) : first;
  if (second.status !== 0 || !/changed=0 /.test(second.stdout)) {
    fs.rmSync(cache, { force: true });
    process.stderr.write(`bundle: no code cache (the training run did not converge): ${second.stdout}${second.stderr}\n`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
