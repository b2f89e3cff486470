#!/bin/sh
# Runs every test: the Swift unit tests (swift test), then the CMake build of
# the Embedded Swift library and ctest (ABI, install and peer tests), then
# the Debian packages and the API reference (built, installed, used and
# purged again by compat-tests/packages.sh), then the C unit and peer tests
# against a normal-Swift build of the library with exclusivity checks, then
# the network attack run, then the unit tests again under AddressSanitizer
# and ThreadSanitizer, then each fuzz target for LWS_FUZZ_SECONDS (default
# 60) seconds.
# Exits non-zero on any failure. Usable on a fresh Debian 12 machine.
set -eu
cd "$(dirname "$0")/.."
export LWS_VENV="$PWD/build/venv"
mkdir -p build

# Prints how long the step that just ended took, so CI logs show where the
# time goes.
step_started=$(date +%s)
step_done() {
	now=$(date +%s)
	echo "   ($1: $((now - step_started)) s)"
	step_started=$now
}

sh scripts/install-deps.sh
step_done install-deps
echo "== swift test"
# The full log goes to a file (it is long); a failure shows its tail and
# stops here, so no pipeline can hide swift test's exit status.
if ! swift test > build/swift-test.log 2>&1; then
	tail -n 80 build/swift-test.log
	echo "swift test failed (full log: build/swift-test.log)"
	exit 1
fi
grep -E "Executed [0-9]+ tests|Test run with" build/swift-test.log | tail -n 3
step_done "swift test"
echo "== cmake build"
cmake -S . -B build -G Ninja -DLWS_PYTHON="$LWS_VENV/bin/python" >/dev/null
cmake --build build
step_done "cmake build"
echo "== ctest"
ctest --test-dir build --output-on-failure
step_done ctest
echo "== packages"
sh compat-tests/packages.sh build/packages
step_done packages
sh scripts/exclusivity.sh
step_done exclusivity
echo "== attack"
sh scripts/attack.sh
step_done attack
sh scripts/sanitizers.sh
step_done sanitizers
sh scripts/fuzz.sh "${LWS_FUZZ_SECONDS:-60}"
step_done fuzz
