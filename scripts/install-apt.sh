#!/bin/bash
# Installs the Debian packages listed in a file (# comments),
# only those that are missing, so a second call costs nothing.
set -euo pipefail
list="$1"
# A line may name several packages, separated by blanks.
mapfile -t wanted < <(sed -e 's/#.*//' "$list" | tr -s '[:space:]' '\n' | sed '/^$/d')
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
  apt-get update -o DPkg::Lock::Timeout=600 -qq
fi
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
