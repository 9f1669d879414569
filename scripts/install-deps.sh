#!/usr/bin/env bash
# Installs every Debian bookworm package kafkasim needs to build, test and draw its reports.
# Run as root (or with sudo). Safe to run again: apt skips what is already there.
set -euo pipefail

packages=(
  build-essential        # g++ 12 (C++20), make
  cmake                  # >= 3.22
  ninja-build            # the presets' generator
  nlohmann-json3-dev     # scenario files and reports
  catch2                 # tests (Catch2 v2, registered with CTest)
  libboost-dev           # Boost headers (gnuplot-iostream, the live gateway)
  libboost-iostreams-dev # gnuplot-iostream's pipe to gnuplot
  libboost-filesystem-dev
  libgnuplot-iostream-dev
  gnuplot-nox            # plots (PNG/SVG) in reports
  clang                  # the sanitize preset's compiler (libFuzzer is clang's)
  libfuzzer-14-dev       # libFuzzer (-fsanitize=fuzzer) for the fuzz targets of fuzz/
  libclang-rt-14-dev     # clang's ASan/UBSan runtimes, which the fuzz targets link
  chromium               # the test that renders report.html headless (reports_test.cpp)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
