#!/usr/bin/env bash
# Set up, build and run every test: the README's second command, and what CI runs.
#   scripts/test.sh            release build (-O2, line tables)
#   scripts/test.sh sanitize   the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" -j "$(nproc)"
