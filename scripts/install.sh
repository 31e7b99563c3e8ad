#!/bin/bash
# Installs converge from this checkout on a Debian 12 machine: checks Node.js,
# installs the npm dependencies, builds, and puts `converge` on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
need="20.19.0"
have="$(node --version 2>/dev/null | sed 's/^v//' || true)"
if [ -z "$have" ] || [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]; then
  echo "converge needs Node.js >= $need (found: ${have:-none}); install it from https://nodejs.org or NodeSource" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
prefix="$(npm prefix -g)"
ln -sf "$PWD/dist/converge.mjs" "$prefix/bin/converge"
echo "converge installed: $prefix/bin/converge" >&2
