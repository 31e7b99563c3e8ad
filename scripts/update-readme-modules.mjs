// Regenerates the README's module reference from the module schemas
// (`converge doc --markdown`), between the modules:begin/end markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const readme = new URL('../README.md', import.meta.url);
const md = execFileSync(process.execPath, [new URL('../dist/src/cli/main.js', import.meta.url).pathname, 'doc', '--markdown'], { encoding: 'utf8' });
const text = readFileSync(readme, 'utf8');
const out = text.replace(/<!-- modules:begin -->[\s\S]*<!-- modules:end -->/, `<!-- modules:begin -->\n${md.trim()}\n<!-- modules:end -->`);
writeFileSync(readme, out);
