// The flavors a bed host can have. debian12 is real Debian (apt and the
// mirror). The others are SHAPED, not real distributions: the same Debian
// base with that distribution's /etc/os-release, package manager and a local
// repository of RPMs laid out as the real packages are (see shaped/).

import { debian12Base } from './debian-base.js';
import type { Layer } from './rootfs.js';
import { SHAPED_FLAVORS } from './shaped/flavors.js';

export interface Flavor {
  name: string;
  /** True for the shaped (simulated) distributions. */
  shaped: boolean;
  description: string;
  layer: () => Promise<Layer>;
}

const flavors: Record<string, Flavor> = {
  debian12: { name: 'debian12', shaped: false, description: 'Debian 12 (bookworm), real: apt and the Debian mirror', layer: async () => debian12Base },
};

export function registerFlavor(f: Flavor): void {
  flavors[f.name] = f;
}

export async function loadFlavors(): Promise<Record<string, Flavor>> {
  for (const f of SHAPED_FLAVORS) flavors[f.name] ??= f;
  return flavors;
}

export async function getFlavor(name: string): Promise<Flavor> {
  const all = await loadFlavors();
  const f = all[name];
  if (!f) throw new Error(`test bed: unknown flavor "${name}" (known: ${Object.keys(all).join(', ')})`);
  return f;
}
