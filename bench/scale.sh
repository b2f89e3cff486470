#!/bin/sh
# bench/scale.sh - past one core and one machine, measured
#
# 1. workers: libwebsockets-test-echo --workers 1 against --workers 2
#    (one port, SO_REUSEPORT), driven at saturation by two loadgen
#    processes with half the connections each. Nothing is pinned: the
#    point is to let the workers use every core, which the load generators
#    need too. msg/s is summed over both loadgens; server CPU is summed
#    over the workers (/proc/PID/stat before and after the load).
# 2. proxy: one test-echo directly, and the same test-echo behind nginx
#    running docs/nginx-websocket.conf (its EDIT lines' ports changed, both
#    upstream lines pointing at that one server). test-echo on CPU 0, the
#    loadgen on CPU 1, nginx (2 workers: worker_processes auto) unpinned.
#    msg/s, latency, CPU per message of our server and of nginx, opening
#    handshakes per second.
#
# Each pair of rows is run BENCH_REPEAT times, interleaved; the report
# gives medians. See bench/README.md ("Scale").
#
# Environment:
#   BENCH_SECONDS    seconds of load per row (default 5)
#   BENCH_REPEAT     repetitions of each row (default 3)
#   BENCH_BUILD_DIR  where everything is built (default bench/.build)
#   BENCH_PORT       first TCP port to use (default 18700)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
secs=${BENCH_SECONDS:-5}
repeat=${BENCH_REPEAT:-3}
build=${BENCH_BUILD_DIR:-$here/.build}
port=${BENCH_PORT:-18700}

say() { echo "scale: $*" >&2; }
die() { echo "scale: error: $*" >&2; exit 1; }

need=""
for pkg in cmake ninja-build gcc libssl-dev zlib1g-dev util-linux openssl nginx; do
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
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || die "nginx not found"

# --- builds (the same build directory as bench/run.sh) ---------------------

mkdir -p "$build"
say "building our library and libwebsockets-test-echo in $build/ours"
cmake -S "$root" -B "$build/ours" -G Ninja -DCMAKE_BUILD_TYPE=Release \
	>"$build/cmake.log" 2>&1 || { tail -20 "$build/cmake.log"; die "cmake failed"; }
cmake --build "$build/ours" --target libwebsockets-test-echo \
	>>"$build/cmake.log" 2>&1 || { tail -40 "$build/cmake.log"; die "build failed"; }
echo_bin=$build/ours/compat-tests/programs/libwebsockets-test-echo
[ -x "$echo_bin" ] || die "built test-echo not found at $echo_bin"
cc -O3 -Wall -Wextra -o "$build/loadgen" "$here/loadgen.c" -lssl -lcrypto -lz
loadgen=$build/loadgen

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$build/scale-$stamp
mkdir -p "$out"
rows=$out/rows.tsv
: >"$rows"
ulimit -n 65536 2>/dev/null || true
clk_tck=$(getconf CLK_TCK)

# cpu_us PID...: utime + stime of those processes, in microseconds.
cpu_us() {
	for pid in "$@"; do
		sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null || true
	done | awk -v tck="$clk_tck" '{ t += $12 + $13 } END { printf "%.0f", t * 1e6 / tck }'
}

# field NAME LINE: the value of NAME=... in a RESULT line ("-" if absent).
field() {
	v=$(printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p")
	echo "${v:--}"
}

result() { grep '^RESULT' "$1" | tail -1; }

# record ROW VARIANT KEY=VALUE...: one measurement.
record() {
	row=$1
	variant=$2
	shift 2
	printf '%s\t%s\t%s\n' "$row" "$variant" "$*" >>"$rows"
}

# --- 1. workers -------------------------------------------------------------

srv_pid=""
nginx_pid=""
# Whatever way the script ends, no server of ours is left running.
trap 'for pid in $srv_pid $nginx_pid; do kill -TERM "$pid" 2>/dev/null || true; done' EXIT
# start_echo PIN ARGS...: test-echo on a new port, once it says it listens
# (with --workers, once every worker does).
start_echo() {
	pin=$1
	shift
	port=$((port + 1))
	# shellcheck disable=SC2086
	$pin "$echo_bin" --port "$port" -d 3 "$@" >"$out/echo-$port.log" 2>&1 &
	srv_pid=$!
	tries=0
	until grep -qs "^test-echo: listening on port $port" "$out/echo-$port.log"; do
		tries=$((tries + 1))
		[ $tries -lt 100 ] && kill -0 "$srv_pid" 2>/dev/null ||
			die "test-echo did not start on port $port"
		sleep 0.1
	done
}

stop_pid() {     # SIGTERM, and wait
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# workers_row TAG SIZE CONNS WINDOW: one run per worker count.
workers_row() {
	for workers in 1 2; do
		start_echo "" --workers "$workers"
		pids=$(pgrep -P "$srv_pid")
		cpu0=$(cpu_us $pids)
		half=$(($3 / 2))
		log=$out/$1-w$workers
		"$loadgen" -p "$port" -c "$half" -s "$2" -w "$4" -d "$secs" -q >"$log.a" 2>&1 &
		a=$!
		"$loadgen" -p "$port" -c "$half" -s "$2" -w "$4" -d "$secs" -q >"$log.b" 2>&1 || true
		wait "$a" || true
		cpu1=$(cpu_us $pids)
		stop_pid "$srv_pid"
		srv_pid=""
		ra=$(result "$log.a")
		rb=$(result "$log.b")
		msgs=$(($(field msgs "$ra") + $(field msgs "$rb")))
		record "$1" "workers=$workers" \
			msgs_per_s=$(($(field msgs_per_s "$ra") + $(field msgs_per_s "$rb"))) \
			server_cpu_us_per_msg=$(awk -v c=$((cpu1 - cpu0)) -v m="$msgs" 'BEGIN { if (m + 0 > 0) printf "%.2f", c / m; else printf "-" }') \
			loadgen_cpu_pct=$(($(field client_cpu_pct "$ra") + $(field client_cpu_pct "$rb"))) \
			errors=$(($(field errors "$ra") + $(field errors "$rb")))
	done
}

# --- 2. nginx in front --------------------------------------------------------

tls=$out/nginx/tls
mkdir -p "$out/nginx/logs" "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=localhost -keyout "$tls/server.key" -out "$tls/server.pem" \
	>"$out/openssl.log" 2>&1 || die "openssl req failed"
cp "$tls/server.pem" "$tls/ca.pem"

# start_nginx BACKEND-PORT: the documented config, its EDIT lines' ports
# changed (both plain upstream lines to the one backend; the TLS doors and
# upstream are not used here).
start_nginx() {
	p1=$((port + 1))
	p2=$((port + 2))
	p3=$((port + 3))
	port=$p3
	sed -e "s/listen 8080;/listen 127.0.0.1:$p1;/" \
	    -e "s/listen 8443 ssl;/listen 127.0.0.1:$p2 ssl;/" \
	    -e "s/listen 9443 ssl;/listen 127.0.0.1:$p3 ssl;/" \
	    -e "s/server 127.0.0.1:768[12];/server 127.0.0.1:$1;/" \
	    "$root/docs/nginx-websocket.conf" >"$out/nginx/nginx.conf"
	"$nginx" -p "$out/nginx/" -c nginx.conf -e stderr -g 'daemon off;' \
		2>>"$out/nginx/logs/stderr.log" &
	nginx_pid=$!
	nginx_port=$p1
	"$loadgen" -p "$nginx_port" --wait 10 2>/dev/null || die "nginx did not start"
}

# proxy_row TAG UNIT LOADGEN-ARGS...: direct, then through nginx; UNIT is
# msg (echo load) or hs (opening handshakes).
proxy_row() {
	tag=$1
	unit=$2
	shift 2
	if [ "$unit" = hs ]; then
		rate_field=handshakes_per_s count_field=handshakes_total
	else
		rate_field=msgs_per_s count_field=msgs
	fi
	for path in direct nginx; do
		start_echo "taskset -c 0"
		target=$port
		helpers=""
		if [ "$path" = nginx ]; then
			start_nginx "$port"
			target=$nginx_port
			helpers=$(pgrep -P "$nginx_pid")
		fi
		cpu0=$(cpu_us $helpers)
		log=$out/$tag-$path
		taskset -c 1 "$loadgen" -p "$target" --server-pid "$srv_pid" -q "$@" >"$log" 2>&1 || true
		cpu1=$(cpu_us $helpers)
		[ -n "$nginx_pid" ] && stop_pid "$nginx_pid"
		nginx_pid=""
		stop_pid "$srv_pid"
		srv_pid=""
		r=$(result "$log")
		record "$tag" "$path" \
			rate=$(field "$rate_field" "$r") \
			p50_us=$(field p50_us "$r") p99_us=$(field p99_us "$r") \
			server_cpu_us=$(field "server_cpu_us_per_$unit" "$r") \
			nginx_cpu_us=$(awk -v c=$((cpu1 - cpu0)) -v m="$(field "$count_field" "$r")" -v p="$path" \
				'BEGIN { if (p == "nginx" && m + 0 > 0) printf "%.2f", c / m; else printf "-" }') \
			loadgen_cpu_pct=$(field client_cpu_pct "$r") errors=$(field errors "$r")
	done
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
i=0
while [ $i -lt "$repeat" ]; do
	i=$((i + 1))
	say "round $i of $repeat"
	workers_row workers-s64-c100-w8 64 100 8
	workers_row workers-s16384-c10-w8 16384 10 8
	proxy_row proxy-s64-c100-w8 msg -c 100 -s 64 -w 8 -d "$secs"
	proxy_row proxy-s16384-c10-w8 msg -c 10 -s 16384 -w 8 -d "$secs"
	proxy_row proxy-hs-c8 hs --handshakes -c 8 -d "$secs"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report: medians over the rounds ----------------------------------------

report=$out/report.md
{
	echo "## Scale: workers on one port, and nginx in front"
	echo
	echo "- ours at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) CPUs: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); $("$nginx" -v 2>&1)"
	echo "- $secs s per row, medians of $repeat interleaved rounds; load average before/after: $load_before / $load_after"
	awk -F '\t' '
	function kv(line, name,    n, i, a) {
		n = split(line, a, " ")
		for (i = 1; i <= n; i++)
			if (index(a[i], name "=") == 1)
				return substr(a[i], length(name) + 2)
		return "-"
	}
	function median(key, name,    n, i, j, v, t, x) {
		n = 0
		for (i = 1; i <= runs[key]; i++) {
			x = kv(line[key, i], name)
			if (x ~ /^[0-9.]+$/) v[++n] = x + 0
		}
		if (!n) return "-"
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return v[int((n + 1) / 2)]
	}
	function errors(key,    i, e) {
		e = 0
		for (i = 1; i <= runs[key]; i++) e += kv(line[key, i], "errors")
		return e
	}
	function ratio(a, b) { return a ~ /^[0-9.]+$/ && b + 0 > 0 ? sprintf("%.2f", a / b) : "-" }
	{
		key = $1 SUBSEP $2
		if (!(key in runs)) order[++rows] = key
		line[key, ++runs[key]] = $3
	}
	END {
		print ""
		print "### SO_REUSEPORT workers (libwebsockets-test-echo --workers N; two loadgens, nothing pinned)"
		print ""
		print "| row | msg/s 1 worker | msg/s 2 workers | scaling 2/1 | server CPU µs/msg 1 / 2 | loadgens CPU % (both) 1 / 2 | errors |"
		print "|---|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= rows; i++) {
			split(order[i], k, SUBSEP)
			if (k[1] !~ /^workers/ || k[2] != "workers=1") continue
			one = k[1] SUBSEP "workers=1"; two = k[1] SUBSEP "workers=2"
			print "| " k[1] " | " median(one, "msgs_per_s") " | " median(two, "msgs_per_s") \
			      " | " ratio(median(two, "msgs_per_s"), median(one, "msgs_per_s")) \
			      " | " median(one, "server_cpu_us_per_msg") " / " median(two, "server_cpu_us_per_msg") \
			      " | " median(one, "loadgen_cpu_pct") " / " median(two, "loadgen_cpu_pct") \
			      " | " errors(one) + errors(two) " |"
		}
		print ""
		print "### nginx in front (docs/nginx-websocket.conf): direct vs proxied, one test-echo on CPU 0, loadgen on CPU 1"
		print ""
		print "| row | msg/s (hs/s) direct | msg/s (hs/s) via nginx | rate ratio nginx/direct | p50 / p99 µs direct | p50 / p99 µs via nginx | our CPU µs per msg (hs) direct / via nginx | nginx CPU µs per msg (hs) | loadgen CPU % direct / via nginx | errors |"
		print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= rows; i++) {
			split(order[i], k, SUBSEP)
			if (k[1] !~ /^proxy/ || k[2] != "direct") continue
			d = k[1] SUBSEP "direct"; n = k[1] SUBSEP "nginx"
			print "| " k[1] " | " median(d, "rate") " | " median(n, "rate") \
			      " | " ratio(median(n, "rate"), median(d, "rate")) \
			      " | " median(d, "p50_us") " / " median(d, "p99_us") \
			      " | " median(n, "p50_us") " / " median(n, "p99_us") \
			      " | " median(d, "server_cpu_us") " / " median(n, "server_cpu_us") \
			      " | " median(n, "nginx_cpu_us") \
			      " | " median(d, "loadgen_cpu_pct") " / " median(n, "loadgen_cpu_pct") \
			      " | " errors(d) + errors(n) " |"
		}
	}' "$rows"
} >"$report"
cat "$report"
say "report: $report (raw rows: $rows)"
if grep -v 'errors=0$' "$rows" | grep -q .; then
	die "rows with errors: $(grep -v 'errors=0$' "$rows" | cut -f1,2 | tr '\t\n' ' ;')"
fi
