// Cached root filesystems. A flavor's tree is a stack of layers (overlayfs
// lowerdirs, top first); each layer is built once into
// CACHE_DIR/<layer>-<recipe hash>/ under a temporary name and renamed when
// complete, so an interrupted build is never booted, and a changed recipe
// (its inputs or its build function's source) gives a new directory.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { withDirLock } from './cache-lock.js';
import { pidAlive, runSync } from './proc.js';
import { CACHE_DIR } from './state.js';

export interface Layer {
  /** Short name: debian12-base, shaped-base, rocky9 ... */
  id: string;
  /** Layers below this one (bottom last); the build sees them merged read-only or copies them. */
  parent?: Layer;
  /** Anything that should rebuild the layer when it changes (package lists, file contents). */
  inputs: unknown;
  /**
   * Fills `dir`. For a layer with a parent, `dir` starts as an overlay upper
   * whose merged view (`merged`) is the parent's tree plus this layer.
   */
  build(dir: string, merged: string, log: (s: string) => void): Promise<void>;
}

/** Bump to rebuild every cached tree (for changes outside the recipes' own source). */
const BED_RECIPE_VERSION = 1;

export function layerHash(layer: Layer): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: BED_RECIPE_VERSION, id: layer.id, inputs: layer.inputs }));
  h.update(layer.build.toString());
  if (layer.parent) h.update(layerHash(layer.parent));
  return h.digest('hex').slice(0, 12);
}

export function layerDir(layer: Layer): string {
  return join(CACHE_DIR, `${layer.id}-${layerHash(layer)}`);
}

/** The lowerdir stack for a layer, top first. */
export function layerStack(layer: Layer): string[] {
  const out: string[] = [];
  for (let l: Layer | undefined = layer; l; l = l.parent) out.push(layerDir(l));
  return out;
}

const building = new Map<string, Promise<string[]>>();

/** Builds missing layers (bottom up) and returns the lowerdir stack, top first. */
export function ensureLayer(layer: Layer, log: (s: string) => void = (s) => process.stderr.write(s)): Promise<string[]> {
  const key = layerDir(layer);
  let p = building.get(key);
  if (!p) {
    p = buildIfMissing(layer, log);
    building.set(key, p);
    p.catch(() => building.delete(key));
  }
  return p;
}

async function buildIfMissing(layer: Layer, log: (s: string) => void): Promise<string[]> {
  if (layer.parent) await ensureLayer(layer.parent, log);
  const final = layerDir(layer);
  if (existsSync(final)) return layerStack(layer);
  mkdirSync(CACHE_DIR, { recursive: true });
  await withDirLock(`${final}.lock`, async () => {
    if (existsSync(final)) return;
    removeStaleTemps(layer.id);
    const tmp = `${final}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    log(`test bed: building ${final} (one time)\n`);
    const started = Date.now();
    const { buildLayer } = await import('./layer-build.js');
    await buildLayer(layer, tmp, log);
    renameSync(tmp, final);
    log(`test bed: built ${final} in ${Math.round((Date.now() - started) / 1000)} s\n`);
    pruneOldVersions(layer.id, final);
  });
  return layerStack(layer);
}

/** Older builds of a layer that no mounted host uses any more (their recipe changed). */
function pruneOldVersions(id: string, keep: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8');
  for (const f of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, f);
    if (path === keep || !new RegExp(`^${id}-[0-9a-f]{12}$`).test(f)) continue;
    if (mounts.includes(path)) continue;
    rmSync(path, { recursive: true, force: true });
  }
}

/** Temporary trees of builds whose process died. */
function removeStaleTemps(id: string): void {
  for (const f of readdirSync(CACHE_DIR)) {
    // the build's tree, and for layers with a parent its overlay's merged and work directories
    const m = new RegExp(`^${id}-[0-9a-f]{12}\\.tmp-(\\d+)(\\.merged|\\.work)?$`).exec(f);
    if (!m || pidAlive(Number(m[1]))) continue;
    if (m[2] === '.merged') runSync(['umount', '-l', join(CACHE_DIR, f)]);
    rmSync(join(CACHE_DIR, f), { recursive: true, force: true });
  }
}
