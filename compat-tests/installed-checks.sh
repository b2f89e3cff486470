#!/bin/sh
# installed-checks.sh STAGE COMPAT_DIR WORK_DIR [PROGRAM...]
#
# Checks a staged install the way a C user meets it:
#  1. the ABI test program, compiled against the installed header found
#     through pkg-config, checks every measured 1.4 fact;
#  2. the exported symbol set, SONAME and dependencies of the installed .so;
#  3. a C++ translation unit including the header compiles and links with
#     `pkg-config --cflags --libs`;
#  3b. a program written the 1.4 way builds with -Werror exactly as it did
#     against 1.4's header (see legacy-style.c), with and without _DEBUG;
#  3c. lws_config.h is installed where the Cflags point and its feature
#     macros match the library (see lws-config.c);
#  4. a separate CMake project finds the package with find_package(CONFIG)
#     and links a program that runs;
#  5. pkg-config reports version 1.4.x;
#  6. bin/ holds exactly the PROGRAMs (the 1.4 test programs; none when
#     built with LWS_WITHOUT_TESTAPPS), and the test server's page is
#     installed exactly when they are.
set -eu
stage=$1
compat=$2
work=$3
shift 3
expected_programs=$(printf '%s\n' "$@" | sort)
rm -rf "$work"
mkdir -p "$work"
export PKG_CONFIG_PATH="$stage/lib/pkgconfig"
export LD_LIBRARY_PATH="$stage/lib"
. "$(dirname "$0")/steps.sh"

cflags=$(pkg-config --cflags libwebsockets)
libs=$(pkg-config --libs libwebsockets)

step "pkg-config version is 1.4.x" sh -c 'pkg-config --modversion libwebsockets | grep -q "^1\.4\(\.\|$\)"'
# shellcheck disable=SC2086
step "abi-check compiles (c99, pedantic, no warnings)" \
	gcc -std=c99 -Wall -Wextra -pedantic -Werror $cflags -o "$work/abi-check" "$compat/abi/abi-check.c"
step "abi-check passes" "$work/abi-check"
step "exports, SONAME and dependencies" \
	sh "$compat/abi/check-exports.sh" "$stage/lib/libwebsockets.so.5" "$compat/abi/expected-exports.txt"
# shellcheck disable=SC2086
step "C++ include compiles and links" \
	g++ -std=c++11 -Wall -Wextra -Werror $cflags -o "$work/cxx-include" "$compat/abi/cxx-include.cpp" $libs
step "C++ program runs" "$work/cxx-include"
legacy_flags="-std=gnu99 -Wall -Wextra -Wno-missing-field-initializers -Werror"
# shellcheck disable=SC2086
step "1.4-style program builds warning-free" \
	gcc $legacy_flags $cflags -o "$work/legacy-style" "$compat/abi/legacy-style.c" $libs
# shellcheck disable=SC2086
step "1.4-style program builds warning-free with _DEBUG" \
	gcc $legacy_flags -D_DEBUG $cflags -o "$work/legacy-style-debug" "$compat/abi/legacy-style.c" $libs
# shellcheck disable=SC2086
step "lws_config.h found through the Cflags" \
	gcc -std=gnu99 -Wall -Wextra -Werror $cflags -o "$work/lws-config" "$compat/abi/lws-config.c" $libs
step "lws_config.h matches the library" "$work/lws-config"
step "find_package consumer configures" \
	cmake -S "$compat/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$stage" -Wno-dev
step "find_package consumer builds" cmake --build "$work/consumer"
step "find_package consumer runs" "$work/consumer/lws-consumer"

installed_programs() {
	[ -d "$stage/bin" ] && ls -1 "$stage/bin" | sort
	return 0
}
step "bin/ holds exactly: $*" sh -c '[ "$1" = "$2" ] || { echo "installed: $2"; false; }' - \
	"$expected_programs" "$(installed_programs)"
if [ "$#" -gt 0 ]; then
	step "the test server's page is installed" test -f "$stage/share/libwebsockets-test-server/test.html"
else
	step "no test server page without programs" test ! -e "$stage/share/libwebsockets-test-server"
fi

steps_report installed-checks
