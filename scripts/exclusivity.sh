#!/bin/sh
# Builds the library a second time, in normal (not Embedded) Swift with
# exclusivity checks on, as a test-only libwebsockets.so.5, and runs the C
# unit tests and a set of peer tests against it.
#
#   sh scripts/exclusivity.sh          (after the CMake build in build/)
#
# Why: the shipping .so is Embedded Swift, where `-enforce-exclusivity`
# checks compile to nothing, so an exclusive access held across a user
# callback that re-enters the library (a mutating method or inout access
# on a connection's state around a callback that calls libwebsocket_write)
# would silently corrupt memory in a user's process. Built here in normal
# Swift (-Onone, which also keeps every overflow and bounds check), such an
# access traps with "Simultaneous accesses to 0x..., but modification
# requires exclusive access" and fails the test.
#
# The library is SwiftPM's `websockets` product with the same SONAME and
# version script as the shipping one (a few Swift type metadata symbols
# stay exported besides the C API); it links the Swift runtime from the
# toolchain, so it is never installed. The test programs of build/ load it
# through LD_LIBRARY_PATH: CMake links them with RUNPATH, which
# LD_LIBRARY_PATH overrides, and the script checks with ldd that they do.
#
# Not run against it: the valgrind tests (the Swift runtime's metadata
# caches live until exit and would be reported) and a few slow peer tests
# (an unoptimised build inflates a 64 MiB bomb too slowly for their bounds).
#
# Logs: build/exclusivity/{build,ctest,peer}.log.
set -eu
cd "$(dirname "$0")/.."
out=build/exclusivity
lib="$PWD/$out/lib"
python=${LWS_VENV:-$PWD/build/venv}/bin/python
mkdir -p "$lib"
# A trap must end the process at once, not wait for the Swift backtracer.
export SWIFT_BACKTRACE=enable=no

# Names the library's functions in a failure's stack traces: the version
# script hides them from the dynamic symbol table, the debug info has them.
symbolize() {
	grep -o 'libwebsockets\.so\.5 *0x[0-9a-f]* <unavailable> + [0-9]*' "$1" |
		awk '{ print $NF }' | sort -u | head -n 40 | while read -r offset; do
		name=$(addr2line -f -e "$lib/libwebsockets.so.5" "$(printf '0x%x' "$offset")" |
			head -n 1 | swift demangle --simplified)
		echo "  libwebsockets.so.5 + $offset = $name"
	done
}

echo "== exclusivity: build (normal Swift, -enforce-exclusivity=checked)"
if ! swift build --scratch-path .build-exclusivity --product websockets \
	-Xswiftc -enforce-exclusivity=checked \
	-Xlinker -soname=libwebsockets.so.5 \
	-Xlinker "--version-script=$PWD/Sources/libwebsockets.map" > "$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	echo "exclusivity: build failed (full log: $out/build.log)"
	exit 1
fi
bin=$(swift build --scratch-path .build-exclusivity --show-bin-path)
cp "$bin/libwebsockets.so" "$lib/libwebsockets.so.5"
cmake --install build --prefix build/stage > /dev/null

# The tests must load this library, or they prove nothing.
for program in build/lws-unit-server-rx build/stage/bin/libwebsockets-test-server build/test-drivers/libwebsockets-test-tls-server; do
	loaded=$(LD_LIBRARY_PATH="$lib" ldd "$program")
	if ! echo "$loaded" | grep -q "libwebsockets.so.5 => $lib/libwebsockets.so.5" ||
		! echo "$loaded" | grep -q "libswiftCore.so"; then
		echo "$loaded"
		echo "exclusivity: $program would not load $lib/libwebsockets.so.5"
		exit 1
	fi
done

echo "== exclusivity: C unit tests"
if ! LD_LIBRARY_PATH="$lib" ctest --test-dir build -R '^unit-' -E 'memcheck|helgrind' \
	--output-on-failure > "$out/ctest.log" 2>&1; then
	tail -n 80 "$out/ctest.log"
	symbolize "$out/ctest.log"
	echo "exclusivity: C unit tests failed (full log: $out/ctest.log)"
	exit 1
fi
grep -E "tests passed|tests failed" "$out/ctest.log"

# Servers, clients, external poll, extensions, HTTP and TLS: every kind of
# callback that re-enters the library.
echo "== exclusivity: peer tests"
cd compat-tests/py
if ! LD_LIBRARY_PATH="$lib" LWS_BIN_DIR="$OLDPWD/build/stage/bin" \
	LWS_DRIVER_DIR="$OLDPWD/build/test-drivers" \
	LWS_RESOURCE_DIR="$OLDPWD/build/stage/share/libwebsockets-test-server" \
	LWS_ARTIFACT_DIR="$OLDPWD/$out" \
	"$python" -m pytest -q -p no:cacheprovider -k "not soak" \
	test_mirror.py test_frames.py test_lifecycle.py test_extpoll.py \
	test_ext_builtin.py test_http.py test_client_ours.py test_tls_server.py \
	> "$OLDPWD/$out/peer.log" 2>&1; then
	cd "$OLDPWD"
	tail -n 80 "$out/peer.log"
	symbolize "$out/peer.log"
	echo "exclusivity: peer tests failed (full log: $out/peer.log)"
	exit 1
fi
cd "$OLDPWD"
tail -n 1 "$out/peer.log"
