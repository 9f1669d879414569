#!/usr/bin/env bash
# Set up, build and run every test: the README's second command, and what CI runs.
#   scripts/test.sh            release build (-O2, line tables), then the fuzz targets for a
#                              bounded time (clang, the fuzz preset: 30 s each, both at once)
#   scripts/test.sh sanitize   the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/test.sh stress     the stress set: every library scenario swept over seeds 1..1000
#                              (KAFKASIM_STRESS_SEEDS=N for another count; see tests/stress/)
#   scripts/test.sh fuzz       only the fuzz targets
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
scripts/install-deps.sh
run_preset() {
  if [ "$1" = stress ] && [ -n "${KAFKASIM_STRESS_SEEDS:-}" ]; then
    cmake --preset stress -DKAFKASIM_STRESS_SEEDS="$KAFKASIM_STRESS_SEEDS" >/dev/null
  else
    cmake --preset "$1" >/dev/null
  fi
  cmake --build --preset "$1"
  ctest --preset "$1" -j "$(nproc)"
}
run_preset "$preset"
if [ "$preset" = default ]; then run_preset fuzz; fi
