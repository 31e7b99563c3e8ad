#!/bin/bash
# The whole test suite on a fresh Debian 12 machine: installs the apt packages
# the tests use, installs and builds converge, runs every test file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-apt.sh scripts/test-packages.txt
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
# Node 20 runs zero tests for a directory or a quoted glob: pass each file.
exec node --test --test-concurrency="${TEST_CONCURRENCY:-2}" "$@" "${files[@]}"
