#!/bin/sh
# Installs what building and testing need on a fresh Debian 12 machine
# (idempotent: installs only what is missing), and the Python peer for the
# tests in a virtual environment at $LWS_VENV (default: build/venv).
# curl and chromium are real HTTP clients the compat-tests/py suite drives;
# nginx is the load balancer its test_nginx.py puts in front of our servers
# (started by the tests on loopback, with their own prefix directory);
# valgrind runs the memcheck and helgrind tests of compat-tests/unit;
# compat-tests/packages.sh builds the API reference with doxygen and the
# Debian packages with cpack (dpkg-dev's dpkg-shlibdeps computes their
# dependencies), checks them with lintian, and installs them beside Debian's
# libwebsockets17 (the 4.x runtime) to show both sonames coexist.
set -eu
need=""
for pkg in cmake ninja-build pkg-config gcc g++ libssl-dev zlib1g-dev curl chromium nginx python3-venv valgrind \
	doxygen dpkg-dev lintian libwebsockets17; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need="$need $pkg"
done
if [ -n "$need" ]; then
	echo "install-deps: apt-get install$need"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
if ! command -v swiftc >/dev/null 2>&1; then
	echo "install-deps: swiftc not found on PATH (Swift 6.3 toolchain required)" >&2
	exit 1
fi
# scripts/sanitizers.sh and scripts/fuzz.sh use the sanitizer and libFuzzer
# runtimes the swift.org toolchain bundles (Debian's clang packages would not
# match its compiler), so only check that they are there.
runtimes="$(dirname "$(command -v swiftc)")/../lib/clang"
for runtime in asan tsan fuzzer; do
	if ! ls "$runtimes"/*/lib/linux/libclang_rt.$runtime-*.a >/dev/null 2>&1; then
		echo "install-deps: the Swift toolchain has no libclang_rt.$runtime (use a swift.org Linux toolchain)" >&2
		exit 1
	fi
done
venv=${LWS_VENV:-build/venv}
if [ ! -x "$venv/bin/python" ]; then
	python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r compat-tests/py/requirements.txt
