// The `converge` executable (bundled to dist/converge.mjs). It runs the CLI
// bundle (dist/converge.cjs) through V8's code cache (dist/converge.v8cache,
// written by the build from a training run): compiling the 1.5 MB bundle is
// a large part of every run's startup, and Node 20 caches compiled code only
// for scripts run this way. A cache that is missing, or that V8 rejects
// (another Node version or V8 flags), only costs that compile.

// First: masks inline -e values in what ps shows (before anything else loads).
import './hide-argv.js';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vm from 'node:vm';

const dir = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.join(dir, 'converge.cjs');
const cacheFile = path.join(dir, 'converge.v8cache');

// Blanking the #! line keeps line numbers in stack traces.
const source = readFileSync(bundle, 'utf8').replace(/^#!.*/, '');
const script = new vm.Script(Module.wrap(source), {
  filename: bundle,
  cachedData: existsSync(cacheFile) ? readFileSync(cacheFile) : undefined,
});
const mod: { exports: { warmSsh2ForCodeCache?: () => void } } = { exports: {} };
(script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dir);

// The build's training run: the cache then holds every function this run compiled.
if (process.env.CONVERGE_WRITE_CODE_CACHE === '1') {
  process.once('exit', () => {
    // The training run is local: ssh2's code is compiled here so that SSH runs find it cached.
    mod.exports.warmSsh2ForCodeCache?.();
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  });
}
