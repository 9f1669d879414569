#!/usr/bin/env bash
# Set up, build, and run a library scenario with its report: the README's first command.
#   scripts/quickstart.sh [SCENARIO] [kafkasim run options...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default
scenario="${1:-leader-crash-acks-all}"
shift || true
out="out/${scenario}"
./build/default/kafkasim run "$scenario" --out "$out" "$@"
