#!/bin/sh
# compat-tests/packages.sh [BUILD_DIR]
#
# Builds the Debian packages and the API reference (cmake/DebianPackages.cmake,
# the docs target) in BUILD_DIR (default: build/packages), checks them with
# lintian (errors fail), installs them with dpkg -i, and checks them the way
# a user of an old program meets them, with no LD_LIBRARY_PATH and nothing
# from the build tree:
#  1. ldconfig -p lists libwebsockets.so.5 in the multiarch library dir;
#  2. a 1.4-style program (packages/dumb-increment-client.c) builds with
#     `pkg-config --cflags --libs libwebsockets` and loads the installed
#     libwebsockets.so.5;
#  3. it talks to the installed /usr/bin/libwebsockets-test-server;
#  4. Debian's libwebsockets17 (4.x), when installed, stays installed and
#     listed beside ours: sonames 5 and 17 side by side;
#  5. purging leaves no libwebsockets.so.5 behind.
# The packages are purged on every way out (trap): the machine is left as
# it was found.
#
# Debian's libwebsockets-dev (4.x) ships the same header and .so link as our
# -dev package, which therefore declares Conflicts. When it is installed (the
# benchmarks install it), the check makes sure dpkg refuses ours and leaves
# Debian's alone, and builds step 2 against our -dev unpacked into a scratch
# directory instead (its .pc file is relocatable).
#
# Needs root (dpkg -i) and what scripts/install-deps.sh installs. Prints one
# line per check, then "packages: N passed, M failed".
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build/packages}
mkdir -p "$build"
build=$(cd "$build" && pwd)
unset LD_LIBRARY_PATH

runtime=libwebsockets5
dev=libwebsockets5-dev
testapps=libwebsockets5-test-server
programs="libwebsockets-test-server libwebsockets-test-server-extpoll libwebsockets-test-echo
libwebsockets-test-client libwebsockets-test-ping libwebsockets-test-fraggle"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
# Purged or never seen: dpkg may keep a "not-installed" record of it.
absent() {
	case "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" in
	"" | *" not-installed") return 0 ;;
	*) return 1 ;;
	esac
}

if [ "$(id -u)" -ne 0 ]; then
	echo "packages: dpkg -i needs root" >&2
	exit 1
fi
for package in $runtime $dev $testapps; do
	if ! absent "$package"; then
		echo "packages: $package is already on this machine; purge it first (this check would remove it)" >&2
		exit 1
	fi
done

echo "packages: building in $build"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" --target websockets docs $programs
rm -f "$build"/*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb() { echo "$build/$1_"*.deb; }

work=$(mktemp -d)
server_pid=""
cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	dpkg --purge $testapps $dev $runtime >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

. "$src/compat-tests/steps.sh"

for package in $runtime $dev $testapps; do
	echo "packages: $(basename "$(deb $package)"), $(stat -c %s "$(deb $package)") bytes"
done
step "lintian finds no errors" lintian --fail-on error "$(deb $runtime)" "$(deb $dev)" "$(deb $testapps)"

multiarch=$(gcc -print-multiarch)
libdir=/usr/lib/$multiarch
# Where the dynamic linker finds it: /lib is /usr/lib on a merged-/usr
# system, and ldconfig may name either.
found_so5="=> \(/usr\)\?/lib/$multiarch/libwebsockets.so.5"
debian_dev_present=false
if installed libwebsockets-dev; then
	debian_dev_present=true
fi
debian_runtime_present=false
if installed libwebsockets17; then
	debian_runtime_present=true
fi

step "dpkg -i $runtime $testapps" dpkg -i "$(deb $runtime)" "$(deb $testapps)"
if $debian_dev_present; then
	echo "packages: Debian's libwebsockets-dev is installed: $dev must be refused"
	step "$dev declares Conflicts: libwebsockets-dev" \
		sh -c 'dpkg-deb -f "$1" Conflicts | grep -qw libwebsockets-dev' - "$(deb $dev)"
	step "dpkg -i $dev is refused" sh -c '! dpkg -i "$1" >/dev/null 2>&1' - "$(deb $dev)"
	step "Debian's libwebsockets-dev is still installed" installed libwebsockets-dev
	dpkg-deb -x "$(deb $dev)" "$work/dev-root"
	dpkg-deb -x "$(deb $runtime)" "$work/dev-root"
	export PKG_CONFIG_PATH="$work/dev-root/usr/lib/$multiarch/pkgconfig"
	dev_files=$(dpkg-deb -c "$(deb $dev)")
else
	step "dpkg -i $dev" dpkg -i "$(deb $dev)"
	dev_files=$(dpkg -L $dev 2>/dev/null || true)
fi
step "$dev carries the API reference" sh -c 'echo "$1" | grep -q "/usr/share/doc/libwebsockets/html/index.html"' - "$dev_files"

step "ldconfig -p lists $libdir/libwebsockets.so.5" \
	sh -c 'ldconfig -p | grep -q "libwebsockets.so.5 .*$1\$"' - "$found_so5"
if $debian_runtime_present; then
	step "Debian's libwebsockets17 is still installed" installed libwebsockets17
	step "ldconfig -p lists libwebsockets.so.17 beside it" sh -c 'ldconfig -p | grep -q "libwebsockets.so.17 "'
else
	echo "packages: Debian's libwebsockets17 is not installed: side by side not checked"
fi

cd "$work"
step "pkg-config finds version 1.4.0" sh -c '[ "$(pkg-config --modversion libwebsockets)" = 1.4.0 ]'
# shellcheck disable=SC2046
step "1.4-style program builds with pkg-config" \
	gcc -std=gnu99 -Wall -Wextra -Wno-missing-field-initializers -Werror -o "$work/dumb-increment-client" \
	"$src/compat-tests/packages/dumb-increment-client.c" $(pkg-config --cflags --libs libwebsockets)
step "it loads $libdir/libwebsockets.so.5" \
	sh -c 'ldd "$1" | grep -q "libwebsockets.so.5 $2 "' - "$work/dumb-increment-client" "$found_so5"
step "the installed test server loads it too" \
	sh -c 'ldd /usr/bin/libwebsockets-test-server | grep -q "libwebsockets.so.5 $1 "' - "$found_so5"

# The installed test server on a free port (retried: another process may
# take the port between the probe and the bind).
start_server() {
	for _ in 1 2 3 4 5; do
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		/usr/bin/libwebsockets-test-server --port "$port" 2>"$work/server.log" &
		server_pid=$!
		for _ in $(seq 100); do
			if grep -q "listening on port $port" "$work/server.log"; then
				return 0
			fi
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	done
	cat "$work/server.log"
	return 1
}
if step "installed test server starts" start_server; then
	step "the program talks to the installed test server" "$work/dumb-increment-client" "$port"
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null || true
	server_pid=""
fi

dpkg --purge $testapps $dev $runtime >/dev/null 2>&1 || true
step "purged: ldconfig -p no longer lists libwebsockets.so.5" sh -c '! ldconfig -p | grep -q "libwebsockets.so.5 "'
all_absent() {
	for package; do
		absent "$package" || return 1
	done
}
step "purged: no package of ours left" all_absent $runtime $dev $testapps
if $debian_runtime_present; then
	step "Debian's libwebsockets17 survived the purge" installed libwebsockets17
fi
if $debian_dev_present; then
	step "Debian's libwebsockets-dev survived the purge" installed libwebsockets-dev
fi

steps_report packages
