// Installed-package queries for the RPM managers (dnf, zypper): one `rpm -q`
// for all names; names it does not know are asked once more as capabilities
// (`rpm -q --whatprovides`), so that a task naming a virtual provide does not
// look missing after it was installed.

import type { BackendContext } from './backend.js';
import { C_LOCALE } from './backend.js';

const QF = '%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}.%{ARCH}\t%{ARCH}\n';

function rootArgs(root?: string): string[] {
  return root ? ['--root', root] : [];
}

export async function rpmInstalled(ctx: BackendContext, names: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  const r = await ctx.host.run(['rpm', ...rootArgs(ctx.root), '-q', '--qf', QF, '--', ...names], { env: C_LOCALE });
  if (r.rc === 127) throw new Error(`rpm is not installed on ${ctx.host.name}`);
  for (const line of r.stdout.split('\n')) {
    const [name, version, arch] = line.split('\t');
    if (!version) continue; // "package X is not installed"
    for (const want of names) {
      // Several installed versions (kernels) keep the last one listed.
      if (want === name || want === `${name}.${arch}`) out.set(want, version);
    }
  }
  const unknown = names.filter((n) => !out.has(n));
  if (unknown.length === 0) return out;
  // The answer names the capabilities nothing provides; the rest are provided.
  const p = await ctx.host.run(['rpm', ...rootArgs(ctx.root), '-q', '--whatprovides', '--qf', QF, '--', ...unknown], { env: C_LOCALE });
  const notProvided = new Set<string>();
  for (const line of p.stdout.split('\n')) {
    const m = /^no package provides (.+)$/.exec(line.trim());
    if (m) notProvided.add(m[1]);
  }
  const providers = p.stdout.split('\n').filter((l) => l.includes('\t')).map((l) => l.split('\t')[1]);
  for (const n of unknown) if (!notProvided.has(n)) out.set(n, `provided (${providers.length ? providers.join(', ') : 'by an installed package'})`);
  return out;
}
