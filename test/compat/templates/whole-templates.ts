// Whole template files of the shapes real roles ship (config files of common
// daemons), over the values of fixture-vars.ts. The head node's own templates
// are added by the test from playbooks/templates.

export const WHOLE_TEMPLATES: Record<string, string> = {
  'hosts.j2': `# Managed by Ansible
127.0.0.1 localhost
{% for name, addr in hostsdict | dictsort %}
{{ addr }} {{ name }} {{ name }}.example.com
{% endfor %}
`,
  'sshd_config.j2': `Port {{ ports[0] + 2 - 60 }}
PermitRootLogin {{ 'yes' if t else 'no' }}
PasswordAuthentication {{ fl | ternary('yes', 'no') }}
AllowUsers {{ users | selectattr('active') | map(attribute='name') | join(' ') }}
{% if none is none %}
# no banner
{% endif %}
`,
  'resolv.conf.j2': `{% for s in ['10.0.0.53', '10.0.1.53'] %}
nameserver {{ s }}
{% endfor %}
search {{ ['example.com', 'lab.example.com'] | join(' ') }}
options timeout:{{ n // 3 }} attempts:{{ lst | length }}
`,
  'chrony.conf.j2': `{% for srv in servers %}
server {{ srv.host }} iburst{% if 'prod' in srv.tags %} prefer{% endif %}

{% endfor %}
driftfile /var/lib/chrony/drift
makestep {{ f }} {{ n - 4 }}
allow {{ net }}
`,
  'motd.j2': `Welcome to {{ s | lower | replace(' ', '-') }}
Users: {{ users | length }} ({{ users | map(attribute='name') | join(', ') }})
Version {{ version }} / major {{ version.split('.')[0] }}
`,
  'sysctl.conf.j2': `{% for k, v in {'net.ipv4.ip_forward': 1, 'vm.swappiness': 10, 'kernel.panic': n} | dictsort %}
{{ k }} = {{ v }}
{% endfor %}
`,
  'limits.conf.j2': `{% for u in users %}
{{ '%-10s' | format(u.name) }} soft nofile {{ 1024 * (loop.index) }}
{{ '%-10s' | format(u.name) }} hard nofile {{ 4096 * loop.index }}
{% endfor %}
`,
  'exports.j2': `{% for p in ['/home', '/srv/images'] %}
{{ p }} {{ net }}(rw,sync,no_subtree_check{% if loop.first %},no_root_squash{% endif %})
{% endfor %}
`,
  'nginx-site.j2': `server {
    listen {{ ports[0] }};
    server_name {{ hostsdict.keys() | sort | join(' ') }};
{% for srv in servers if srv.port != 80 %}
    location /{{ srv.host }}/ {
        proxy_pass http://{{ srv.host }}:{{ srv.port }};
    }
{% endfor %}
}
`,
  'haproxy.cfg.j2': `frontend main
    bind *:{{ ports[1] }}
    default_backend app
backend app
    balance roundrobin
{% for name, addr in hostsdict.items() | sort %}
{% if name.startswith('web') %}
    server {{ name }} {{ addr }}:{{ ports[2] }} check
{% endif %}
{% endfor %}
`,
  'sudoers.j2': `# {{ 'sudoers for ' ~ (users | selectattr('groups', 'contains', 'wheel') | list | length) ~ ' admins' }}
{% for u in users if 'wheel' in u.groups %}
{{ u.name }} ALL=(ALL) NOPASSWD: ALL
{% endfor %}
%users ALL=(ALL) /usr/bin/systemctl status *
`,
  'systemd-unit.j2': `[Unit]
Description={{ s }} service
After=network-online.target

[Service]
ExecStart=/usr/bin/app --port {{ ports[2] }} --workers {{ n }}
Environment="OPTS={{ words | unique | sort | join(',') }}"
Restart={{ 'always' if t else 'no' }}

[Install]
WantedBy=multi-user.target
`,
  'logrotate.j2': `{% for p in ['/var/log/app/*.log', '/var/log/web/*.log'] %}
{{ p }} {
    {{ 'daily' if loop.index is odd else 'weekly' }}
    rotate {{ n * loop.index }}
    compress
}
{% endfor %}
`,
  'fstab.j2': `# <fs> <mount> <type> <options> <dump> <pass>
{% for m in [{'src': 'UUID=abc', 'path': '/', 'fstype': 'ext4'}, {'src': 'server:/home', 'path': '/home', 'fstype': 'nfs', 'opts': 'rw,hard'}] %}
{{ m.src }} {{ m.path }} {{ m.fstype }} {{ m.opts | default('defaults') }} 0 {{ 1 if m.path == '/' else 0 }}
{% endfor %}
`,
  'dnsmasq.conf.j2': `interface=eth1
dhcp-range={{ net | ipaddr(100) | ipaddr('address') }},{{ net | ipaddr(200) | ipaddr('address') }},12h
{% for u in users %}
dhcp-host=02:00:00:00:00:{{ '%02x' | format(loop.index) }},{{ u.name }},{{ net | ipaddr(loop.index + 10) | ipaddr('address') }}
{% endfor %}
`,
  'slurm-nodes.j2': `{% for i in range(1, 4) %}
NodeName=node{{ '%03d' | format(i) }} CPUs={{ 2 ** i }} RealMemory={{ 1024 * i }} State=UNKNOWN
{% endfor %}
PartitionName=batch Nodes=node[001-003] Default=YES MaxTime={{ 24 * 60 }}
`,
  'json-config.j2': `{{ {'name': s, 'ports': ports, 'debug': fl, 'none': none} | to_nice_json }}
`,
  'yaml-config.j2': `{{ {'users': users | map(attribute='name') | list, 'net': net} | to_nice_yaml }}`,
  'ini-config.j2': `{% for section, keys in {'main': {'debug': fl, 'workers': n}, 'db': {'host': hostsdict.db1}} | dictsort %}
[{{ section }}]
{% for k, v in keys | dictsort %}
{{ k }} = {{ v }}
{% endfor %}

{% endfor %}
`,
  'env-file.j2': `{% for k, v in d | dictsort %}
{{ k | upper }}={{ v | quote }}
{% endfor %}
PATHS={{ [path | dirname, '/usr/bin'] | join(':') }}
`,
  'prometheus.yml.j2': `scrape_configs:
  - job_name: nodes
    static_configs:
      - targets:
{% for name in hostsdict | sort %}
          - "{{ name }}:9100"
{% endfor %}
`,
  'crontab.j2': `{% for job in [{'m': 5, 'cmd': '/usr/bin/backup'}, {'m': 30, 'h': 2, 'cmd': '/usr/bin/clean --all'}] %}
{{ job.m }} {{ job.h | default('*') }} * * * {{ job.cmd }}
{% endfor %}
`,
  'bashrc.j2': `# {{ 'generated' | upper }}
{% for alias, cmd in {'ll': 'ls -l', 'la': 'ls -A'} | dictsort %}
alias {{ alias }}='{{ cmd }}'
{% endfor %}
export PS1="[\\u@{{ s.split()[0] }} \\W]\\$ "
`,
  'keepalived.conf.j2': `vrrp_instance VI_1 {
    state {{ 'MASTER' if n > 5 else 'BACKUP' }}
    priority {{ 100 + n }}
    virtual_ipaddress {
        {{ net | ipaddr(250) }}
    }
}
`,
  'network-ifcfg.j2': `DEVICE=eth0
BOOTPROTO=static
IPADDR={{ ip }}
NETMASK={{ net | ipaddr('netmask') }}
GATEWAY={{ net | ipaddr(1) | ipaddr('address') }}
ONBOOT={{ t | ternary('yes', 'no') }}
`,
  'apt-sources.j2': `{% for comp in ['main', 'contrib'] %}
deb http://deb.debian.org/debian bookworm {{ comp }}{{ ' non-free' if loop.last else '' }}
{% endfor %}
`,
  'users-report.j2': `{% for u in users | sort(attribute='name') %}
{{ loop.index }}. {{ u.name | title }} (uid {{ u.uid }}) groups: {{ u.groups | join(',') | default('none', true) }}
{% endfor %}
total uid: {{ users | sum(attribute='uid') }}
`,
  'macro-config.j2': `{% macro option(name, value) -%}
{{ name }}={{ value | lower if value is string else value }}
{%- endmacro %}
{{ option('Mode', 'FAST') }}
{{ option('Count', n) }}
{{ option('Flag', t) }}
`,
  'whitespace.j2': `start
{%- if t %}
  joined
{%- endif %}

{% for x in lst -%}
[{{ x }}]
{%- endfor %}

end
`,
  'nested-loops.j2': `{% for s in servers %}
{{ s.host }}:
{% for tag in s.tags %}
  - {{ tag }}{{ ',' if not loop.last }}
{% endfor %}
{% endfor %}
`,
  'namespace.j2': `{% set ns = namespace(found=false, count=0) %}
{% for u in users %}
{% if u.active %}{% set ns.count = ns.count + 1 %}{% endif %}
{% if u.name == 'bob' %}{% set ns.found = true %}{% endif %}
{% endfor %}
found={{ ns.found }} count={{ ns.count }}
`,
  'grub-default.j2': `GRUB_TIMEOUT={{ n - 2 }}
GRUB_CMDLINE_LINUX="{{ ['console=ttyS0,115200', 'quiet'] | join(' ') }}{% if t %} nomodeset{% endif %}"
`,
  'python-values.j2': `list={{ words }}
dict={{ d }}
bool={{ t }} none={{ none }} float={{ f }} int={{ n }}
mixed={{ mixed }}
`,
  // Tuning files that derive numbers: floats print as Python prints them (4.0, 0.75).
  'postgresql.conf.j2': `# memory for {{ n }} connections
max_connections = {{ n * 10 }}
shared_buffers = {{ (sizes[1] / 4) | int }}kB
effective_cache_size = {{ (n * 0.75) | round(1) }}GB
work_mem_ratio = {{ 1 / 4 }}
checkpoint_completion_target = {{ 0.9 }}
random_page_cost = {{ f - 1.4 }}
autovacuum = {{ t | ternary('on', 'off') }}
listen_addresses = '{{ ([ip] + hostsdict.values() | list) | join(',') }}'
`,
  'my.cnf.j2': `[mysqld]
{% for k, v in {'port': 3306, 'skip_name_resolve': t, 'innodb_buffer_pool_size': (sizes[2] / 1024 / 1024) | round(2), 'log_bin': fl, 'bind_address': ip} | dictsort %}
{{ k }} = {{ v }}
{% endfor %}
[client]
port = {{ '%d' % 3306 }}
`,
  'named.conf.j2': `options {
  listen-on port 53 { {% for a in hostsdict.values() | sort %}{{ a }};{% if not loop.last %} {% endif %}{% endfor %} };
  forwarders { {{ ['10.0.0.53', '10.0.1.53'] | join('; ') }}; };
};
{% for name, addr in hostsdict | dictsort %}
zone "{{ name }}.example.com" IN {   // {{ loop.index }}/{{ loop.length }}{{ ' first' if loop.first else '' }}
  type master;
  file "db.{{ name }}";
};
{% endfor %}
`,
  'dhcpd-hosts.j2': `{% for item in hostsdict | dict2items | sort(attribute='key') %}
host {{ '{:<6}'.format(item.key) }} { fixed-address {{ item.value }}; }  # {{ '{:>3}'.format(loop.index) }}
{% endfor %}
`,
  'telegraf.conf.j2': `[agent]
  interval = {{ '%ds' | format(n + 3) }}
  hostname = {{ s | to_json }}
  round_interval = {{ t | lower }}
[[inputs.net]]
  interfaces = {{ ['eth0', 'eth1'] | to_json }}
[[outputs.influxdb]]
  urls = [{% for srv in servers if 'prod' in srv.tags %}"http://{{ srv.host }}:{{ srv.port }}"{{ ', ' if not loop.last }}{% endfor %}]
  timeout = "{{ f * 2 }}s"
`,
  'squid.conf.j2': `{%- for p in ports %}
acl Safe_ports port {{ p }}   # {{ loop.cycle('odd', 'even') }}
{%- endfor %}

{% for u in users -%}
acl {{ u.name }}_src src {{ net | replace('0/24', (loop.index * 10) | string) }}
{% endfor -%}
http_access deny !Safe_ports
cache_mem {{ (sizes[1] // 1024) }} MB
`,
  'grafana.ini.j2': `{% for k, v in d | dictsort %}
{{ '%-10s = %s' % (k, v) }}
{% endfor %}
ratio = {{ '%.2f' % (n / 3) }}
percent = {{ '%5.1f%%' % (f * 10) }}
padded = {{ '%05d|%-4s|%x' % (n, 'ab', 255) }}
`,
  'rsyslog.conf.j2': `{% set remote = hostsdict.get('log1') %}
{% if remote is none and hostsdict.db1 is defined %}
*.* @@{{ hostsdict.db1 }}:514
{% elif remote %}
*.* @@{{ remote }}:514
{% else %}
# no remote logging
{% endif %}
{% for u in users if u.active %}
:programname, isequal, "{{ u.name }}" /var/log/{{ u.name }}.log{% if loop.previtem is defined %}  # after {{ loop.previtem.name }}{% endif %}

{% endfor %}
$MaxMessageSize {{ 64 * 1024 }}
$ActionQueueSize {{ 1e4 | int }}
`,
  'inventory.ini.j2': `{% for port, group in servers | groupby('port') %}
[port_{{ port }}]
{% for srv in group %}
{{ srv.host }} ansible_port={{ srv.port }} tags={{ srv.tags | join(',') }}
{% endfor %}
{% endfor %}
[all:vars]
ansible_python_interpreter=/usr/bin/python3
timeout={{ (f * 4) | int }}
`,
  'nftables.conf.j2': `table inet filter {
  set allowed_ports {
    type inet_service
    elements = { {{ ports | map('string') | join(', ') }} }
  }
  chain input {
    type filter hook input priority 0; policy drop;
{% for srv in servers %}
    ip saddr {{ hostsdict[srv.host] }} tcp dport {{ srv.port }} accept  # {{ srv.host | upper }} {{ srv.tags | first }}
{% endfor %}
    counter comment "{{ '{} rules, {:.1f} per host'.format(servers | length, (servers | length) / (hostsdict | length)) }}"
  }
}
`,
};
