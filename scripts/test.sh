#!/usr/bin/env bash
# Set up, build and run every test: the README's second command, and what CI runs.
#   scripts/test.sh            release build (-O2, line tables) and every test
#   scripts/test.sh sanitize   clang with AddressSanitizer + UndefinedBehaviorSanitizer: every test
#                              again, and the two libFuzzer targets for a bounded time (30 s each)
#   scripts/test.sh fuzz       only the fuzz targets (the sanitize build)
#   scripts/test.sh stress     the stress set: every library scenario swept over seeds 1..1000
#                              (KAFKASIM_STRESS_SEEDS=N for another count; see tests/stress/)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-default}"
scripts/install-deps.sh
run_preset() {  # configure preset, build preset, test preset
  if [ "$1" = stress ] && [ -n "${KAFKASIM_STRESS_SEEDS:-}" ]; then
    cmake --preset stress -DKAFKASIM_STRESS_SEEDS="$KAFKASIM_STRESS_SEEDS" >/dev/null
  else
    cmake --preset "$1" >/dev/null
  fi
  cmake --build --preset "$2"
  ctest --preset "$3" -j "$(nproc)"
}
case "$preset" in
  fuzz) run_preset sanitize sanitize fuzz ;;
  *) run_preset "$preset" "$preset" "$preset" ;;
esac
