// Hides the Debian daemons of the shaped-debs layer: their programs, units,
// init scripts and /etc configuration move under HIDDEN (same relative
// paths), and enablement links that now dangle go. Libraries, Python modules
// and /usr/share data stay where Debian put them. After this, a shaped host
// has no dhcpd, nginx, tftp, kea, firewalld, NFS or DNS server until the shaped
// RPM that wraps it is installed.

/** Where the Debian builds live, out of the shaped distribution's sight. */
export const HIDDEN = '/usr/lib/converge-bed/debian';

const HIDE_PKGS = [
  'isc-dhcp-server', 'tftpd-hpa', 'nginx', 'nginx-common', 'kea-dhcp4-server', 'kea-common', 'firewalld',
  'nfs-kernel-server', 'nfs-common', 'nfs-ganesha', 'nfs-ganesha-vfs', 'rpcbind', 'bind9', 'bind9-utils',
];

/** Files the packages' maintainer scripts created (not in dpkg -L). */
const EXTRA = [
  '/etc/nginx', '/etc/exports', '/etc/nfs.conf', '/etc/idmapd.conf', '/etc/default/nfs-kernel-server',
  '/etc/default/nfs-common', '/etc/default/isc-dhcp-server', '/etc/default/tftpd-hpa', '/etc/default/nginx',
  '/etc/kea', '/etc/firewalld', '/etc/ganesha', '/srv/tftp', '/var/www', '/etc/dhcp/dhcpd.conf', '/etc/dhcp/dhcpd6.conf',
  '/etc/bind', '/etc/default/named',
];

export const HIDE_SCRIPT = `
H=${HIDDEN}
hide() {
  [ -e "$1" ] || [ -L "$1" ] || return 0
  mkdir -p "$H$(dirname "$1")"
  mv "$1" "$H$1"
}
for pkg in ${HIDE_PKGS.join(' ')}; do
  dpkg -L "$pkg" | while read -r f; do
    case "$f" in
      /usr/sbin/*|/usr/bin/*|/sbin/*|/bin/*|/lib/systemd/*|/usr/lib/systemd/*|/etc/*|/usr/lib/udev/*|/usr/share/nginx/html/*) ;;
      *) continue ;;
    esac
    if [ -f "$f" ] || [ -L "$f" ]; then hide "$f"; fi
  done
done
for f in ${EXTRA.join(' ')}; do hide "$f"; done
find /etc/systemd/system /etc/rc0.d /etc/rc1.d /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d /etc/rc6.d /etc/rcS.d -xtype l -delete 2>/dev/null || true
find /etc/systemd/system -mindepth 1 -type d -empty -delete
`;

export const HIDE_INPUTS = { HIDDEN, HIDE_PKGS, EXTRA };
