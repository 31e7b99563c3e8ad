#!/bin/bash
# converge playbooks/headnode.yaml --check on this machine, safe anywhere.
# The head node playbook refuses to run until the private cluster NIC carries
# the head node's address (inventory/group_vars/all.yml: eth1, 192.168.0.1).
# A build or laptop machine has no such NIC, so the dry run happens in a
# private network namespace that has one (a veth named eth1); everything else
# is this machine as it is. Needs root (unshare). Extra arguments go to converge.
set -euo pipefail
cd "$(dirname "$0")/.."
iface="${CLUSTER_IFACE:-eth1}"
addr="${CLUSTER_ADDR:-192.168.0.1/24}"
converge_bin="$(command -v converge || echo "$PWD/dist/converge.mjs")"
exec unshare -n -- sh -c '
  ip link set lo up
  ip link add "$1" type veth peer name "$1-peer"
  ip addr add "$2" dev "$1"
  ip link set "$1" up; ip link set "$1-peer" up
  shift 2
  exec "$@"
' sh "$iface" "$addr" "$converge_bin" playbooks/headnode.yaml --check "$@"
