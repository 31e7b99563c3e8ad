// Bundles the built CLI into one file (dist/converge.mjs): one file to load
// instead of hundreds is most of converge's startup time. ssh2 stays outside
// (it has optional native parts) and is loaded only when an SSH host is used.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/converge.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ssh2', 'cpu-features'],
  // CommonJS dependencies bundled into ESM still call require().
  banner: { js: "import { createRequire as __converge_cr } from 'node:module';\nconst require = __converge_cr(import.meta.url);" },
  logLevel: 'error',
  legalComments: 'none',
});
