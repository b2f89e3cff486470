#!/bin/sh
# bench/run.sh - our echo server against one built on libwebsockets 4.x
#
# Installs what it needs (Debian packages, among them libwebsockets-dev for
# the reference server), builds our libwebsockets-test-echo with CMake in
# its own build directory, builds bench/loadgen.c and bench/echo-lws4.c,
# then measures both servers row by row, each row on a freshly started
# server pinned to CPU 0 with the load generator pinned to CPU 1, and prints
# Markdown tables with the two side by side.  See bench/README.md.
#
# Environment:
#   BENCH_SECONDS    seconds of load per row (default 5)
#   BENCH_BUILD_DIR  where everything is built (default bench/.build)
#   BENCH_PORT       first TCP port to use (default 17700; one per server
#                    start after that)
#   BENCH_IDLE       idle-connection rows (default "1000 10000")
#   BENCH_LWS4_ARGS  extra options for echo-lws4 (e.g. "--tx-packet 65536")
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
secs=${BENCH_SECONDS:-5}
build=${BENCH_BUILD_DIR:-$here/.build}
port=${BENCH_PORT:-17700}
idle_rows=${BENCH_IDLE:-"1000 10000"}
lws4_args=${BENCH_LWS4_ARGS:-}

say() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

# --- what the run needs ---------------------------------------------------

need=""
for pkg in cmake ninja-build pkg-config gcc libssl-dev zlib1g-dev \
	   libwebsockets-dev util-linux; do
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
say "building our libwebsockets-test-echo in $build/ours"
cmake -S "$root" -B "$build/ours" -G Ninja -DCMAKE_BUILD_TYPE=Release \
	>"$build/cmake.log" 2>&1 || { tail -20 "$build/cmake.log"; die "cmake failed"; }
cmake --build "$build/ours" --target libwebsockets-test-echo \
	>>"$build/cmake.log" 2>&1 || { tail -40 "$build/cmake.log"; die "build failed"; }
# Where the target landed (the tree's layout may move it): ask ninja.
ours_rel=$(ninja -C "$build/ours" -t query libwebsockets-test-echo |
	awk '/input: phony/ { getline; print $1; exit }')
[ -n "$ours_rel" ] || ours_rel=libwebsockets-test-echo
ours_bin=$build/ours/$ours_rel
[ -x "$ours_bin" ] || die "built test-echo not found at $ours_bin"

say "building loadgen"
cc -O3 -Wall -Wextra -o "$build/loadgen" "$here/loadgen.c"
loadgen=$build/loadgen

# The reference server is compiled against the SYSTEM libwebsockets only:
# the system's pkg-config search path, nothing of ours on any include or
# library path.
say "building echo-lws4 against the system libwebsockets"
lws4_flags=$(env -u PKG_CONFIG_PATH -u PKG_CONFIG_LIBDIR -u PKG_CONFIG_SYSROOT_DIR \
	pkg-config --cflags --libs libwebsockets)
lws4_version=$(env -u PKG_CONFIG_PATH -u PKG_CONFIG_LIBDIR -u PKG_CONFIG_SYSROOT_DIR \
	pkg-config --modversion libwebsockets)
case $lws4_version in
4.*) ;;
*) die "system libwebsockets is $lws4_version, not 4.x" ;;
esac
# shellcheck disable=SC2086 # the flags are words
env -u CPATH -u C_INCLUDE_PATH -u LIBRARY_PATH \
	cc -O2 -Wall -Wextra -o "$build/echo-lws4" "$here/echo-lws4.c" $lws4_flags
lws4_bin=$build/echo-lws4

# Each binary must load the library it was built for.
ldd "$ours_bin" | grep -q "libwebsockets.so.5 => $build/ours/" ||
	die "our test-echo does not load $build/ours/libwebsockets.so.5"
if ldd "$lws4_bin" | grep -q "libwebsockets.so.5 "; then
	die "echo-lws4 loads a libwebsockets.so.5 (ours?)"
fi
lws4_so=$(ldd "$lws4_bin" | sed -n 's/.*\(libwebsockets\.so\.[0-9]*\) => .*/\1/p')

# --- the machine ----------------------------------------------------------

# 10,000 idle connections need 10,000 descriptors in each process.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit=$(ulimit -n)

ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then
	pin_server="taskset -c 0"
	pin_client="taskset -c 1"
else
	say "only $ncpu CPU: server and load generator are not pinned"
	pin_server=""
	pin_client=""
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$build/results-$stamp
mkdir -p "$out"
rows=$out/rows.tsv
: >"$rows"

# --- one server run -------------------------------------------------------

srv_pid=""
srv_log=""
srv_port=""

# start_server NAME TAG: starts a fresh server, waits until it accepts.
start_server() {
	port=$((port + 1))
	srv_port=$port
	srv_log=$out/$2.$1.server.log
	case $1 in
	ours)
		# shellcheck disable=SC2086
		$pin_server "$ours_bin" --port "$srv_port" -d 3 >"$srv_log" 2>&1 &
		;;
	lws4)
		# shellcheck disable=SC2086
		$pin_server "$lws4_bin" -p "$srv_port" $lws4_args >"$srv_log" 2>&1 &
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

# field NAME LINE: the value of NAME=... in a RESULT line ("-" if absent).
field() {
	v=$(printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p")
	echo "${v:--}"
}

# run_row KIND NAME TAG LOADGEN-ARGS...: one fresh server, one load run;
# appends a line to rows.tsv.
run_row() {
	kind=$1
	name=$2
	tag=$3
	shift 3
	start_server "$name" "$tag"
	log=$out/$tag.$name.loadgen.log
	# shellcheck disable=SC2086
	$pin_client "$loadgen" -p "$srv_port" --server-pid "$srv_pid" "$@" \
		>"$log" 2>&1 || true
	stop_server
	state=$srv_state
	result=$(grep '^RESULT' "$log" | tail -1 || true)
	[ -n "$result" ] || result="RESULT missing"
	errors=$(field errors "$result")
	if [ "$errors" != "0" ] || [ "$state" != "ok" ]; then
		say "$tag $name: errors=$errors server=$state (see $log, $srv_log)"
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$kind" "$tag" "$name" "$state" \
		"$result" >>"$rows"
}

# --- the rows -------------------------------------------------------------

say "results in $out"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(date +%s)

for size in 64 16384; do
	for conns in 1 100; do
		for window in 1 8; do
			tag=load-s$size-c$conns-w$window
			for name in ours lws4; do
				say "$tag $name"
				run_row load "$name" "$tag" -c "$conns" \
					-s "$size" -w "$window" -d "$secs"
			done
		done
	done
done

# Not a speed row: a correctness check under flow control.  With 256
# messages in flight per connection both servers queue more than 16 replies
# and pause their input (libwebsocket_rx_flow_control / lws_rx_flow_control),
# so this row fails if a library loses, reorders or corrupts input held back
# while a connection is paused.
tag=load-s64-c10-w256
for name in ours lws4; do
	say "$tag $name"
	run_row load "$name" "$tag" -c 10 -s 64 -w 256 -d "$secs"
done

for n in $idle_rows; do
	tag=idle-$n
	if [ "$fd_limit" -lt $((n + 64)) ]; then
		say "skipping $tag: only $fd_limit descriptors allowed"
		continue
	fi
	for name in ours lws4; do
		say "$tag $name"
		run_row idle "$name" "$tag" --idle "$n" --hold 2 -s 64
	done
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
t1=$(date +%s)

# --- the report -----------------------------------------------------------

report=$out/report.md
{
	echo "## Echo benchmark: ours vs libwebsockets $lws4_version"
	echo
	echo "- ours: \`libwebsockets-test-echo\` ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(git -C "$root" status --porcelain 2>/dev/null | grep -q . && echo 'with uncommitted changes' || echo 'clean tree')), libwebsockets.so.5 (Swift)"
	echo "- theirs: \`echo-lws4\` on the system $lws4_so ($lws4_version)${lws4_args:+, options \`$lws4_args\`}"
	echo "- $secs s per load row; server on CPU 0, load generator on CPU 1 ($ncpu CPUs: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)); kernel $(uname -r)"
	echo "- load average before/after: $load_before / $load_after; whole run $((t1 - t0)) s; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Per-message CPU is the server's utime+stime over the run divided by the messages it echoed; ratio < 1 means ours is cheaper."
	echo
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
	function errs(line, state) {
		e = f(line, "errors")
		return state == "ok" ? e : e " (server " state ")"
	}
	$1 == "load" {
		key = $2
		if (!(key in seen)) { seen[key] = 1; order[++nrows] = key }
		res[key, $3] = $5; st[key, $3] = $4
	}
	$1 == "idle" {
		key = $2
		if (!(key in iseen)) { iseen[key] = 1; iorder[++nidle] = key }
		res[key, $3] = $5; st[key, $3] = $4
	}
	END {
		print "| size | conns | window | msg/s ours | msg/s lws4 | p50 / p99 µs ours | p50 / p99 µs lws4 | CPU µs/msg ours | CPU µs/msg lws4 | CPU ratio ours/lws4 | errors ours | errors lws4 |"
		print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= nrows; i++) {
			k = order[i]; o = res[k, "ours"]; t = res[k, "lws4"]
			co = f(o, "server_cpu_us_per_msg"); ct = f(t, "server_cpu_us_per_msg")
			print "| ", sz(f(o, "size")), " | ", f(o, "conns"), " | ", f(o, "window"), \
			      " | ", f(o, "msgs_per_s"), " | ", f(t, "msgs_per_s"), \
			      " | ", f(o, "p50_us"), " / ", f(o, "p99_us"), \
			      " | ", f(t, "p50_us"), " / ", f(t, "p99_us"), \
			      " | ", co, " | ", ct, " | ", ratio(co, ct), \
			      " | ", errs(o, st[k, "ours"]), " | ", errs(t, st[k, "lws4"]), " |"
		}
		if (nidle) {
			print ""
			print "| idle conns | RSS/conn ours (B) | RSS/conn lws4 (B) | RSS ratio ours/lws4 | VmRSS at 0 → N ours (kB) | VmRSS at 0 → N lws4 (kB) | RSS/conn after 1 echo each, ours / lws4 (B) | errors ours | errors lws4 |"
			print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
			for (i = 1; i <= nidle; i++) {
				k = iorder[i]; o = res[k, "ours"]; t = res[k, "lws4"]
				ro = f(o, "rss_per_conn_b"); rt = f(t, "rss_per_conn_b")
				print "| ", f(o, "conns"), " | ", ro, " | ", rt, " | ", ratio(ro, rt), \
				      " | ", f(o, "server_rss0_kb"), " → ", f(o, "server_rss_kb"), \
				      " | ", f(t, "server_rss0_kb"), " → ", f(t, "server_rss_kb"), \
				      " | ", f(o, "rss_per_used_conn_b"), " / ", f(t, "rss_per_used_conn_b"), \
				      " | ", errs(o, st[k, "ours"]), " | ", errs(t, st[k, "lws4"]), " |"
			}
		}
		print ""
		print "Load generator CPU (% of one core; near 100 means it, not the server, set the pace):"
		line = ""
		for (i = 1; i <= nrows; i++) {
			k = order[i]
			line = line sprintf("%s%s ours %s%% lws4 %s%%", i > 1 ? "; " : "", k, \
				f(res[k, "ours"], "client_cpu_pct"), f(res[k, "lws4"], "client_cpu_pct"))
		}
		print line
	}' "$rows"
} >"$report"

cat "$report"

# Anything that went wrong, with the server's own words.
bad=$(awk -F '\t' '{ split($5, kv, " "); e = "-";
	for (i in kv) if (kv[i] ~ /^errors=/) e = substr(kv[i], 8);
	if (e != "0" || $4 != "ok") print $2 "." $3 }' "$rows")
if [ -n "$bad" ]; then
	echo
	echo "### Problems"
	for b in $bad; do
		echo
		echo "$b: $(grep '^RESULT' "$out/$b.loadgen.log" 2>/dev/null | tail -1 | tr ' ' '\n' | grep '^err_' | grep -v '=0$' | tr '\n' ' ')"
		grep -v '^RESULT' "$out/$b.loadgen.log" 2>/dev/null | head -5 | sed 's/^/    loadgen: /'
		tail -5 "$out/$b.server.log" 2>/dev/null | sed 's/^/    server: /'
	done
fi | tee -a "$report"
say "report: $report"
# Non-zero when any row had errors or a server misbehaved.
[ -z "$bad" ]
