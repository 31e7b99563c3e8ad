// Placeholder for the build's precompiled validators of the vars schemas that
// ship with the repository's playbooks (playbooks/*.schema.yaml): `npm run
// build` overwrites the compiled dist/ copy with ajv's standalone code
// (precompile.ts). This version precompiles nothing: every vars schema is then
// compiled when a run needs it, as any other playbook's schema is.
export {};
