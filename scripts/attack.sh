#!/bin/sh
# Runs the network attack (compat-tests/attack/attack.py) against the
# libwebsockets-test-server of the CMake build in build/, over loopback:
# mutated handshakes and frame streams (52,000 cases), slowloris, 10,000
# idle connections, churn, clients that never read, resets mid-frame. After
# each batch the server must serve a fresh client within 1 s, be back to
# its baseline fds and RSS, and be idle. Exits non-zero on any failure or
# if the server dies.
#
#   sh scripts/attack.sh [scale]      default 1 (LWS_ATTACK_SCALE); 5 for
#                                     a longer local run, 0.1 for a quick one
#
# Deterministic (seed 11; --seed in attack.py changes it). The table goes
# to stdout; server log, each batch's outcome counts and the inputs of
# failed cases to build/attack/. The driver raises RLIMIT_NOFILE (hard
# limit included, as root) for itself and the server it starts.
set -eu
cd "$(dirname "$0")/.."
stage=build/stage
python=${LWS_VENV:-$PWD/build/venv}/bin/python
cmake --install build --prefix "$stage" > /dev/null
rm -rf build/attack
mkdir -p build/attack
LD_LIBRARY_PATH="$PWD/$stage/lib" "$python" compat-tests/attack/attack.py \
	--bin-dir "$stage/bin" --resource-dir "$stage/share/libwebsockets-test-server" \
	--artifacts build/attack --scale "${1:-${LWS_ATTACK_SCALE:-1}}"
