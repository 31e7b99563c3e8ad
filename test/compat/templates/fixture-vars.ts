// The variables every differential case sees: values of the shapes real
// playbooks template (names, addresses, lists of hosts and users, nested
// settings). Written as YAML so both tools load the very same text.

export const FIXTURE_VARS_YAML = `
s: "Hello World"
csv: "a,b,c"
n: 7
f: 2.5
whole: 3.0
sexa: 1:30.0
neg: -3
t: true
fl: false
none: null
lst: [3, 1, 2]
words: [b, a, c, a]
empty_list: []
empty_str: ""
empty_dict: {}
d: {b: 2, a: 1, c: 3}
nested: {x: {y: [1, {z: deep}]}}
users:
  - {name: alice, uid: 1001, groups: [wheel, users], shell: /bin/bash, active: true}
  - {name: bob, uid: 1002, groups: [users], shell: /bin/zsh, active: true}
  - {name: carol, uid: 1003, groups: [], shell: /bin/sh, active: false}
ip: 192.168.10.5
net: 192.168.10.0/24
path: /etc/nginx/conf.d/site.conf
version: "2.14.3"
num_str: "42"
float_str: "3.75"
mixed: [1, two, 3.5, null, true]
ports: [80, 443, 8080]
hostsdict: {web1: 10.0.0.1, web2: 10.0.0.2, db1: 10.0.1.1}
multiline: "line1\\nline2\\nline3"
spaced: "  padded text  "
html: "<b>bold</b> & more"
mode_str: "0644"
pkgs:
  Debian: [nginx, isc-dhcp-server]
  RedHat: [nginx, dhcp-server]
sizes: [1024, 1048576, 1500000000]
dup_dicts: [{k: 1}, {k: 1}, {k: 2}]
matrix: [[1, 2], [3, [4, 5]]]
lazy_missing: "{{ d.missing }}"
lazy_ok: "{{ d.a }}"
servers:
  - {host: web1, port: 80, tags: [web, prod]}
  - {host: web2, port: 8080, tags: [web]}
  - {host: db1, port: 5432, tags: [db, prod]}
`;
