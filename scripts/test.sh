#!/usr/bin/env bash
# Set up, build and run every test: the README's second command, and what CI runs.
#   scripts/test.sh            release build (-O2, line tables)
#   scripts/test.sh sanitize   the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/test.sh stress     the stress set: every library scenario swept over seeds 1..1000
#                              (KAFKASIM_STRESS_SEEDS=N for another count; see tests/stress/)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
scripts/install-deps.sh
if [ "$preset" = stress ] && [ -n "${KAFKASIM_STRESS_SEEDS:-}" ]; then
  cmake --preset stress -DKAFKASIM_STRESS_SEEDS="$KAFKASIM_STRESS_SEEDS" >/dev/null
else
  cmake --preset "$preset" >/dev/null
fi
cmake --build --preset "$preset"
ctest --preset "$preset" -j "$(nproc)"
