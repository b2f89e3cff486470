#!/bin/sh
# Installs what is needed, builds, installs into ./prefix and starts the test
# server on port 7681 (its page at http://localhost:7681/, with the
# dumb-increment and mirror protocols). Extra arguments go to the server.
set -eu
cd "$(dirname "$0")/.."
mkdir -p build
sh scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_INSTALL_PREFIX="$PWD/prefix" >/dev/null
cmake --build build
cmake --install build >/dev/null
echo "installed into $PWD/prefix: lib/libwebsockets.so.5, include/libwebsockets.h and lws_config.h, lib/pkgconfig/libwebsockets.pc, bin/libwebsockets-test-*"
exec "$PWD/prefix/bin/libwebsockets-test-server" --port 7681 "$@"
