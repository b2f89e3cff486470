#!/bin/sh
# bench/run.sh - our library against libwebsockets 4.x, side by side
#
# Installs what it needs (Debian packages, among them libwebsockets-dev for
# the reference programs and wrk), builds our library and test programs
# with CMake in its own build directory, builds the load generator, the
# reference servers and clients (bench/*.c), then measures row by row, each
# row on a freshly started server pinned to CPU 0 with the load pinned to
# CPU 1, and prints one Markdown table per group with the two side by side.
# Echo rows also run the floor (bench/floor-echo.c, no library) and, when
# BENCH_UWS is given, uWebSockets (bench/echo-uws.cpp).
# See bench/README.md.
#
# Environment:
#   BENCH_ROWS       groups to run (default all: "echo idle client wss
#                    deflate http")
#   BENCH_SECONDS    seconds of load per row (default 5)
#   BENCH_BUILD_DIR  where everything is built (default bench/.build)
#   BENCH_PORT       first TCP port to use (default 17700; one per server
#                    start after that)
#   BENCH_IDLE       idle-connection rows (default "1000 10000")
#   BENCH_LWS4_ARGS  extra options for echo-lws4 (e.g. "--tx-packet 65536")
#   BENCH_UWS        a uWebSockets source tree with uSockets in its
#                    uSockets/ folder (echo-uws.cpp is built against it), or
#                    an echo server binary that takes echo-uws's options;
#                    unset: no uWS rows
#   BENCH_REPEAT     runs of each row, interleaved across the servers; the
#                    report shows each server's median run (default 1)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
groups=${BENCH_ROWS:-"echo idle client wss deflate http"}
secs=${BENCH_SECONDS:-5}
build=${BENCH_BUILD_DIR:-$here/.build}
port=${BENCH_PORT:-17700}
idle_rows=${BENCH_IDLE:-"1000 10000"}
lws4_args=${BENCH_LWS4_ARGS:-}
uws=${BENCH_UWS:-}
repeat=${BENCH_REPEAT:-1}

say() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

for g in $groups; do
	case $g in
	echo | idle | client | wss | deflate | http) ;;
	*) die "unknown group '$g' in BENCH_ROWS (echo idle client wss deflate http)" ;;
	esac
done
case $repeat in
'' | *[!0-9]* | 0) die "BENCH_REPEAT must be a positive number" ;;
esac
# want GROUP: whether BENCH_ROWS asks for it.
want() { case " $groups " in *" $1 "*) return 0 ;; esac; return 1; }

# --- what the run needs ---------------------------------------------------

need=""
for pkg in cmake ninja-build pkg-config gcc libssl-dev zlib1g-dev \
	   libwebsockets-dev util-linux openssl wrk curl; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
		grep -q "install ok installed" || need="$need $pkg"
done
if [ -n "$need" ]; then
	say "apt-get install$need"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
if ! command -v swiftc >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swiftc ]; then
	PATH=/opt/swift/usr/bin:$PATH
fi
command -v swiftc >/dev/null 2>&1 || die "swiftc not found (Swift 6.3 needed)"

# --- builds ---------------------------------------------------------------

mkdir -p "$build"
say "building our library, libwebsockets-test-echo and -test-server in $build/ours"
cmake -S "$root" -B "$build/ours" -G Ninja -DCMAKE_BUILD_TYPE=Release \
	>"$build/cmake.log" 2>&1 || { tail -20 "$build/cmake.log"; die "cmake failed"; }
cmake --build "$build/ours" --target libwebsockets-test-echo \
	libwebsockets-test-server \
	>>"$build/cmake.log" 2>&1 || { tail -40 "$build/cmake.log"; die "build failed"; }
# Where a target landed (the tree's layout may move it): ask ninja.
built() {
	rel=$(ninja -C "$build/ours" -t query "$1" |
		awk '/input: phony/ { getline; print $1; exit }')
	echo "$build/ours/${rel:-$1}"
}
ours_bin=$(built libwebsockets-test-echo)
ours_http_bin=$(built libwebsockets-test-server)
[ -x "$ours_bin" ] || die "built test-echo not found at $ours_bin"
[ -x "$ours_http_bin" ] || die "built test-server not found at $ours_http_bin"
ours_lib_dir=$build/ours
[ -e "$ours_lib_dir/libwebsockets.so" ] || die "no libwebsockets.so in $ours_lib_dir"

say "building loadgen"
cc -O3 -Wall -Wextra -o "$build/loadgen" "$here/loadgen.c" -lssl -lcrypto -lz
loadgen=$build/loadgen

# Our client: our header, our library, found at run time by its rpath.
say "building client-ours against our library"
cc -O2 -Wall -Wextra -I"$root/include" -o "$build/client-ours" \
	"$here/client-ours.c" -L"$ours_lib_dir" -lwebsockets \
	-Wl,-rpath,"$ours_lib_dir"

# The reference programs are compiled against the SYSTEM libwebsockets
# only: the system's pkg-config search path, nothing of ours on any
# include or library path.
say "building echo-lws4, http-lws4 and client-lws4 against the system libwebsockets"
lws4_flags=$(env -u PKG_CONFIG_PATH -u PKG_CONFIG_LIBDIR -u PKG_CONFIG_SYSROOT_DIR \
	pkg-config --cflags --libs libwebsockets)
lws4_version=$(env -u PKG_CONFIG_PATH -u PKG_CONFIG_LIBDIR -u PKG_CONFIG_SYSROOT_DIR \
	pkg-config --modversion libwebsockets)
case $lws4_version in
4.*) ;;
*) die "system libwebsockets is $lws4_version, not 4.x" ;;
esac
for prog in echo-lws4 http-lws4 client-lws4; do
	# shellcheck disable=SC2086 # the flags are words
	env -u CPATH -u C_INCLUDE_PATH -u LIBRARY_PATH \
		cc -O2 -Wall -Wextra -o "$build/$prog" "$here/$prog.c" $lws4_flags
done
lws4_bin=$build/echo-lws4
lws4_http_bin=$build/http-lws4

say "building floor-echo"
cc -O3 -Wall -Wextra -o "$build/floor-echo" "$here/floor-echo.c" -lcrypto
floor_bin=$build/floor-echo

# uWebSockets, only from a tree (or binary) the user hands us: nothing of it
# is in this repository.  uSockets is compiled here, in our build
# directory, with OpenSSL for the wss rows; the user's tree is only read.
uws_bin=""
if [ -n "$uws" ]; then
	if [ -f "$uws" ] && [ -x "$uws" ]; then
		uws_bin=$uws
	elif [ -f "$uws/src/App.h" ] && [ -f "$uws/uSockets/src/libusockets.h" ]; then
		say "building echo-uws against $uws"
		rm -rf "$build/uws"
		mkdir -p "$build/uws"
		us=$uws/uSockets/src
		(
			cd "$build/uws" &&
			cc -O3 -flto -std=c11 -DLIBUS_USE_OPENSSL -I"$us" -c \
				"$us"/*.c "$us"/eventing/*.c "$us"/crypto/*.c &&
			c++ -O3 -flto -std=c++17 -DLIBUS_USE_OPENSSL -I"$us" -c \
				"$us"/crypto/*.cpp &&
			c++ -O3 -flto -std=c++20 -DLIBUS_USE_OPENSSL -I"$uws/src" -I"$us" \
				-o "$build/echo-uws" "$here/echo-uws.cpp" ./*.o \
				-lssl -lcrypto -lz
		) >"$build/uws.log" 2>&1 || { tail -20 "$build/uws.log"; die "echo-uws build failed"; }
		uws_bin=$build/echo-uws
	else
		die "BENCH_UWS=$uws is neither an executable nor a uWebSockets tree with uSockets/"
	fi
else
	say "BENCH_UWS not set: no uWebSockets rows (see bench/README.md)"
fi
# The echo servers of the plain rows: the floor always, uWS when given.
peers="lws4 floor${uws_bin:+ uws}"

# Each binary must load the library it was built for.
for b in "$ours_bin" "$ours_http_bin" "$build/client-ours"; do
	ldd "$b" | grep -q "libwebsockets.so.5 => $ours_lib_dir/" ||
		die "$b does not load $ours_lib_dir/libwebsockets.so.5"
done
for b in "$lws4_bin" "$lws4_http_bin" "$build/client-lws4"; do
	if ldd "$b" | grep -q "libwebsockets.so.5 "; then
		die "$b loads a libwebsockets.so.5 (ours?)"
	fi
done
lws4_so=$(ldd "$lws4_bin" | sed -n 's/.*\(libwebsockets\.so\.[0-9]*\) => .*/\1/p')

# A certificate for the wss rows, both servers the same: RSA 2048,
# self-signed (the load generator does not check it).
tls_dir=$build/tls
if want wss && [ ! -s "$tls_dir/cert.pem" ]; then
	mkdir -p "$tls_dir"
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
		-keyout "$tls_dir/key.pem" -out "$tls_dir/cert.pem" \
		>"$tls_dir/openssl.log" 2>&1 || die "openssl req failed"
fi

# The files the HTTP rows fetch; .html because our test-server serves only
# the file types of its test page.
www=$build/www
if want http; then
	mkdir -p "$www"
	for kib in 1 100; do
		[ "$(stat -c %s "$www/${kib}k.html" 2>/dev/null || echo 0)" -eq $((kib * 1024)) ] ||
			head -c $((kib * 1024)) /dev/urandom | od -An -tx1 -v | tr -d ' \n' |
			head -c $((kib * 1024)) >"$www/${kib}k.html"
	done
fi

# --- the machine ----------------------------------------------------------

# 10,000 idle connections need 10,000 descriptors in each process.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit=$(ulimit -n)

ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then
	pin_server="taskset -c 0"
	pin_client="taskset -c 1"
else
	say "only $ncpu CPU: server and load are not pinned"
	pin_server=""
	pin_client=""
fi
clk_tck=$(getconf CLK_TCK)

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$build/results-$stamp
mkdir -p "$out"
rows=$out/rows.tsv
: >"$rows"

# --- one server run -------------------------------------------------------

srv_pid=""
srv_log=""
srv_port=""
# Extra options for the next start_server (reset by run_*).
srv_args=""

# start_server SERVER LABEL: starts a fresh server, waits until it accepts.
# SERVER is ours or lws4 (echo), ours-http or lws4-http (files).
start_server() {
	port=$((port + 1))
	srv_port=$port
	srv_log=$out/$2.server.log
	case $1 in
	ours)
		# shellcheck disable=SC2086
		$pin_server "$ours_bin" --port "$srv_port" -d 3 $srv_args \
			>"$srv_log" 2>&1 &
		;;
	lws4)
		# shellcheck disable=SC2086
		$pin_server "$lws4_bin" -p "$srv_port" $lws4_args $srv_args \
			>"$srv_log" 2>&1 &
		;;
	ours-http)
		$pin_server "$ours_http_bin" --port "$srv_port" -r "$www" -d 3 \
			>"$srv_log" 2>&1 &
		;;
	lws4-http)
		$pin_server "$lws4_http_bin" -p "$srv_port" -r "$www" \
			>"$srv_log" 2>&1 &
		;;
	floor)
		$pin_server "$floor_bin" -p "$srv_port" >"$srv_log" 2>&1 &
		;;
	uws)
		# shellcheck disable=SC2086
		$pin_server "$uws_bin" -p "$srv_port" $srv_args >"$srv_log" 2>&1 &
		;;
	esac
	srv_pid=$!
	if ! "$loadgen" -p "$srv_port" --wait 10 2>>"$srv_log"; then
		kill -KILL "$srv_pid" 2>/dev/null || true
		wait "$srv_pid" 2>/dev/null || true
		tail -5 "$srv_log" >&2
		die "$1 server did not start on port $srv_port"
	fi
}

# stop_server: SIGTERM, then SIGKILL after 5 s.  Sets srv_state to what
# happened: "ok", "died(STATUS)" if it was gone before we asked, "hung" if
# it ignored SIGTERM, "exit(STATUS)" if it exited badly.  (Not in a $(...)
# subshell: only this shell can wait for the server.)
stop_server() {
	status=0
	if ! kill -0 "$srv_pid" 2>/dev/null; then
		wait "$srv_pid" || status=$?
		srv_state="died($status)"
		return
	fi
	kill -TERM "$srv_pid"
	i=0
	while kill -0 "$srv_pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$srv_pid" 2>/dev/null; then
		kill -KILL "$srv_pid" 2>/dev/null || true
		wait "$srv_pid" 2>/dev/null || true
		srv_state="hung"
		return
	fi
	wait "$srv_pid" || status=$?
	if [ "$status" -ne 0 ]; then
		srv_state="exit($status)"
	else
		srv_state="ok"
	fi
}

# server_cpu_us: the running server's utime + stime, in microseconds.
server_cpu_us() {
	sed 's/.*) //' "/proc/$srv_pid/stat" 2>/dev/null |
		awk -v tck="$clk_tck" '{ printf "%.0f", ($12 + $13) * 1e6 / tck }'
}

# field NAME LINE: the value of NAME=... in a RESULT line ("-" if absent).
field() {
	v=$(printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p")
	echo "${v:--}"
}

# record KIND TAG NAME LOG: appends the row's RESULT line to rows.tsv.
record() {
	result=$(grep '^RESULT' "$4" | tail -1 || true)
	[ -n "$result" ] || result="RESULT missing"
	errors=$(field errors "$result")
	if [ "$errors" != "0" ] || [ "$srv_state" != "ok" ]; then
		say "$2 $3: errors=$errors server=$srv_state (see $4, $srv_log)"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$srv_state" \
		"$result" "$4" "$srv_log" >>"$rows"
	srv_args=""
}

# run_row KIND SERVER TAG LOADGEN-ARGS...: one fresh server, one loadgen
# run.  The row's name is SERVER, or $row_name if set (a variant).
row_name=""
run_row() {
	kind=$1
	server=$2
	tag=$3
	shift 3
	name=${row_name:-$server}
	start_server "$server" "$tag.$name"
	log=$out/$tag.$name.loadgen.log
	# shellcheck disable=SC2086
	$pin_client "$loadgen" -p "$srv_port" --server-pid "$srv_pid" "$@" \
		>"$log" 2>&1 || true
	stop_server
	record "$kind" "$tag" "$name" "$log"
	row_name=""
}

# run_client CLIENT SERVER TAG CLIENT-ARGS...: our or the 4.x client
# program against a fresh echo server of either kind.
run_client() {
	client=$1
	server=$2
	tag=$3
	shift 3
	start_server "$server" "$tag.$client"
	log=$out/$tag.$client.client.log
	timeout 300 $pin_client "$build/client-$client" -p "$srv_port" "$@" \
		>"$log" 2>&1 || true
	stop_server
	record client "$tag" "$client" "$log"
}

# run_http SERVER TAG FILE CONNS: wrk against a fresh file server; the
# RESULT line is made here from wrk's report and the server's /proc.
run_http() {
	server=$1
	tag=$2
	file=$3
	conns=$4
	name=${server%-http}
	start_server "$server" "$tag.$name"
	log=$out/$tag.$name.wrk.log
	url=http://127.0.0.1:$srv_port/$file
	# Keep-alive: the second of two requests in one curl must reuse the
	# first one's connection (num_connects 0).
	ka=$(curl -s -o /dev/null -o /dev/null \
		-w '%{http_code}:%{num_connects}:%{size_download} ' "$url" "$url" || true)
	size=$(stat -c %s "$www/$file")
	case $ka in
	"200:1:$size 200:0:$size ") keepalive=yes ;;
	"200:1:$size 200:1:$size ") keepalive=no ;;
	*) keepalive="bad($ka)" ;;
	esac
	cpu0=$(server_cpu_us)
	$pin_client wrk -t1 -c "$conns" -d "${secs}s" --latency "$url" >"$log" 2>&1 || true
	cpu1=$(server_cpu_us)
	stop_server
	awk -v conns="$conns" -v file="$file" -v size="$size" -v ka="$keepalive" \
	    -v cpu0="${cpu0:-x}" -v cpu1="${cpu1:-x}" '
	function us(v) {
		if (v ~ /us$/) return v + 0
		if (v ~ /ms$/) return v * 1000
		if (v ~ /s$/) return v * 1e6
		return -1
	}
	/ requests in / { reqs = $1 }
	/^Requests\/sec:/ { rps = $2 }
	$1 == "99%" { p99 = us($2) }
	$1 == "50%" { p50 = us($2) }
	/Socket errors:/ { gsub(",", ""); sock = $4 + $6 + $8 + $10 }
	/Non-2xx or 3xx responses:/ { non2xx = $NF }
	END {
		cpu = cpu0 ~ /^[0-9]+$/ && cpu1 ~ /^[0-9]+$/ ? cpu1 - cpu0 : -1
		errs = (reqs == "" ? 1 : 0) + sock + non2xx + (ka == "yes" ? 0 : 1)
		per = cpu >= 0 && reqs > 0 ? cpu / reqs : -1
		printf("RESULT mode=http file=%s size=%d conns=%d reqs=%d reqs_per_s=%.0f p50_us=%.0f p99_us=%.0f server_cpu_us=%d server_cpu_us_per_req=%.2f keepalive=%s socket_errors=%d non2xx=%d errors=%d\n",
			file, size, conns, reqs, rps, p50, p99, cpu, per, ka, sock,
			non2xx, errs)
	}' "$log" >>"$log"
	record http "$tag" "$name" "$log"
}

# --- the rows -------------------------------------------------------------

say "groups: $groups; results in $out"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)

# each_run NAME...: the names, BENCH_REPEAT times over, interleaved, so a
# burst of load from elsewhere on the machine hits every server alike.
each_run() {
	r=0
	while [ $r -lt "$repeat" ]; do
		echo "$@"
		r=$((r + 1))
	done
}

if want echo; then
	# size conns window: the 64 B and 16 KiB grid, then the shapes of
	# issue 12's table (an MTU's worth, 64 KiB, 1 MiB).
	for shape in "64 1 1" "64 1 8" "64 100 1" "64 100 8" \
		     "16384 1 1" "16384 1 8" "16384 100 1" "16384 100 8" \
		     "1400 10 1" "65536 4 1" "1048576 2 1"; do
		# shellcheck disable=SC2086
		set -- $shape
		tag=load-s$1-c$2-w$3
		for name in $(each_run ours $peers); do
			say "$tag $name"
			run_row load "$name" "$tag" -c "$2" -s "$1" -w "$3" -d "$secs"
		done
	done

	# Not only a speed row: a correctness check under flow control.  With
	# 256 messages in flight per connection both libraries queue more
	# than 16 replies and pause their input (libwebsocket_rx_flow_control
	# / lws_rx_flow_control), so this row fails if a library loses,
	# reorders or corrupts input held back while a connection is paused.
	tag=load-s64-c10-w256
	for name in $(each_run ours $peers); do
		say "$tag $name"
		run_row load "$name" "$tag" -c 10 -s 64 -w 256 -d "$secs"
	done
fi

if want idle; then
	for n in $idle_rows; do
		tag=idle-$n
		if [ "$fd_limit" -lt $((n + 64)) ]; then
			say "skipping $tag: only $fd_limit descriptors allowed"
			continue
		fi
		for name in $(each_run ours $peers); do
			say "$tag $name"
			run_row idle "$name" "$tag" --idle "$n" --hold 2 -s 64
		done
	done
fi

if want client; then
	# A fixed number of messages per row, about BENCH_SECONDS' worth for
	# the slower of the two clients.
	for sw in "64 1 20000" "64 8 200000" "16384 1 10000" "16384 8 40000"; do
		# shellcheck disable=SC2086
		set -- $sw
		count=$(($3 * secs / 5))
		[ "$count" -ge 100 ] || count=100
		for server in ours lws4; do
			tag=client-s$1-w$2-srv-$server
			for client in $(each_run ours lws4); do
				say "$tag client $client"
				run_client "$client" "$server" "$tag" -s "$1" -w "$2" \
					-n "$count"
			done
		done
	done
fi

if want wss; then
	tls_ours="--ssl --ssl-cert $tls_dir/cert.pem --ssl-key $tls_dir/key.pem"
	tls_lws4="--ssl-cert $tls_dir/cert.pem --ssl-key $tls_dir/key.pem"
	tls_uws=$tls_lws4
	# The floor speaks no TLS.
	tls_peers="lws4${uws_bin:+ uws}"
	for size in 64 16384; do
		for conns in 1 100; do
			tag=wss-s$size-c$conns-w8
			for name in $(each_run ours $tls_peers); do
				say "$tag $name"
				eval "srv_args=\$tls_$name"
				run_row wss "$name" "$tag" --tls -c "$conns" \
					-s "$size" -w 8 -d "$secs"
			done
		done
	done
	# Not a speed row: flow control over TLS, as load-s64-c10-w256 is in
	# plain text.  Input held back while a connection is paused may sit
	# decrypted inside OpenSSL, where poll() cannot see it: a library
	# that does not look there when input resumes leaves echoes stuck
	# until the peer sends again (lost echoes, then stray ones).
	tag=wss-s64-c10-w256
	for name in $(each_run ours $tls_peers); do
		say "$tag $name"
		eval "srv_args=\$tls_$name"
		run_row wss "$name" "$tag" --tls -c 10 -s 64 -w 256 -d "$secs" \
			--timeout 5
	done
	# Opening handshakes, plain for scale and over TLS; every TLS one a
	# full handshake (no resumption).
	for transport in ws wss; do
		for conns in 1 8; do
			tag=hs-$transport-c$conns
			names="ours $peers"
			[ "$transport" = wss ] && names="ours $tls_peers"
			# shellcheck disable=SC2086
			for name in $(each_run $names); do
				say "$tag $name"
				tls=""
				if [ "$transport" = wss ]; then
					eval "srv_args=\$tls_$name"
					tls=--tls
				fi
				# shellcheck disable=SC2086
				run_row hs "$name" "$tag" $tls --handshakes \
					-c "$conns" -d "$secs"
			done
		done
	done
fi

if want deflate; then
	# 16 KiB of JSON-like text, permessage-deflate offered and required.
	# lws4: the library's defaults (zlib level 1, 1 KiB inflate buffer);
	# lws4-l4: level 4 as ours (Connection.deflateLevel) and 64 KiB
	# buffers, which also keeps 4.1's inflate working with more than one
	# connection;
	# uws: a dedicated compressor per connection (zlib's default level).
	for conns in 1 10; do
		tag=deflate-s16384-c$conns-w8
		for name in $(each_run ours lws4 lws4-l4${uws_bin:+ uws}); do
			say "$tag $name"
			server=$name
			case $name in
			lws4 | uws) srv_args=--deflate ;;
			lws4-l4)
				server=lws4
				row_name=lws4-l4
				srv_args="--deflate --rx-buffer 65536"
				srv_args="$srv_args --deflate-option compression_level=4"
				srv_args="$srv_args --deflate-option rx_buf_size=16"
				;;
			esac
			run_row deflate "$server" "$tag" --deflate --payload json \
				-c "$conns" -s 16384 -w 8 -d "$secs" --timeout 5
		done
	done
fi

if want http; then
	for file in 1k.html 100k.html; do
		for conns in 1 50; do
			tag=http-${file%.html}-c$conns
			for server in $(each_run ours-http lws4-http); do
				say "$tag ${server%-http}"
				run_http "$server" "$tag" "$file" "$conns"
			done
		done
	done
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
t1=$(date +%s)

# --- the report -----------------------------------------------------------

report=$out/report.md
{
	echo "## Benchmark: ours vs libwebsockets $lws4_version"
	echo
	echo "- ours: libwebsockets.so.5 (Swift) at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') ($(git -C "$root" status --porcelain 2>/dev/null | grep -q . && echo 'with uncommitted changes' || echo 'clean tree')): \`libwebsockets-test-echo\`, \`libwebsockets-test-server\`, \`bench/client-ours\`"
	echo "- theirs: the system $lws4_so ($lws4_version): \`bench/echo-lws4\`${lws4_args:+ (options \`$lws4_args\`)}, \`bench/http-lws4\`, \`bench/client-lws4\`"
	echo "- also: the floor, \`bench/floor-echo\` (no library); uWebSockets: $(if [ -n "$uws" ]; then echo "\`$uws_bin\` (from $uws)"; else echo "not run (BENCH_UWS unset)"; fi)"
	echo "- groups: $groups; $secs s per load row, $repeat run(s) of each; server on CPU 0, load on CPU 1 ($ncpu CPUs: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)); kernel $(uname -r)"
	echo "- load average before/after: $load_before / $load_after; whole run $((t1 - t0)) s; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "CPU figures are the measured process's utime+stime over the run divided by what it did; a CPU ratio < 1 means ours is cheaper, a rate ratio > 1 means ours is faster."
	awk -F '\t' -v OFS='' '
	function f(line, name,    n, i, kv) {
		n = split(line, kv, " ")
		for (i = 1; i <= n; i++)
			if (index(kv[i], name "=") == 1)
				return substr(kv[i], length(name) + 2)
		return "-"
	}
	function num(x) { return x ~ /^[0-9]+(\.[0-9]*)?$/ }
	function ratio(a, b) {
		return num(a) && num(b) && b + 0 > 0 ? sprintf("%.2f", a / b) : "-"
	}
	function sz(s) { return s + 0 >= 1024 ? s / 1024 " KiB" : s " B" }
	function errs(k, name,    e, s) {
		e = f(res[k, name], "errors"); s = st[k, name]
		return s == "ok" ? e : e " (server " s ")"
	}
	function r(k, name) { return res[k, name] }
	# What decides which of the repeated runs of a row is its median.
	function metric(kind) {
		if (kind == "idle") return "rss_per_conn_b"
		if (kind == "client") return "client_cpu_us_per_msg"
		if (kind == "hs") return "server_cpu_us_per_hs"
		if (kind == "http") return "server_cpu_us_per_req"
		return "server_cpu_us_per_msg"
	}
	{
		key = $1 SUBSEP $2
		if (!(key in seen)) { seen[key] = 1; order[$1, ++nrows[$1]] = $2 }
		if (!(($2, $3) in nrun)) names[$2, ++nnames[$2]] = $3
		n = ++nrun[$2, $3]
		run[$2, $3, n] = $5; runst[$2, $3, n] = $4; runkind[$2] = $1
	}
	function heading(title) { print ""; print "### " title; print "" }
	# The median run of each row and server by its metric (runs without a
	# number sort last); with one run, that run.
	function pick_medians(    k, i, j, n, nm, idx, v, t, m) {
		for (k in runkind) {
			for (i = 1; i <= nnames[k]; i++) {
				nm = names[k, i]; n = nrun[k, nm]
				for (j = 1; j <= n; j++) {
					idx[j] = j
					v[j] = f(run[k, nm, j], metric(runkind[k]))
					if (!num(v[j])) v[j] = 1e300
				}
				for (j = 2; j <= n; j++)
					for (m = j; m > 1 && v[idx[m - 1]] + 0 > v[idx[m]] + 0; m--) {
						t = idx[m]; idx[m] = idx[m - 1]; idx[m - 1] = t
					}
				m = idx[int((n + 1) / 2)]
				res[k, nm] = run[k, nm, m]; st[k, nm] = runst[k, nm, m]
			}
		}
	}
	# One line of the summary: the metric of a row for every server.
	function summary_line(label, k, key,    o, fl, u, t) {
		o = f(r(k, "ours"), key); fl = f(r(k, "floor"), key)
		u = f(r(k, "uws"), key); t = f(r(k, "lws4"), key)
		print "| ", label, " | ", o, " | ", fl, " | ", u, " | ", t, \
		      " | ", ratio(o, fl), " | ", ratio(o, u), " | ", ratio(o, t), " |"
	}
	function conns(n) { return n == 1 ? "1 conn" : n " conns" }
	END {
		pick_medians()
		if (nrows["load"]) {
			heading("Echo server (plain ws, loadgen)")
			print "| size | conns | window | msg/s ours | msg/s lws4 | p50 / p99 µs ours | p50 / p99 µs lws4 | CPU µs/msg ours | CPU µs/msg lws4 | CPU ratio ours/lws4 | errors ours | errors lws4 |"
			print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
			for (i = 1; i <= nrows["load"]; i++) {
				k = order["load", i]; o = r(k, "ours"); t = r(k, "lws4")
				co = f(o, "server_cpu_us_per_msg"); ct = f(t, "server_cpu_us_per_msg")
				print "| ", sz(f(o, "size")), " | ", f(o, "conns"), " | ", f(o, "window"), \
				      " | ", f(o, "msgs_per_s"), " | ", f(t, "msgs_per_s"), \
				      " | ", f(o, "p50_us"), " / ", f(o, "p99_us"), \
				      " | ", f(t, "p50_us"), " / ", f(t, "p99_us"), \
				      " | ", co, " | ", ct, " | ", ratio(co, ct), \
				      " | ", errs(k, "ours"), " | ", errs(k, "lws4"), " |"
			}
			print ""
			line = "Load generator CPU (% of one core; near 100 means it, not the server, set the pace): "
			for (i = 1; i <= nrows["load"]; i++) {
				k = order["load", i]
				line = line sprintf("%s%s ours %s%% lws4 %s%%", i > 1 ? "; " : "", k, \
					f(r(k, "ours"), "client_cpu_pct"), f(r(k, "lws4"), "client_cpu_pct"))
			}
			print line
		}
		if (nrows["idle"]) {
			heading("Idle connections")
			print "| idle conns | RSS/conn ours (B) | RSS/conn lws4 (B) | RSS ratio ours/lws4 | VmRSS at 0 → N ours (kB) | VmRSS at 0 → N lws4 (kB) | RSS/conn after 1 echo each, ours / lws4 (B) | errors ours | errors lws4 |"
			print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
			for (i = 1; i <= nrows["idle"]; i++) {
				k = order["idle", i]; o = r(k, "ours"); t = r(k, "lws4")
				ro = f(o, "rss_per_conn_b"); rt = f(t, "rss_per_conn_b")
				print "| ", f(o, "conns"), " | ", ro, " | ", rt, " | ", ratio(ro, rt), \
				      " | ", f(o, "server_rss0_kb"), " → ", f(o, "server_rss_kb"), \
				      " | ", f(t, "server_rss0_kb"), " → ", f(t, "server_rss_kb"), \
				      " | ", f(o, "rss_per_used_conn_b"), " / ", f(t, "rss_per_used_conn_b"), \
				      " | ", errs(k, "ours"), " | ", errs(k, "lws4"), " |"
			}
		}
		if (nrows["client"]) {
			heading("Client (one connection, client-ours vs client-lws4, same server)")
			print "| size | window | server | msgs | msg/s ours | msg/s lws4 | rate ratio ours/lws4 | p50 / p99 µs ours | p50 / p99 µs lws4 | client CPU µs/msg ours | client CPU µs/msg lws4 | CPU ratio ours/lws4 | errors ours | errors lws4 |"
			print "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
			for (i = 1; i <= nrows["client"]; i++) {
				k = order["client", i]; o = r(k, "ours"); t = r(k, "lws4")
				srv = k; sub(/.*-srv-/, "", srv)
				co = f(o, "client_cpu_us_per_msg"); ct = f(t, "client_cpu_us_per_msg")
				print "| ", sz(f(o, "size")), " | ", f(o, "window"), " | ", srv, \
				      " | ", f(o, "msgs"), \
				      " | ", f(o, "msgs_per_s"), " | ", f(t, "msgs_per_s"), \
				      " | ", ratio(f(o, "msgs_per_s"), f(t, "msgs_per_s")), \
				      " | ", f(o, "p50_us"), " / ", f(o, "p99_us"), \
				      " | ", f(t, "p50_us"), " / ", f(t, "p99_us"), \
				      " | ", co, " | ", ct, " | ", ratio(co, ct), \
				      " | ", errs(k, "ours"), " | ", errs(k, "lws4"), " |"
			}
		}
		if (nrows["wss"]) {
			heading("wss:// echo (TLS, loadgen with OpenSSL)")
			k = order["wss", 1]
			print "TLS negotiated: ours ", f(r(k, "ours"), "tls_version"), " ", f(r(k, "ours"), "tls_cipher"), \
			      "; lws4 ", f(r(k, "lws4"), "tls_version"), " ", f(r(k, "lws4"), "tls_cipher"), "."
			print ""
			print "| size | conns | window | msg/s ours | msg/s lws4 | rate ratio ours/lws4 | p50 / p99 µs ours | p50 / p99 µs lws4 | CPU µs/msg ours | CPU µs/msg lws4 | CPU ratio ours/lws4 | loadgen CPU % ours / lws4 | errors ours | errors lws4 |"
			print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
			for (i = 1; i <= nrows["wss"]; i++) {
				k = order["wss", i]; o = r(k, "ours"); t = r(k, "lws4")
				co = f(o, "server_cpu_us_per_msg"); ct = f(t, "server_cpu_us_per_msg")
				print "| ", sz(f(o, "size")), " | ", f(o, "conns"), " | ", f(o, "window"), \
				      " | ", f(o, "msgs_per_s"), " | ", f(t, "msgs_per_s"), \
				      " | ", ratio(f(o, "msgs_per_s"), f(t, "msgs_per_s")), \
				      " | ", f(o, "p50_us"), " / ", f(o, "p99_us"), \
				      " | ", f(t, "p50_us"), " / ", f(t, "p99_us"), \
				      " | ", co, " | ", ct, " | ", ratio(co, ct), \
				      " | ", f(o, "client_cpu_pct"), " / ", f(t, "client_cpu_pct"), \
				      " | ", errs(k, "ours"), " | ", errs(k, "lws4"), " |"
			}
		}
		if (nrows["hs"]) {
			heading("Opening handshakes (connect, upgrade, close handshake; TLS: full handshake each)")
			print "| transport | at a time | handshakes/s ours | handshakes/s lws4 | rate ratio ours/lws4 | connect→101 p50 / p99 µs ours | connect→101 p50 / p99 µs lws4 | server CPU µs/handshake ours | server CPU µs/handshake lws4 | CPU ratio ours/lws4 | TLS ours / lws4 | loadgen CPU % ours / lws4 | errors ours | errors lws4 |"
			print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"
			for (i = 1; i <= nrows["hs"]; i++) {
				k = order["hs", i]; o = r(k, "ours"); t = r(k, "lws4")
				co = f(o, "server_cpu_us_per_hs"); ct = f(t, "server_cpu_us_per_hs")
				tr = f(o, "tls") == "1" ? "wss" : "ws"
				tl = tr == "wss" ? f(o, "tls_version") " " f(o, "tls_group") " / " f(t, "tls_version") " " f(t, "tls_group") : "-"
				print "| ", tr, " | ", f(o, "conns"), \
				      " | ", f(o, "handshakes_per_s"), " | ", f(t, "handshakes_per_s"), \
				      " | ", ratio(f(o, "handshakes_per_s"), f(t, "handshakes_per_s")), \
				      " | ", f(o, "p50_us"), " / ", f(o, "p99_us"), \
				      " | ", f(t, "p50_us"), " / ", f(t, "p99_us"), \
				      " | ", co, " | ", ct, " | ", ratio(co, ct), " | ", tl, \
				      " | ", f(o, "client_cpu_pct"), " / ", f(t, "client_cpu_pct"), \
				      " | ", errs(k, "ours"), " | ", errs(k, "lws4"), " |"
			}
		}
		if (nrows["deflate"]) {
			heading("permessage-deflate (16 KiB JSON-like text, compressed both ways)")
			k = order["deflate", 1]
			eo = f(r(k, "ours"), "extensions"); et = f(r(k, "lws4"), "extensions")
			gsub(/_/, " ", eo); gsub(/_/, " ", et)
			print "Negotiated: ours `", eo, "`, lws4 `", et, \
			      "`. lws4 = library defaults (zlib level 1, 1 KiB inflate buffer); lws4-l4 = zlib level 4 like ours, 64 KiB buffers. Wire = frame bytes per message (headers + payload) server→client; client→server is ", \
			      f(r(k, "ours"), "wire_tx_per_msg"), " B (loadgen, level 6, no context takeover)."
			print ""
			print "| conns | window | msg/s ours | msg/s lws4 | msg/s lws4-l4 | CPU µs/msg ours | CPU µs/msg lws4 | CPU µs/msg lws4-l4 | CPU ratio ours/lws4 | CPU ratio ours/lws4-l4 | wire B/msg ours | wire B/msg lws4 | wire B/msg lws4-l4 | loadgen CPU % ours / lws4 / lws4-l4 | errors ours | errors lws4 | errors lws4-l4 |"
			print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
			for (i = 1; i <= nrows["deflate"]; i++) {
				k = order["deflate", i]; o = r(k, "ours"); t = r(k, "lws4"); l = r(k, "lws4-l4")
				co = f(o, "server_cpu_us_per_msg"); ct = f(t, "server_cpu_us_per_msg"); cl = f(l, "server_cpu_us_per_msg")
				print "| ", f(o, "conns"), " | ", f(o, "window"), \
				      " | ", f(o, "msgs_per_s"), " | ", f(t, "msgs_per_s"), " | ", f(l, "msgs_per_s"), \
				      " | ", co, " | ", ct, " | ", cl, " | ", ratio(co, ct), " | ", ratio(co, cl), \
				      " | ", f(o, "wire_rx_per_msg"), " | ", f(t, "wire_rx_per_msg"), " | ", f(l, "wire_rx_per_msg"), \
				      " | ", f(o, "client_cpu_pct"), " / ", f(t, "client_cpu_pct"), " / ", f(l, "client_cpu_pct"), \
				      " | ", errs(k, "ours"), " | ", errs(k, "lws4"), " | ", errs(k, "lws4-l4"), " |"
			}
		}
		if (nrows["http"]) {
			heading("HTTP files (wrk, keep-alive GET)")
			print "| file | conns | req/s ours | req/s lws4 | rate ratio ours/lws4 | p50 / p99 µs ours | p50 / p99 µs lws4 | CPU µs/req ours | CPU µs/req lws4 | CPU ratio ours/lws4 | keep-alive ours / lws4 | errors ours | errors lws4 |"
			print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
			for (i = 1; i <= nrows["http"]; i++) {
				k = order["http", i]; o = r(k, "ours"); t = r(k, "lws4")
				co = f(o, "server_cpu_us_per_req"); ct = f(t, "server_cpu_us_per_req")
				print "| ", sz(f(o, "size")), " | ", f(o, "conns"), \
				      " | ", f(o, "reqs_per_s"), " | ", f(t, "reqs_per_s"), \
				      " | ", ratio(f(o, "reqs_per_s"), f(t, "reqs_per_s")), \
				      " | ", f(o, "p50_us"), " / ", f(o, "p99_us"), \
				      " | ", f(t, "p50_us"), " / ", f(t, "p99_us"), \
				      " | ", co, " | ", ct, " | ", ratio(co, ct), \
				      " | ", f(o, "keepalive"), " / ", f(t, "keepalive"), \
				      " | ", errs(k, "ours"), " | ", errs(k, "lws4"), " |"
			}
		}
		if (nrows["load"] || nrows["wss"] || nrows["hs"] || nrows["idle"] || nrows["deflate"]) {
			heading("Every echo server side by side: the floor (no library), uWebSockets, lws4")
			print "Server CPU µs per message (per handshake; RSS bytes per idle connection), the median run of each; - where a server does not run the row (the floor has no TLS and no compression; uWS only with BENCH_UWS)."
			print ""
			print "| row | ours | floor | uWS | lws4 | ours/floor | ours/uWS | ours/lws4 |"
			print "|---|---:|---:|---:|---:|---:|---:|---:|"
			for (i = 1; i <= nrows["load"]; i++) {
				k = order["load", i]; o = r(k, "ours")
				summary_line(conns(f(o, "conns")) ", " sz(f(o, "size")) ", " f(o, "window") " in flight", k, "server_cpu_us_per_msg")
			}
			for (i = 1; i <= nrows["wss"]; i++) {
				k = order["wss", i]; o = r(k, "ours")
				summary_line("wss, " conns(f(o, "conns")) ", " sz(f(o, "size")) ", " f(o, "window") " in flight", k, "server_cpu_us_per_msg")
			}
			for (i = 1; i <= nrows["hs"]; i++) {
				k = order["hs", i]; o = r(k, "ours")
				summary_line("handshake " (f(o, "tls") == "1" ? "wss" : "ws") ", " f(o, "conns") " at a time", k, "server_cpu_us_per_hs")
			}
			for (i = 1; i <= nrows["idle"]; i++) {
				k = order["idle", i]; o = r(k, "ours")
				summary_line("RSS B per idle connection (" f(o, "conns") ")", k, "rss_per_conn_b")
			}
			for (i = 1; i <= nrows["deflate"]; i++) {
				k = order["deflate", i]; o = r(k, "ours")
				summary_line("permessage-deflate 16 KiB JSON, " conns(f(o, "conns")) " (lws4: level 1)", k, "server_cpu_us_per_msg")
				summary_line("… wire B/msg server→client", k, "wire_rx_per_msg")
			}
		}
	}' "$rows"
} >"$report"

cat "$report"

# Anything that went wrong, with the programs' own words.  Rows that ran
# our library (or against it) decide the exit status; the reference
# library's own failures are listed too.
problems() {
	awk -F '\t' -v want="$1" '{
		split($5, kv, " "); e = "-"
		for (i in kv) if (kv[i] ~ /^errors=/) e = substr(kv[i], 8)
		ours = $3 ~ /ours/ || $2 ~ /-srv-ours$/
		if ((e != "0" || $4 != "ok") && ours == want)
			print $2 "\t" $3 "\t" $4 "\t" $6 "\t" $7
	}' "$rows"
}
show_problems() {
	while IFS='	' read -r tag name state dlog slog; do
		echo
		echo "$tag $name (server $state): $(grep '^RESULT' "$dlog" 2>/dev/null | tail -1 | tr ' ' '\n' | grep -E '^(err_|socket_errors|non2xx|keepalive)' | grep -v '=0$' | tr '\n' ' ')"
		grep -v '^RESULT' "$dlog" 2>/dev/null | grep -iE 'error|fail|differ|closed|hung|timed|never|refused|reset|no echo|unexpected|not accept|answers nothing' |
			sed 's/conn [0-9]*: //' | sort | uniq -c | sort -rn | head -6 | sed 's/^/    client: /'
		grep -vE 'listening on|exited( cleanly)?$' "$slog" 2>/dev/null | tail -5 | sed 's/^/    server: /'
	done
}
bad_ours=$(problems 1)
bad_ref=$(problems 0)
{
	if [ -n "$bad_ours" ]; then
		echo
		echo "### Problems (rows with our library)"
		printf '%s\n' "$bad_ours" | show_problems
	fi
	if [ -n "$bad_ref" ]; then
		echo
		echo "### Problems of the other servers (libwebsockets $lws4_version, floor, uWS)"
		printf '%s\n' "$bad_ref" | show_problems
	fi
} | tee -a "$report"
say "report: $report"
# Non-zero when a row with our library had errors or our server misbehaved.
[ -z "$bad_ours" ]
