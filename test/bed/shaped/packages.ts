// The shaped RPMs of each flavor, as data. Names, paths and units follow the
// real packages (Rocky: dhcp-server, tftp-server, nginx, nfs-utils, firewalld,
// kea, ipxe-bootimgs-x86, busybox from EPEL; openSUSE: dhcp-server, tftp,
// nginx, nfs-kernel-server, firewalld, ipxe-bootimgs, busybox). Programs are
// symlinks or small wrappers to the hidden Debian builds (HIDDEN). Guesses
// are marked "Guess".
//
// Two kinds of packages:
// - service packages, installed for real with dnf/zypper inside a host;
// - base packages (filesystem, setup, bash, systemd, openssh-server, sudo,
//   the release package) that are registered (rpm --justdb) in every shaped
//   host because Debian already provides their programs, and that install for
//   real into a `dnf --installroot` / `zypper --root` compute image, where
//   they lay down a minimal busybox-based tree (SHAPED: not the real bash or systemd).

import { HIDDEN } from './hide.js';
import type { ShapedDistro } from './os-release.js';
import type { PkgFile, ShapedPackage } from './rpm-build.js';
import * as U from './units.js';

const UNIT_DIR = '/usr/lib/systemd/system';
const RELOAD = 'systemctl daemon-reload >/dev/null 2>&1 || :';

function wrap(path: string, mode = 0o755): PkgFile {
  return { path, symlink: `${HIDDEN}${path}`, mode };
}
function file(path: string, content: string, mode = 0o644, config = false): PkgFile {
  return { path, content, mode, config };
}
function dir(path: string, owner?: string, group?: string, mode = 0o755): PkgFile {
  return { path, dir: true, owner, group, mode };
}
function unit(name: string, content: string): PkgFile {
  return file(`${UNIT_DIR}/${name}`, content);
}
function sysUser(user: string, home: string, comment: string): string {
  return `getent group ${user} >/dev/null || groupadd -r ${user}
getent passwd ${user} >/dev/null || useradd -r -g ${user} -d ${home} -s /sbin/nologin -c '${comment}' ${user}
exit 0`;
}

function pkg(name: string, version: string, summary: string, files: PkgFile[], extra: Partial<ShapedPackage> = {}): ShapedPackage {
  const hasUnits = files.some((f) => f.path.startsWith(UNIT_DIR));
  return {
    name, version, release: '1.cvbed', summary, files,
    post: hasUnits ? RELOAD : undefined, postun: hasUnits ? RELOAD : undefined, ...extra,
  };
}

/** The tree's files to copy into packages (configs of the Debian builds). */
export interface PackageSources {
  /** The merged tree being built (hidden files are under tree + HIDDEN). */
  tree: string;
  /** The bed's cached Debian kernel (see pxe-assets.ts) for the image kernel package. */
  kernel: string;
  kernelVersion: string;
}

function rockyPackages(d: ShapedDistro, src: PackageSources): ShapedPackage[] {
  const hidden = (p: string) => `${src.tree}${HIDDEN}${p}`;
  const el = `el${d.major}`;
  const out: ShapedPackage[] = [];
  if (d.major !== '10') {
    // RHEL 10 dropped ISC dhcp-server (Kea replaces it).
    out.push(pkg('dhcp-server', '4.4.3', 'Provides the ISC DHCP server', [
      dir('/etc/dhcp'), file('/etc/dhcp/dhcpd.conf', U.DHCPD_CONF_ROCKY, 0o644, true), file('/etc/dhcp/dhcpd6.conf', U.DHCPD_CONF_ROCKY.replace('DHCP Server', 'DHCPv6 Server'), 0o644, true),
      file('/etc/sysconfig/dhcpd', U.DHCPD_SYSCONFIG_ROCKY, 0o644, true),
      file('/usr/sbin/dhcpd', U.dhcpdWrapper(HIDDEN, '/var/lib/dhcpd/dhcpd.leases', '/etc/dhcp/dhcpd.conf'), 0o755),
      unit('dhcpd.service', U.DHCPD_SERVICE_ROCKY),
      dir('/var/lib/dhcpd', 'dhcpd', 'dhcpd'), { path: '/var/lib/dhcpd/dhcpd.leases', content: '', owner: 'dhcpd', group: 'dhcpd', config: true },
    ], { pre: sysUser('dhcpd', '/', 'DHCP server') }));
  }
  if (d.major !== '8') {
    out.push(pkg('kea', '2.6.1', 'DHCPv4, DHCPv6 and DDNS server', [
      dir('/etc/kea', 'root', 'kea', 0o750), { path: '/etc/kea/kea-dhcp4.conf', from: hidden('/etc/kea/kea-dhcp4.conf'), mode: 0o640, group: 'kea', config: true },
      wrap('/usr/sbin/kea-dhcp4'), wrap('/usr/sbin/kea-lfc'), unit('kea-dhcp4.service', U.KEA_DHCP4_SERVICE),
      dir('/var/lib/kea', 'kea', 'kea', 0o750), dir('/var/log/kea', 'kea', 'kea', 0o750),
    ], { pre: sysUser('kea', '/var/lib/kea', 'Kea DHCP server') }));
  }
  out.push(
    pkg('tftp-server', '5.2', 'The server for the Trivial File Transfer Protocol (TFTP)', [
      wrap('/usr/sbin/in.tftpd'), unit('tftp.service', U.TFTP_SERVICE_ROCKY), unit('tftp.socket', U.TFTP_SOCKET), dir('/var/lib/tftpboot'),
    ]),
    pkg('nginx', d.major === '8' ? '1.14.1' : d.major === '9' ? '1.20.1' : '1.26.3', 'A high performance web server and reverse proxy server', [
      wrap('/usr/sbin/nginx'), unit('nginx.service', U.NGINX_SERVICE), dir('/etc/nginx'), dir('/etc/nginx/conf.d'), dir('/etc/nginx/default.d'),
      { path: '/etc/nginx/nginx.conf', content: U.nginxConf({ htmlRoot: '/usr/share/nginx/html', includeDirs: ['/etc/nginx/conf.d'], modules: true }), config: true },
      ...['mime.types', 'fastcgi_params', 'scgi_params', 'uwsgi_params', 'fastcgi.conf'].map((f) => ({ path: `/etc/nginx/${f}`, from: hidden(`/etc/nginx/${f}`), config: true })),
      dir('/usr/share/nginx'), dir('/usr/share/nginx/html'), dir('/usr/share/nginx/modules'),
      file('/usr/share/nginx/html/index.html', '<html><body><h1>nginx on a SHAPED Rocky Linux test host</h1></body></html>\n'),
      dir('/var/log/nginx', 'nginx', 'root', 0o711), dir('/var/lib/nginx', 'nginx', 'nginx', 0o770),
    ], { pre: sysUser('nginx', '/var/lib/nginx', 'Nginx web server') }),
    pkg('nfs-utils', '2.5.4', 'NFS utilities and supporting clients and daemons for the kernel NFS server', [
      wrap('/usr/sbin/exportfs'), wrap('/usr/sbin/showmount'), unit('nfs-server.service', U.NFS_SERVER_SERVICE),
      file('/usr/lib/converge-bed/ganesha-from-exports', U.GANESHA_FROM_EXPORTS, 0o755),
      file('/usr/lib/converge-bed/wait-nfs-listening', U.WAIT_NFS_LISTENING, 0o755),
      dir('/etc/exports.d'), file('/etc/nfs.conf', '#\n# This is a general configuration for the\n# NFS daemons and tools\n#\n', 0o644, true),
      dir('/var/lib/nfs'),
    ]),
    firewalldPackage(hidden),
    ...bindPackages('rocky'),
    pkg(d.major === '8' ? 'ipxe-bootimgs' : 'ipxe-bootimgs-x86', '20200823', 'X86 Network boot loader images in bootable USB, CD, floppy and GRUB formats', [
      dir('/usr/share/ipxe'), { path: '/usr/share/ipxe/undionly.kpxe', from: '/usr/lib/ipxe/undionly.kpxe' },
      { path: '/usr/share/ipxe/ipxe-x86_64.efi', from: '/usr/lib/ipxe/ipxe.efi' }, { path: '/usr/share/ipxe/ipxe.lkrn', from: '/usr/lib/ipxe/ipxe.lkrn' },
    ], { provides: d.major === '8' ? [] : ['ipxe-bootimgs = 20200823'] }),
    // busybox comes from EPEL on Rocky.
    pkg('busybox', '1.36.1', 'Statically linked binary providing simplified versions of system commands', [{ path: '/usr/sbin/busybox', from: '/bin/busybox', mode: 0o755 }]),
  );
  out.push(...basePackages(d, el), kernelPackage(d, src));
  return out;
}

function firewalldPackage(hidden: (p: string) => string): ShapedPackage {
  return pkg('firewalld', '1.3.4', 'A firewall daemon with D-Bus interface providing a dynamic firewall', [
    wrap('/usr/sbin/firewalld'), wrap('/usr/bin/firewall-cmd'), wrap('/usr/bin/firewall-offline-cmd'),
    unit('firewalld.service', U.FIREWALLD_SERVICE), file('/etc/sysconfig/firewalld', U.FIREWALLD_SYSCONFIG, 0o644, true),
    dir('/etc/firewalld', 'root', 'root', 0o750), { path: '/etc/firewalld/firewalld.conf', from: hidden('/etc/firewalld/firewalld.conf'), mode: 0o644, config: true },
    { path: '/etc/firewalld/lockdown-whitelist.xml', from: hidden('/etc/firewalld/lockdown-whitelist.xml'), config: true },
    ...['zones', 'services', 'icmptypes', 'ipsets', 'helpers', 'policies'].map((s) => dir(`/etc/firewalld/${s}`, 'root', 'root', 0o750)),
  ], { requires: ['nftables'] });
}

/**
 * BIND: named and its unit in `bind`, the zone checker (and dig) in
 * `bind-utils`. Rocky: /etc/named.conf, /var/named (root:named 0770), as
 * Fedora's spec lays them out; named-checkconf is in bind, named-checkzone in
 * bind-utils (EL9 and later). SUSE: /var/lib/named with master/ for primary
 * zones (the package's tmpfiles); Guess: both checkers in bind-utils.
 */
function bindPackages(family: 'rocky' | 'suse'): ShapedPackage[] {
  const rocky = family === 'rocky';
  const varDir = rocky ? '/var/named' : '/var/lib/named';
  const checkconf = [wrap('/usr/bin/named-checkconf'), { path: '/usr/sbin/named-checkconf', symlink: '../bin/named-checkconf' }];
  const named = pkg('bind', '9.18.29', 'The Berkeley Internet Name Domain (BIND) DNS (Domain Name System) server', [
    file('/usr/sbin/named', U.namedWrapper(HIDDEN), 0o755),
    unit('named.service', rocky ? U.NAMED_SERVICE_ROCKY : U.NAMED_SERVICE_SUSE),
    { path: '/etc/named.conf', content: rocky ? U.NAMED_CONF_ROCKY : U.NAMED_CONF_SUSE, mode: 0o640, group: 'named', config: true },
    file('/etc/sysconfig/named', rocky ? '# BIND named process options\nOPTIONS=""\n' : U.NAMED_SYSCONFIG_SUSE, 0o644, true),
    file('/usr/lib/tmpfiles.d/named.conf', `d /run/named ${rocky ? '0770' : '1775'} root named -\n`),
    ...(rocky ? checkconf : []),
    ...(rocky
      ? [dir('/var/named', 'root', 'named', 0o770), dir('/var/named/data', 'named', 'named', 0o770), dir('/var/named/dynamic', 'named', 'named', 0o770), dir('/var/named/slaves', 'named', 'named', 0o770)]
      : [dir('/var/lib/named', 'root', 'named', 0o1775), dir('/var/lib/named/master'), dir('/var/lib/named/slave', 'named', 'named'), dir('/var/lib/named/dyn', 'named', 'named')]),
  ], {
    pre: sysUser('named', varDir, 'Named'),
    post: `systemd-tmpfiles --create /usr/lib/tmpfiles.d/named.conf >/dev/null 2>&1 || :\n${RELOAD}`,
  });
  const utils = pkg('bind-utils', '9.18.29', 'Utilities for querying DNS name servers', [
    wrap('/usr/bin/named-checkzone'), { path: '/usr/sbin/named-checkzone', symlink: '../bin/named-checkzone' },
    ...(rocky ? [] : checkconf),
  ]);
  return [named, utils];
}

function susePackages(d: ShapedDistro, src: PackageSources): ShapedPackage[] {
  const hidden = (p: string) => `${src.tree}${HIDDEN}${p}`;
  return [
    // Guess (SUSE): unit name dhcpd.service, config /etc/dhcpd.conf, sysconfig /etc/sysconfig/dhcpd, leases
    // under /var/lib/dhcp/db; the real unit runs a helper script that reads the sysconfig; ours does the same.
    pkg('dhcp-server', '4.3.6.P1', 'ISC DHCP Server', [
      file('/etc/dhcpd.conf', '# dhcpd.conf\n#\n# see dhcpd.conf(5)\n#\n', 0o644, true),
      file('/etc/sysconfig/dhcpd', SUSE_DHCPD_SYSCONFIG, 0o644, true),
      file('/usr/sbin/dhcpd', U.dhcpdWrapper(HIDDEN, '/var/lib/dhcp/db/dhcpd.leases', '/etc/dhcpd.conf'), 0o755),
      file('/usr/lib/dhcp/dhcpd', SUSE_DHCPD_HELPER, 0o755), dir('/usr/lib/dhcp'),
      unit('dhcpd.service', SUSE_DHCPD_SERVICE),
      dir('/var/lib/dhcp'), dir('/var/lib/dhcp/db', 'dhcpd', 'dhcpd'),
    ], { pre: sysUser('dhcpd', '/var/lib/dhcp', 'DHCP server daemon') }),
    pkg('tftp', '5.2', 'Trivial File Transfer Protocol (TFTP)', [
      wrap('/usr/sbin/in.tftpd'), unit('tftp.service', U.TFTP_SERVICE_SUSE), unit('tftp.socket', U.TFTP_SOCKET),
      file('/etc/sysconfig/tftp', U.TFTP_SYSCONFIG_SUSE, 0o644, true), dir('/srv/tftpboot', 'root', 'tftp'),
    ], { pre: sysUser('tftp', '/srv/tftpboot', 'TFTP account') }),
    // Guess (SUSE): nginx.conf includes conf.d and vhosts.d; document root /srv/www/htdocs.
    pkg('nginx', '1.21.5', 'A HTTP server and IMAP/POP3 proxy server', [
      wrap('/usr/sbin/nginx'), unit('nginx.service', U.NGINX_SERVICE), dir('/etc/nginx'), dir('/etc/nginx/conf.d'), dir('/etc/nginx/vhosts.d'),
      { path: '/etc/nginx/nginx.conf', content: U.nginxConf({ htmlRoot: '/srv/www/htdocs', includeDirs: ['/etc/nginx/conf.d', '/etc/nginx/vhosts.d'], modules: false }), config: true },
      ...['mime.types', 'fastcgi_params', 'scgi_params', 'uwsgi_params', 'fastcgi.conf'].map((f) => ({ path: `/etc/nginx/${f}`, from: hidden(`/etc/nginx/${f}`), config: true })),
      dir('/srv/www'), dir('/srv/www/htdocs'), file('/srv/www/htdocs/index.html', '<html><body><h1>nginx on a SHAPED openSUSE test host</h1></body></html>\n'),
      dir('/var/log/nginx', 'nginx', 'nginx', 0o750), dir('/var/lib/nginx', 'nginx', 'nginx', 0o750),
    ], { pre: sysUser('nginx', '/var/lib/nginx', 'User for nginx') }),
    pkg('nfs-kernel-server', '2.1.1', 'Support Utilities for Kernel nfsd', [
      wrap('/usr/sbin/exportfs'), wrap('/usr/sbin/showmount'), unit('nfs-server.service', U.NFS_SERVER_SERVICE),
      file('/usr/lib/converge-bed/ganesha-from-exports', U.GANESHA_FROM_EXPORTS, 0o755),
      file('/usr/lib/converge-bed/wait-nfs-listening', U.WAIT_NFS_LISTENING, 0o755),
      file('/etc/exports', '# See the exports(5) manpage for a description of the syntax of this file.\n', 0o644, true), dir('/etc/exports.d'),
      file('/etc/sysconfig/nfs', '## Path: Network/File systems/NFS server\n## Description: number of threads for kernel nfs server\n USE_KERNEL_NFSD_NUMBER="4"\n'.replace('\n ', '\n'), 0o644, true),
      dir('/var/lib/nfs'),
    ]),
    firewalldPackage(hidden),
    ...bindPackages('suse'),
    // Guess (SUSE): ipxe-bootimgs ships the same /usr/share/ipxe names as Fedora's.
    pkg('ipxe-bootimgs', '1.21.1', 'iPXE Network boot loader images', [
      dir('/usr/share/ipxe'), { path: '/usr/share/ipxe/undionly.kpxe', from: '/usr/lib/ipxe/undionly.kpxe' },
      { path: '/usr/share/ipxe/ipxe-x86_64.efi', from: '/usr/lib/ipxe/ipxe.efi' }, { path: '/usr/share/ipxe/ipxe.lkrn', from: '/usr/lib/ipxe/ipxe.lkrn' },
    ]),
    pkg('busybox', '1.37.0', 'Minimalist variant of UNIX utilities linked in a single binary', [{ path: '/usr/bin/busybox', from: '/bin/busybox', mode: 0o755 }]),
    ...basePackages(d, 'lp156'), kernelPackage(d, src),
  ];
}

const SUSE_DHCPD_SYSCONFIG = `## Path:	Network/DHCP/DHCP server
## Description: DHCP server settings
## Type:	string
## Default:	""
# Interfaces on which the DHCPv4 server should listen ("ANY": all).
DHCPD_INTERFACE=""

## Type:	yesno
## Default:	yes
# Run the server in a chroot jail (SHAPED: ignored by the test bed's wrapper).
DHCPD_RUN_CHROOTED="yes"

## Type:	string
## Default:	"dhcpd"
DHCPD_RUN_AS="dhcpd"

## Type:	string
## Default:	""
DHCPD_OTHER_ARGS=""
`;

const SUSE_DHCPD_HELPER = `#!/bin/sh
# SHAPED by the converge test bed: starts Debian's dhcpd the way openSUSE's
# helper does, from /etc/sysconfig/dhcpd (interfaces, user, extra arguments).
. /etc/sysconfig/dhcpd
IFACES="$DHCPD_INTERFACE"
[ "$IFACES" = "ANY" ] && IFACES=""
touch /var/lib/dhcp/db/dhcpd.leases
chown "\${DHCPD_RUN_AS:-dhcpd}" /var/lib/dhcp/db/dhcpd.leases
exec /usr/sbin/dhcpd -4 -f -cf /etc/dhcpd.conf -lf /var/lib/dhcp/db/dhcpd.leases -user "\${DHCPD_RUN_AS:-dhcpd}" -group "\${DHCPD_RUN_AS:-dhcpd}" --no-pid $DHCPD_OTHER_ARGS $IFACES
`;

const SUSE_DHCPD_SERVICE = `[Unit]
Description=ISC DHCPv4 Server
After=remote-fs.target network.target nss-lookup.target time-sync.target
Wants=remote-fs.target network.target nss-lookup.target time-sync.target

[Service]
Type=simple
ExecStart=/usr/lib/dhcp/dhcpd
Restart=on-abort

[Install]
WantedBy=multi-user.target
`;

/**
 * Base packages: registered with --justdb in the hosts (Debian provides the
 * real programs), installed for real into compute images.
 */
function basePackages(d: ShapedDistro, dist: string): ShapedPackage[] {
  const release = d.family === 'rocky'
    ? pkg('rocky-release', d.versionId, 'Rocky Linux release files', [
      file('/etc/os-release', d.osRelease), file('/usr/lib/os-release', d.osRelease),
      ...Object.entries(d.releaseFiles).map(([p, c]) => file(p, c)),
      { path: '/etc/redhat-release', symlink: 'rocky-release' }, { path: '/etc/system-release', symlink: 'rocky-release' },
      dir('/etc/yum.repos.d'), dir('/etc/dnf'), dir('/etc/dnf/vars'),
    ], { provides: [`system-release = ${d.versionId}`, `system-release(releasever) = ${d.major}`, `redhat-release = ${d.versionId}`, `base-module(platform:el${d.major})`] })
    : pkg('openSUSE-release', d.versionId, 'openSUSE Leap', [
      file('/etc/os-release', d.osRelease), file('/usr/lib/os-release', d.osRelease),
      ...Object.entries(d.releaseFiles).map(([p, c]) => file(p, c)), dir('/etc/zypp'), dir('/etc/zypp/repos.d'),
    ], { provides: ['distribution-release', 'product(Leap) = 15.6'] });
  const bb = d.family === 'rocky' ? '/usr/sbin/busybox' : '/usr/bin/busybox';
  return [
    release,
    pkg('filesystem', '3.8', 'The basic directory layout for a Linux system (SHAPED: merged /usr)', [
      ...['/usr', '/usr/bin', '/usr/sbin', '/usr/lib', '/usr/lib64', '/usr/share', '/etc', '/var', '/var/lib', '/var/log', '/var/tmp', '/tmp',
        '/root', '/home', '/srv', '/opt', '/mnt', '/media', '/proc', '/sys', '/dev', '/run', '/boot'].map((p) => dir(p, 'root', 'root', p.endsWith('tmp') ? 0o1777 : p === '/root' ? 0o550 : 0o755)),
      { path: '/bin', symlink: 'usr/bin' }, { path: '/sbin', symlink: 'usr/sbin' }, { path: '/lib', symlink: 'usr/lib' }, { path: '/lib64', symlink: 'usr/lib64' },
    ]),
    pkg('setup', '2.13.7', 'A set of system configuration and setup files', [
      file('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin\n', 0o644, true),
      file('/etc/group', 'root:x:0:\nnobody:x:65534:\n', 0o644, true),
      file('/etc/shadow', 'root:!::0:99999:7:::\nnobody:!::0:99999:7:::\n', 0o000, true),
      file('/etc/hosts', '127.0.0.1   localhost localhost.localdomain\n::1         localhost localhost.localdomain\n', 0o644, true),
      file('/etc/shells', '/bin/sh\n/bin/bash\n/usr/bin/sh\n/usr/bin/bash\n', 0o644, true),
      ...(d.family === 'rocky' ? [file('/etc/exports', '', 0o644, true)] : []),
    ], { requires: ['filesystem'] }),
    pkg('busybox-base', '1.0', 'SHAPED: the busybox binary the shaped bash and coreutils of compute images run on', [{ path: '/usr/libexec/converge-bed/busybox', from: '/bin/busybox', mode: 0o755 }], { requires: ['filesystem'] }),
    pkg('bash', '5.1.8', 'SHAPED: /bin/bash of compute images is busybox ash', [
      // busybox has no `bash` applet: bash runs its ash
      file('/usr/bin/bash', '#!/usr/libexec/converge-bed/busybox sh\nexec /usr/libexec/converge-bed/busybox sh "$@"\n', 0o755),
      { path: '/usr/bin/sh', symlink: '../libexec/converge-bed/busybox' },
    ], { requires: ['busybox-base', 'setup'], provides: ['/bin/sh', '/bin/bash', '/usr/bin/sh', '/usr/bin/bash'] }),
    pkg('coreutils', '8.32', 'SHAPED: the basic commands of compute images are busybox applets', [
      ...['ls', 'cat', 'cp', 'mv', 'rm', 'mkdir', 'ln', 'chmod', 'chown', 'echo', 'sleep', 'uname', 'mount', 'umount'].map((c) => ({ path: `/usr/bin/${c}`, symlink: '../libexec/converge-bed/busybox' })),
    ], { requires: ['busybox-base'] }),
    pkg('systemd', d.major === '8' ? '239' : d.major === '9' ? '252' : '257', 'SHAPED: the unit directories of systemd, no programs (compute images are enabled offline)', [
      dir('/usr/lib/systemd'), dir('/usr/lib/systemd/system'), dir('/etc/systemd'), dir('/etc/systemd/system'),
      dir('/etc/systemd/system/multi-user.target.wants'), file('/etc/machine-id', '', 0o444),
    ], { requires: ['filesystem'] }),
    pkg(d.family === 'rocky' ? 'openssh-server' : 'openssh-server', '8.7p1', 'SHAPED: registered only (Debian provides sshd)', [dir('/etc/ssh')]),
    pkg('sudo', '1.9.5p2', 'SHAPED: registered only (Debian provides sudo)', [dir('/etc/sudoers.d')]),
    pkg('nftables', '1.0.9', 'SHAPED: registered only (Debian provides nft)', [dir('/etc/nftables')]),
  ].map((p) => ({ ...p, release: `1.${dist}.cvbed` }));
}

/**
 * The kernel of compute images: SHAPED, the bed's Debian kernel (virtio, serial console, devtmpfs
 * built in) under the distribution's package name and paths. Rocky's kernel-core ships
 * /lib/modules/VER/vmlinuz and kernel-install copies it to /boot; SUSE's kernel-default ships /boot/vmlinuz-VER.
 */
function kernelPackage(d: ShapedDistro, src: PackageSources): ShapedPackage {
  const ver = src.kernelVersion;
  return pkg(d.family === 'rocky' ? 'kernel-core' : 'kernel-default', ver.split('-')[0], 'SHAPED: the Linux kernel (a Debian build)', [
    dir(`/usr/lib/modules/${ver}`), { path: `/usr/lib/modules/${ver}/vmlinuz`, from: src.kernel, mode: 0o755 },
    dir('/boot'), { path: `/boot/vmlinuz-${ver}`, from: src.kernel, mode: 0o755 },
  ], { provides: ['kernel', `kernel-uname-r = ${ver.replace(/-/g, '_')}`] });
}

/** Packages registered with --justdb in a running shaped host (Debian provides them). */
export const JUSTDB_PACKAGES = ['filesystem', 'setup', 'busybox-base', 'bash', 'coreutils', 'systemd', 'openssh-server', 'sudo', 'nftables'];

export function shapedPackages(d: ShapedDistro, src: PackageSources): ShapedPackage[] {
  const dist = d.family === 'rocky' ? `el${d.major}` : 'lp156';
  const pkgs = d.family === 'rocky' ? rockyPackages(d, src) : susePackages(d, src);
  return pkgs.map((p) => ({ ...p, release: `1.${dist}.cvbed` }));
}
