// Unit files and configs of the shaped packages, written after the real
// distributions' packages (looked up: Rocky/Fedora dhcp-server, tftp-server,
// nginx, kea, firewalld, nfs-utils; openSUSE dhcp-server, tftp, nginx,
// nfs-kernel-server). Where they differ from the real ones, a comment says
// why (Debian's programs underneath) — search "SHAPED".

export const DHCPD_SERVICE_ROCKY = `[Unit]
Description=DHCPv4 Server Daemon
Documentation=man:dhcpd(8) man:dhcpd.conf(5)
Wants=network-online.target
After=network-online.target
After=time-sync.target

[Service]
# SHAPED: the real unit is Type=notify (Fedora patches dhcpd for sd_notify); Debian's dhcpd does not notify.
Type=simple
EnvironmentFile=-/etc/sysconfig/dhcpd
ExecStart=/usr/sbin/dhcpd -f -cf /etc/dhcp/dhcpd.conf -user dhcpd -group dhcpd --no-pid $DHCPDARGS
StandardError=null

[Install]
WantedBy=multi-user.target
`;

export const DHCPD_SYSCONFIG_ROCKY = `# WARNING: This file is NOT used anymore.

# If you are here to restrict what interfaces should dhcpd listen on,
# be aware that dhcpd listens *only* on interfaces for which it finds subnet
# declaration in dhcpd.conf. It means that explicitly enumerating interfaces
# also on command line should not be required in most cases.

# If you still insist on adding some command line options,
# copy dhcpd.service from /lib/systemd/system to /etc/systemd/system and modify
# it there.
`;

export const DHCPD_CONF_ROCKY = `#
# DHCP Server Configuration file.
#   see /usr/share/doc/dhcp-server/dhcpd.conf.example
#   see dhcpd.conf(5) man page
#
`;

/** SHAPED: Rocky's dhcpd is built with /var/lib/dhcpd/dhcpd.leases; Debian's with /var/lib/dhcp. */
export function dhcpdWrapper(hidden: string, leases: string, conf: string): string {
  return `#!/bin/sh
# SHAPED by the converge test bed: the distribution's compiled-in defaults
# (config ${conf}, leases ${leases}) around Debian's dhcpd.
ARGS="$*"
case " $ARGS " in *" -cf "*) ;; *) set -- -cf ${conf} "$@";; esac
case " $ARGS " in *" -lf "*|*" -t "*|*" -T "*) ;; *) set -- -lf ${leases} "$@";; esac
exec ${hidden}/usr/sbin/dhcpd "$@"
`;
}

export const TFTP_SOCKET = `[Unit]
Description=Tftp Server Activation Socket

[Socket]
ListenDatagram=69

[Install]
WantedBy=sockets.target
`;

export const TFTP_SERVICE_ROCKY = `[Unit]
Description=Tftp Server
Requires=tftp.socket
Documentation=man:in.tftpd

[Service]
ExecStart=/usr/sbin/in.tftpd -s /var/lib/tftpboot
StandardInput=socket

[Install]
Also=tftp.socket
`;

// Guess (SUSE): tftp.service reads /etc/sysconfig/tftp; variable names as in openSUSE's tftp package.
export const TFTP_SERVICE_SUSE = `[Unit]
Description=Tftp Server
Requires=tftp.socket

[Service]
EnvironmentFile=/etc/sysconfig/tftp
ExecStart=/usr/sbin/in.tftpd -u $TFTP_USER -s $TFTP_DIRECTORY $TFTP_OPTIONS
StandardInput=socket

[Install]
Also=tftp.socket
`;

export const TFTP_SYSCONFIG_SUSE = `## Path:	Network/FTP/Tftp
## Description:	TFTP server settings
## Type:	string
## Default:	"tftp"
# daemon user (tftp)
TFTP_USER="tftp"

## Type:	string
## Default:	""
# options to pass to in.tftpd
TFTP_OPTIONS=""

## Type:	string
## Default:	"/srv/tftpboot"
# tftp directory
TFTP_DIRECTORY="/srv/tftpboot"
`;

export const NGINX_SERVICE = `[Unit]
Description=The nginx HTTP and reverse proxy server
After=network-online.target remote-fs.target nss-lookup.target
Wants=network-online.target

[Service]
Type=forking
PIDFile=/run/nginx.pid
ExecStartPre=/usr/bin/rm -f /run/nginx.pid
ExecStartPre=/usr/sbin/nginx -t
ExecStart=/usr/sbin/nginx
ExecReload=/usr/sbin/nginx -s reload
KillSignal=SIGQUIT
TimeoutStopSec=5
KillMode=mixed
PrivateTmp=true

[Install]
WantedBy=multi-user.target
`;

export function nginxConf(opts: { htmlRoot: string; includeDirs: string[]; modules: boolean }): string {
  return `# For more information on configuration, see the nginx documentation.
user nginx;
worker_processes auto;
error_log /var/log/nginx/error.log;
pid /run/nginx.pid;
${opts.modules ? '\n# Load dynamic modules.\ninclude /usr/share/nginx/modules/*.conf;\n' : ''}
events {
    worker_connections 1024;
}

http {
    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile            on;
    tcp_nopush          on;
    keepalive_timeout   65;
    types_hash_max_size 4096;

    include             /etc/nginx/mime.types;
    default_type        application/octet-stream;

${opts.includeDirs.map((d) => `    include ${d}/*.conf;`).join('\n')}

    server {
        listen       80;
        listen       [::]:80;
        server_name  _;
        root         ${opts.htmlRoot};
    }
}
`;
}

export const KEA_DHCP4_SERVICE = `[Unit]
Description=Kea DHCPv4 Server
Documentation=man:kea-dhcp4(8)
Wants=network-online.target
After=network-online.target
After=time-sync.target

[Service]
User=kea
AmbientCapabilities=CAP_NET_BIND_SERVICE CAP_NET_RAW
RuntimeDirectory=kea
RuntimeDirectoryPreserve=yes
StateDirectory=kea
LogsDirectory=kea
Environment="KEA_PIDFILE_DIR=/run/kea"
Environment="KEA_LOCKFILE_DIR=/run/kea"
ExecStart=/usr/sbin/kea-dhcp4 -c /etc/kea/kea-dhcp4.conf
ExecReload=/bin/kill -HUP $MAINPID

[Install]
WantedBy=multi-user.target
`;

export const FIREWALLD_SERVICE = `[Unit]
Description=firewalld - dynamic firewall daemon
Before=network-pre.target
Wants=network-pre.target
After=dbus.service
After=polkit.service
Conflicts=iptables.service ip6tables.service ebtables.service ipset.service nftables.service
Documentation=man:firewalld(1)

[Service]
EnvironmentFile=-/etc/sysconfig/firewalld
ExecStart=/usr/sbin/firewalld --nofork --nopid $FIREWALLD_ARGS
ExecReload=/bin/kill -HUP $MAINPID
StandardOutput=null
StandardError=null
Type=dbus
BusName=org.fedoraproject.FirewallD1
KillMode=mixed

[Install]
WantedBy=multi-user.target
Alias=dbus-org.fedoraproject.FirewallD1.service
`;

export const FIREWALLD_SYSCONFIG = `# firewalld command line args
# possible values: --debug
FIREWALLD_ARGS=
`;

/**
 * SHAPED: nfs-server.service starts the kernel NFS server on the real
 * distributions; this kernel has none, so the unit validates /etc/exports
 * with exportfs and serves them with NFS-Ganesha (VFS) instead.
 */
export const NFS_SERVER_SERVICE = `[Unit]
Description=NFS server and services
Requires=network.target
After=network.target

[Service]
Type=simple
ExecStartPre=/usr/sbin/exportfs -r
ExecStartPre=/usr/lib/converge-bed/ganesha-from-exports /run/converge-bed-ganesha.conf
ExecStart=/usr/lib/converge-bed/debian/usr/bin/ganesha.nfsd -F -L STDERR -f /run/converge-bed-ganesha.conf -p /run/ganesha.pid
ExecStartPost=/usr/lib/converge-bed/wait-nfs-listening
ExecReload=/usr/sbin/exportfs -r
ExecReload=/usr/lib/converge-bed/ganesha-from-exports /run/converge-bed-ganesha.conf
ExecReload=/bin/kill -HUP $MAINPID

[Install]
WantedBy=multi-user.target
`;

/**
 * The real nfs-server.service is a oneshot: when `systemctl start` returns,
 * nfsd already listens. Ganesha runs in the foreground (Type=simple), so this
 * ExecStartPost holds the start job until port 2049 listens, as the real one does.
 */
export const WAIT_NFS_LISTENING = `#!/usr/bin/python3
# SHAPED by the converge test bed: wait (at most 30 s) until something listens on TCP 2049.
import sys, time
def listening():
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(table) as f:
                next(f)
                for row in f:
                    cols = row.split()
                    if cols[1].rsplit(':', 1)[1] == '0801' and cols[3] == '0A':
                        return True
        except FileNotFoundError:
            pass
    return False
deadline = time.monotonic() + 30
while not listening():
    if time.monotonic() > deadline:
        sys.exit('nfs-server: nothing listens on port 2049 after 30 s')
    time.sleep(0.1)
`;

/** /etc/exports -> a Ganesha config (NFSv3+v4, VFS), one EXPORT per path. */
export const GANESHA_FROM_EXPORTS = `#!/usr/bin/python3
# SHAPED by the converge test bed: turns /etc/exports (and /etc/exports.d/*.exports)
# into an NFS-Ganesha configuration, because the kernel NFS server is not available.
import glob, shlex, sys
out = sys.argv[1]
lines = []
for path in ['/etc/exports'] + sorted(glob.glob('/etc/exports.d/*.exports')):
    try:
        with open(path) as f:
            for line in f:
                line = line.split('#', 1)[0].strip()
                if line:
                    lines.append(line)
    except FileNotFoundError:
        pass
# NFSv4 only: v3 needs rpcbind, which the shaped nfs packages do not start
conf = ['NFS_CORE_PARAM { Protocols = 4; Enable_NLM = false; Enable_RQUOTA = false; }', 'NFS_KRB5 { Active_krb5 = false; }', 'NFSV4 { Graceless = true; }', 'EXPORT_DEFAULTS { SecType = sys; }']
for n, line in enumerate(lines, start=1):
    words = shlex.split(line)
    path, clients = words[0], words[1:] or ['*']
    blocks = []
    for c in clients:
        host, _, opts = c.partition('(')
        opts = opts.rstrip(')').split(',') if opts else []
        access = 'RW' if 'rw' in opts else 'RO'
        squash = 'No_Root_Squash' if 'no_root_squash' in opts else ('All_Squash' if 'all_squash' in opts else 'Root_Squash')
        # the kernel's anonymous ids (65534 unless anonuid=/anongid=), not Ganesha's -2
        anon = dict(o.split('=', 1) for o in opts if o.startswith(('anonuid=', 'anongid=')))
        blocks.append('  CLIENT { Clients = %s; Access_Type = %s; Squash = %s; Anonymous_Uid = %s; Anonymous_Gid = %s; }' % (
            host or '*', access, squash, anon.get('anonuid', '65534'), anon.get('anongid', '65534')))
    conf.append('EXPORT {\\n  Export_Id = %d;\\n  Path = "%s";\\n  Pseudo = "%s";\\n  Access_Type = None;\\n  FSAL { Name = VFS; }\\n%s\\n}' % (n, path, path, '\\n'.join(blocks)))
with open(out, 'w') as f:
    f.write('\\n'.join(conf) + '\\n')
`;

/**
 * SHAPED: the distributions' named reads /etc/named.conf by default; Debian's
 * build reads /etc/bind/named.conf. The wrapper gives Debian's named the
 * distribution's default unless the command line names a file.
 */
export function namedWrapper(hidden: string): string {
  return `#!/bin/sh
# SHAPED by the converge test bed: the distribution's compiled-in default
# configuration file (/etc/named.conf) around Debian's named.
case " $* " in *" -c "*|*" -v "*|*" -V "*) exec ${hidden}/usr/sbin/named "$@";; esac
exec ${hidden}/usr/sbin/named -c /etc/named.conf "$@"
`;
}

// After Fedora's/Rocky's named.service (bind package).
export const NAMED_SERVICE_ROCKY = `[Unit]
Description=Berkeley Internet Name Domain (DNS)
Wants=nss-lookup.target
Before=nss-lookup.target
After=network.target

[Service]
Type=forking
Environment=NAMEDCONF=/etc/named.conf
EnvironmentFile=-/etc/sysconfig/named
PIDFile=/run/named/named.pid
ExecStartPre=/bin/bash -c 'if [ ! "$DISABLE_ZONE_CHECKING" == "yes" ]; then /usr/bin/named-checkconf -z "$NAMEDCONF"; else echo "Checking of zone files is disabled"; fi'
ExecStart=/usr/sbin/named -u named -c \${NAMEDCONF} $OPTIONS
# SHAPED: the real unit tries rndc reload first; the test bed has no rndc, and
# the real unit's fallback is this signal.
ExecReload=/bin/kill -HUP $MAINPID
PrivateTmp=true

[Install]
WantedBy=multi-user.target
`;

export const NAMED_CONF_ROCKY = `//
// named.conf
//
// Provided by Red Hat bind package to configure the ISC BIND named(8) DNS
// server as a caching only nameserver (as a localhost DNS resolver only).
//
options {
	listen-on port 53 { 127.0.0.1; };
	listen-on-v6 port 53 { ::1; };
	directory 	"/var/named";
	dump-file 	"/var/named/data/cache_dump.db";
	statistics-file "/var/named/data/named_stats.txt";
	allow-query     { localhost; };
	recursion yes;
};
`;

// Guess (SUSE): named.service after openSUSE's bind (forking, /etc/sysconfig/named).
export const NAMED_SERVICE_SUSE = `[Unit]
Description=Berkeley Internet Name Domain (DNS)
After=network.target
Wants=nss-lookup.target
Before=nss-lookup.target

[Service]
Type=forking
EnvironmentFile=/etc/sysconfig/named
# SHAPED: the real unit runs /usr/libexec/bind/named.prep first (checks the
# configuration files, creates /etc/rndc.key); not in the test bed.
ExecStart=/usr/sbin/named -u named $NAMED_ARGS
ExecReload=/usr/bin/kill -HUP $MAINPID

[Install]
WantedBy=multi-user.target
`;

export const NAMED_SYSCONFIG_SUSE = `## Path:	Network/DNS/Name Server
## Description:	Names server settings
## Type:	string
## Default:	""
# Additional arguments when starting the name daemon.
NAMED_ARGS=""
`;

export const NAMED_CONF_SUSE = `# Copyright (c) 2001-2004 SuSE Linux AG, Nuernberg, Germany.
# /etc/named.conf
options {
	directory "/var/lib/named";
	managed-keys-directory "/var/lib/named/dyn/";
	dump-file "/var/log/named_dump.db";
	statistics-file "/var/log/named.stats";
	listen-on-v6 { any; };
	notify no;
};
`;
