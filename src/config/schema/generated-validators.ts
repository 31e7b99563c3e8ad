// Placeholder for the build's precompiled validators: `npm run build` overwrites
// the compiled dist/ copy of this file with ajv's standalone code for every
// schema (precompile.ts). This version precompiles nothing, so a build that
// skipped that step compiles each schema on first use instead. It is imported
// statically (not with a top-level await) so that the CLI bundle can be
// CommonJS, the format V8's code cache works with.
export const fingerprints: Record<string, string> | undefined = undefined;
