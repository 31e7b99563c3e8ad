// Builds the shaped RPMs with rpmbuild on the build machine: each package is
// data (files, scriptlets, dependencies), staged in a directory and wrapped by
// a generated spec. noarch, AutoReqProv off: the payload is unit files,
// configs, wrapper scripts and symlinks to the hidden Debian programs.

import { copyFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runOk } from '../proc.js';

export interface PkgFile {
  path: string;
  /** File content (a regular file). */
  content?: string;
  /** Copy this file of the build machine (or of the tree being built). */
  from?: string;
  /** A symbolic link to this target. */
  symlink?: string;
  /** A directory owned by the package. */
  dir?: boolean;
  mode?: number;
  /** %config(noreplace): the operator's edits survive updates, as in the real packages. */
  config?: boolean;
  owner?: string;
  group?: string;
}

export interface ShapedPackage {
  name: string;
  version: string;
  release: string;
  summary: string;
  requires?: string[];
  provides?: string[];
  obsoletes?: string[];
  files: PkgFile[];
  pre?: string;
  post?: string;
  preun?: string;
  postun?: string;
}

function specFor(p: ShapedPackage, stage: string): string {
  const lines = [
    `Name: ${p.name}`, `Version: ${p.version}`, `Release: ${p.release}`, `Summary: ${p.summary}`,
    'License: converge-test-bed', 'BuildArch: noarch', 'AutoReqProv: no',
    ...(p.requires ?? []).map((r) => `Requires: ${r}`),
    ...(p.provides ?? []).map((r) => `Provides: ${r}`),
    ...(p.obsoletes ?? []).map((r) => `Obsoletes: ${r}`),
    '', '%description',
    `SHAPED package of the converge test bed: lays files out as the real ${p.name} does,`,
    'wrapping Debian-built programs. Not the real package.',
    '', '%install', `cp -a ${stage}/. %{buildroot}/`,
  ];
  for (const [section, body] of [['pre', p.pre], ['post', p.post], ['preun', p.preun], ['postun', p.postun]] as const) {
    if (body) lines.push('', `%${section}`, body.trim());
  }
  lines.push('', '%files');
  for (const f of p.files) {
    const attr = `%attr(${f.mode !== undefined ? f.mode.toString(8).padStart(4, '0') : '-'},${f.owner ?? 'root'},${f.group ?? 'root'})`;
    if (f.dir) lines.push(`%dir ${attr} ${f.path}`);
    else if (f.config) lines.push(`%config(noreplace) ${attr} ${f.path}`);
    else lines.push(`${f.symlink ? '' : attr + ' '}${f.path}`);
  }
  return lines.join('\n') + '\n';
}

function stageFiles(p: ShapedPackage, stage: string): void {
  for (const f of p.files) {
    const dest = join(stage, f.path);
    if (f.dir) {
      mkdirSync(dest, { recursive: true });
      continue;
    }
    mkdirSync(dirname(dest), { recursive: true });
    if (f.symlink) symlinkSync(f.symlink, dest);
    else if (f.from) copyFileSync(f.from, dest);
    else writeFileSync(dest, f.content ?? '');
    if (!f.symlink) chmodSync(dest, f.mode ?? 0o644);
  }
}

/** Builds every package into outDir (flat, *.noarch.rpm) and indexes it with createrepo_c. */
export async function buildRepo(pkgs: ShapedPackage[], outDir: string, workDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  for (const p of pkgs) {
    const top = join(workDir, p.name);
    const stage = join(top, 'stage');
    rmSync(top, { recursive: true, force: true });
    mkdirSync(stage, { recursive: true });
    stageFiles(p, stage);
    const spec = join(top, `${p.name}.spec`);
    writeFileSync(spec, specFor(p, stage));
    await runOk(['rpmbuild', '-bb', '--quiet',
      '--define', `_topdir ${top}`, '--define', `_rpmdir ${join(top, 'out')}`,
      '--define', '__os_install_post %{nil}', '--define', 'debug_package %{nil}',
      '--define', '_binaries_in_noarch_packages_terminate_build 0', '--define', '_build_id_links none',
      '--define', '_source_filedigest_algorithm 8', '--define', '_binary_filedigest_algorithm 8',
      spec]);
    for (const f of readdirSync(join(top, 'out', 'noarch'))) copyFileSync(join(top, 'out', 'noarch', f), join(outDir, f));
  }
  await runOk(['createrepo_c', '--quiet', outDir]);
}

/** The builder's own source, part of the flavor layers' recipe hash (a change rebuilds them). */
export const RPM_BUILDER_SOURCE = [specFor, stageFiles, buildRepo].map((f) => f.toString()).join('\n');
