#!/bin/sh
# Runs every test: the Swift unit tests (swift test), then the CMake build of
# the Embedded Swift library and ctest (ABI, install and peer tests).
# Exits non-zero on any failure. Usable on a fresh Debian 12 machine.
set -eu
cd "$(dirname "$0")/.."
export LWS_VENV="$PWD/build/venv"
mkdir -p build
sh scripts/install-deps.sh
echo "== swift test"
swift test --parallel 2>&1 | tail -n 30
echo "== cmake build"
cmake -S . -B build -G Ninja -DLWS_PYTHON="$LWS_VENV/bin/python" >/dev/null
cmake --build build
echo "== ctest"
ctest --test-dir build --output-on-failure
