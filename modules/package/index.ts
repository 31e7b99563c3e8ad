// The package module and its per-manager aliases. `package` picks the manager
// from the host's facts (pkg_mgr); `dnf`/`yum`, `zypper` and `apt` use the one
// they name. Plan: one query for the installed versions of all names (plus one
// for upgrades with state latest); apply: one transaction for all missing
// names. In --check a dry run of the install makes an unknown name fail with
// the manager's own words, as the real run would.

import type { Change, ModuleContext, ModuleDefinition, PlanResult, Provided } from '../../src/engine/module.js';
import { TaskFailedError } from '../../src/engine/module.js';
import type { PackageBackend } from './backend.js';
import { AptBackend } from './apt.js';
import { DnfBackend } from './dnf.js';
import { ZypperBackend } from './zypper.js';
import { packageNames, packageSchema, rootOf, type ManagerName, type PackageParams } from './params.js';

interface PackagePlanState {
  manager: ManagerName;
  bootstrap: boolean;
  refresh: boolean;
  missing: string[];
  upgrade: string[];
  remove: string[];
}

async function backendFor(params: PackageParams, ctx: ModuleContext, forced?: ManagerName): Promise<PackageBackend> {
  const facts = await ctx.host.facts();
  const use = params.use === 'yum' ? 'dnf' : params.use;
  const manager = forced ?? (use && use !== 'auto' ? use : facts.pkg_mgr);
  const root = rootOf(params);
  const bctx = { host: ctx.host, params, root, progress: (m: string) => ctx.progress(m) };
  // A root install of the same release as the host unless told otherwise
  // (dnf needs a release version when the tree has no os-release yet).
  const releasever = params.releasever ?? (root && manager !== 'apt' ? facts.distribution_major_version || undefined : undefined);
  if (manager === 'dnf' || manager === 'zypper' || manager === 'apt') rejectForeignParams(params, manager);
  switch (manager) {
    case 'dnf': return new DnfBackend(bctx, releasever);
    case 'zypper': return new ZypperBackend(bctx, releasever);
    case 'apt': return new AptBackend(bctx, params.releasever);
    default: throw new TaskFailedError(`no supported package manager found on ${ctx.host.name} (facts say pkg_mgr=${facts.pkg_mgr}); set use: dnf|zypper|apt`);
  }
}

/** Parameters that only one manager understands: an error elsewhere, never silently ignored. */
const ONLY_FOR: Record<string, ManagerName[]> = {
  enablerepo: ['dnf'], disablerepo: ['dnf'], install_weak_deps: ['dnf'], repos: ['dnf', 'zypper'],
  disable_recommends: ['zypper'], install_recommends: ['apt'], cache_valid_time: ['apt'], purge: ['apt'], mirror: ['apt'],
};

function rejectForeignParams(params: PackageParams, manager: string): void {
  for (const [param, managers] of Object.entries(ONLY_FOR)) {
    const v = (params as unknown as Record<string, unknown>)[param];
    if (v === undefined || (param === 'purge' && v === false)) continue;
    if (!managers.includes(manager as ManagerName)) {
      throw new TaskFailedError(`${param} is not supported with ${manager} (only with ${managers.join(', ')})`);
    }
  }
}

const say = (ctx: ModuleContext, s: string) => (ctx.check ? `would ${s}` : s);

/**
 * Caches this process already refreshed, per host and manager/root: the plan
 * of a latest task, its apply and the verifying re-plan need one refresh, not
 * three. (Hosts are per run, so a long-running agent refreshes again next run.)
 */
const refreshed = new WeakMap<object, Set<string>>();

async function refreshOnce(ctx: ModuleContext, backend: PackageBackend, params: PackageParams): Promise<void> {
  const key = `${backend.manager}:${rootOf(params) ?? '/'}`;
  let done = refreshed.get(ctx.host);
  if (!done) refreshed.set(ctx.host, (done = new Set()));
  if (done.has(key) || !(await backend.cacheStale())) return;
  await backend.refreshCache();
  done.add(key);
}

async function planPackages(params: PackageParams, ctx: ModuleContext, forced?: ManagerName): Promise<PlanResult<PackagePlanState>> {
  const names = packageNames(params);
  const backend = await backendFor(params, ctx, forced);
  const root = rootOf(params);
  const where = root ? ` into ${root}` : '';
  const absent = params.state === 'absent' || params.state === 'removed';
  const state: PackagePlanState = { manager: backend.manager, bootstrap: false, refresh: false, missing: [], upgrade: [], remove: [] };
  const changes: Change[] = [];
  const provides: Provided[] = [];

  if (backend.needsBootstrap && (await backend.needsBootstrap())) {
    if (absent) return { changes: [], result: { packages: {} } };
    if (!params.releasever) throw new TaskFailedError(`apt with root ${root}: the tree has no dpkg database; releasever (the Debian suite, e.g. bookworm) is needed to bootstrap it`);
    state.bootstrap = true;
    state.missing = names;
    changes.push({ property: 'root', before: 'absent', after: `debootstrap ${params.releasever ?? '?'}`, summary: say(ctx, `bootstrap ${params.releasever ?? 'Debian'} into ${root}`) });
    for (const n of names) changes.push({ property: `package:${n}`, before: 'absent', after: 'present', summary: say(ctx, `install ${n}${where}`) });
    provides.push({ kind: 'path', name: root! });
    return { changes, provides, state };
  }

  if (names.length === 0) {
    // update_cache alone: refresh when stale. Without a validity window
    // (cache_valid_time) this happens every time the task runs.
    if (await backend.cacheStale()) {
      state.refresh = true;
      const repeats = !(backend.manager === 'apt' && (params.cache_valid_time ?? 0) > 0);
      changes.push({ property: 'cache', before: 'stale', after: 'refreshed', summary: say(ctx, `refresh the ${backend.manager} cache`), repeats });
    }
    return { changes, state: changes.length ? state : undefined };
  }

  // A root that does not exist yet holds nothing; asking dnf or zypper about it (or
  // simulating an install into it) would create its rpmdb, logs and cache, even in --check.
  const rootMissing = !!root && !(await ctx.host.stat(root)).exists;
  const installed = rootMissing ? new Map<string, string>() : await backend.installed(names);
  const packages: Record<string, string | null> = {};
  for (const n of names) packages[n] = installed.get(n) ?? null;

  if (absent) {
    state.remove = names.filter((n) => installed.has(n));
    for (const n of state.remove) changes.push({ property: `package:${n}`, before: installed.get(n), after: 'absent', summary: say(ctx, `remove ${n}${root ? ` from ${root}` : ''}`) });
  } else {
    state.missing = names.filter((n) => !installed.has(n));
    if (ctx.check && rootMissing) {
      // Nothing to compare with and nothing may be written: every package would be installed.
    } else if (params.state === 'latest' || (ctx.check && state.missing.length)) {
      // Both need current metadata; refreshing the cache is not a change of the host.
      await refreshOnce(ctx, backend, params);
    } else if (state.missing.length) {
      state.refresh = !refreshed.get(ctx.host)?.has(`${backend.manager}:${root ?? '/'}`) && (await backend.cacheStale());
    }
    if (params.state === 'latest') {
      const ups = await backend.upgrades(names.filter((n) => installed.has(n)));
      state.upgrade = [...ups.keys()];
      for (const [n, v] of ups) changes.push({ property: `package:${n}`, before: installed.get(n), after: v, summary: say(ctx, `upgrade ${n} to ${v}${where}`) });
    }
    if (ctx.check && !rootMissing) await backend.simulateInstall(state.missing);
    for (const n of state.missing) changes.push({ property: `package:${n}`, before: 'absent', after: params.state === 'latest' ? 'latest' : 'present', summary: say(ctx, `install ${n}${where}`) });
    // Packages in another tree are not this host's: later tasks cannot use them.
    if (!root) for (const n of state.missing) provides.push({ kind: 'package', name: n });
    if (root && state.missing.length && rootMissing) provides.push({ kind: 'path', name: root });
  }
  const result = { packages };
  if (changes.length === 0) return { changes, result };
  return { changes, provides, result, state };
}

async function applyPackages(params: PackageParams, plan: PlanResult<PackagePlanState>, ctx: ModuleContext, forced?: ManagerName) {
  const st = plan.state!;
  const backend = await backendFor(params, ctx, forced);
  if (st.bootstrap) {
    await backend.bootstrap!(st.missing);
    return { result: { bootstrapped: rootOf(params) } };
  }
  // A task that only refreshes does so whenever it runs; installs reuse a refresh made earlier in this run.
  if (st.refresh && packageNames(params).length === 0) await backend.refreshCache();
  else if (st.refresh) await refreshOnce(ctx, backend, params);
  if (st.missing.length || st.upgrade.length) {
    ctx.progress(`${backend.manager}: installing ${[...st.missing, ...st.upgrade].join(' ')}`);
    await backend.install(st.missing, st.upgrade);
  }
  if (st.remove.length) {
    ctx.progress(`${backend.manager}: removing ${st.remove.join(' ')}`);
    await backend.remove(st.remove);
  }
  return { result: { installed: st.missing, upgraded: st.upgrade, removed: st.remove } };
}

function packageModule(name: string, aliases: string[], description: string, forced?: ManagerName): ModuleDefinition<PackageParams, PackagePlanState> {
  return {
    name, aliases, description, schema: packageSchema,
    plan: (p, ctx) => planPackages(p, ctx, forced),
    apply: (p, plan, ctx) => applyPackages(p, plan, ctx, forced),
  };
}

export const packageModuleDef = packageModule('package', [],
  'Installs, upgrades or removes packages with the host\'s package manager (dnf on RedHat, zypper on SUSE, apt on Debian). One query for all names, one transaction for all missing ones; with root, installs into a directory tree (compute-node images).');
export const dnfModule = packageModule('dnf', ['yum'], 'The package module with dnf: installs, upgrades or removes RPM packages, also into a directory (installroot + releasever).', 'dnf');
export const zypperModule = packageModule('zypper', ['community.general.zypper'], 'The package module with zypper: installs, upgrades or removes RPM packages on SUSE, also into a directory (root).', 'zypper');
export const aptModule = packageModule('apt', [], 'The package module with apt: installs, upgrades or removes Debian packages; update_cache with cache_valid_time refreshes only when the cache is old; with root, bootstraps and installs into a directory tree.', 'apt');
