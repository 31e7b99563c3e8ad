// Modules of other platforms (Windows, the BSDs, macOS, Solaris, AIX) that
// cross-platform roles carry in branches a Linux host never takes (`when:
// ansible_os_family == "Windows"`). ansible-playbook accepts such a playbook
// when the collection is installed; converge accepts it too, warns at load
// time, and fails the task only if it runs on a host.

import type { ModuleDefinition } from '../engine/module.js';
import { TaskFailedError } from '../engine/module.js';

const PLATFORMS: Array<[RegExp, string]> = [
  [/^(?:(?:ansible|community|chocolatey)\.windows\.|chocolatey\.chocolatey\.)?win_\w+$/, 'Windows'],
  [/^(?:community\.general\.)?(?:pkgng|sysrc|portinstall)$/, 'FreeBSD'],
  [/^(?:community\.general\.)?(?:openbsd_pkg)$/, 'OpenBSD'],
  [/^(?:community\.general\.)?(?:pkgin)$/, 'NetBSD/SmartOS'],
  [/^(?:community\.general\.)?(?:homebrew|homebrew_cask|homebrew_tap|macports|osx_defaults)$/, 'macOS'],
  [/^(?:community\.general\.)?(?:svr4pkg|pkg5|pkg5_publisher|solaris_zone|svc|smartos_image_info|imgadm|vmadm)$/, 'Solaris/illumos'],
  [/^(?:community\.general\.|ibm\.power_aix\.)?aix_\w+$/, 'AIX'],
  [/^(?:community\.general\.)?(?:installp|mksysb)$/, 'AIX'],
];

/** The platform a module name belongs to, when it is not Linux. */
export function otherPlatformOf(moduleKey: string): string | undefined {
  return PLATFORMS.find(([re]) => re.test(moduleKey))?.[1];
}

/** A stand-in for such a module: its parameters are not checked, and running it fails. */
export function otherPlatformModule(moduleKey: string, platform: string): ModuleDefinition {
  return {
    name: 'other_platform',
    description: `Stands in for '${moduleKey}', a module for ${platform} hosts.`,
    schema: { type: 'object', additionalProperties: true },
    controllerOnly: true,
    loadWarning: `'${moduleKey}' is a module for ${platform} hosts: accepted, and the task fails if it runs on a host`,
    async plan() {
      throw new TaskFailedError(`'${moduleKey}' is a module for ${platform} hosts; converge manages Linux hosts, and this task ran`);
    },
    async apply() {
      return {};
    },
  };
}
