// `converge doc [MODULE]`: module documentation generated from the schemas,
// as text for a terminal or as Markdown for the README.

import { allModules, findModule, suggestModule } from '../engine/registry.js';
import type { ModuleDefinition } from '../engine/module.js';
import { UsageError } from '../config/errors.js';

interface Prop { type?: unknown; enum?: unknown[]; default?: unknown; description?: string; items?: Prop; oneOf?: Prop[]; anyOf?: Prop[] }

function typeOf(p: Prop): string {
  if (p.enum) return p.enum.map((e) => JSON.stringify(e)).join(' | ');
  const alts = p.oneOf ?? p.anyOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(' | ');
  if (Array.isArray(p.type)) return p.type.join(' | ');
  if (p.type === 'array' && p.items) return `list of ${typeOf(p.items)}`;
  return String(p.type ?? 'any');
}

function rows(m: ModuleDefinition): Array<[string, string, boolean, string]> {
  const props = (m.schema.properties ?? {}) as Record<string, Prop>;
  const required = new Set((m.schema.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([k, p]) => [
    k, typeOf(p), required.has(k),
    `${p.description ?? ''}${p.default !== undefined ? ` Default: \`${JSON.stringify(p.default)}\`.` : ''}`,
  ]);
}

export function moduleText(m: ModuleDefinition): string {
  const lines = [`${m.name}${m.aliases?.length ? ` (also: ${m.aliases.join(', ')})` : ''}`, '', m.description, '', 'Parameters:'];
  for (const [k, t, req, d] of rows(m)) lines.push(`  ${k}${req ? ' (required)' : ''}: ${t}`, `      ${d}`);
  return lines.join('\n');
}

export function modulesMarkdown(): string {
  const out: string[] = [];
  for (const m of [...allModules()].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(`### ${m.name}${m.aliases?.length ? ` (${m.aliases.join(', ')})` : ''}`, '', m.description, '');
    out.push('| parameter | type | description |', '|---|---|---|');
    for (const [k, t, req, d] of rows(m)) out.push(`| \`${k}\`${req ? ' (required)' : ''} | ${t.replace(/\|/g, '\\|')} | ${d.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`);
    out.push('');
  }
  return out.join('\n');
}

export function docCommand(name: string | undefined, markdown: boolean): string {
  if (markdown) return modulesMarkdown();
  if (!name) {
    return allModules().map((m) => `${m.name.padEnd(14)} ${m.description.split('. ')[0].replace(/\.$/, '')}`).join('\n');
  }
  const m = findModule(name);
  if (!m) {
    const s = suggestModule(name);
    throw new UsageError(`unknown module '${name}'${s ? ` (did you mean \`${s}\`?)` : ''}`);
  }
  return moduleText(m);
}
