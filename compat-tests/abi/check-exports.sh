#!/bin/sh
# check-exports.sh LIB.so EXPECTED.txt
#
# Does the shared library LIB.so present itself to the dynamic linker like
# libwebsockets 1.4 does, and nothing more?
#   - every function named in EXPECTED.txt (one per line) is exported as code;
#   - nothing else is exported: no Swift symbols ($s..., $e..., swift_*), no
#     helpers, no symbol version nodes (1.4 had none); only the linker's
#     own _init, _fini, _edata, _end and __bss_start are tolerated;
#   - its SONAME is exactly libwebsockets.so.5, so programs linked against
#     1.4 load it;
#   - it needs no Swift runtime library (libswift*), neither directly
#     (readelf NEEDED) nor through its dependencies (ldd).
# Prints one line per problem, then "check-exports: N passed, M failed";
# exits 1 if anything failed, 2 if LIB.so cannot be examined at all.

set -u

if [ "$#" -ne 2 ]; then
	echo "usage: $0 LIB.so EXPECTED.txt" >&2
	exit 2
fi
lib=$1
expected=$2

for tool in nm readelf; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "check-exports: $tool not found" >&2
		exit 2
	fi
done
if [ ! -r "$lib" ] || [ ! -r "$expected" ]; then
	echo "check-exports: cannot read $lib or $expected" >&2
	exit 2
fi

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# "TYPE NAME" per defined dynamic symbol. Newer nm prints versioned names
# as NAME@VERSION or NAME@@VERSION; keep the bare name, versioning is
# reported as an extra symbol (the version node) anyway.
if ! nm -D --defined-only "$lib" >"$tmp/nm.out" 2>"$tmp/nm.err"; then
	echo "check-exports: nm failed on $lib:" >&2
	cat "$tmp/nm.err" >&2
	exit 2
fi
awk 'NF >= 2 { name = $NF; sub(/@.*/, "", name); print $(NF - 1), name }' \
	"$tmp/nm.out" | LC_ALL=C sort -u -k2 >"$tmp/defined"
grep -v -e '^[[:space:]]*$' -e '^#' "$expected" | LC_ALL=C sort -u >"$tmp/expected"

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# 1. Every expected function is exported, as code (T/W, or i for ifunc).
while read -r name; do
	type=$(awk -v n="$name" '$2 == n { print $1; exit }' "$tmp/defined")
	case "$type" in
	T | W | i) pass ;;
	"") fail "missing export: $name" ;;
	*) fail "export $name is not a function (nm type $type)" ;;
	esac
done <"$tmp/expected"

# 2. Nothing else is exported.
awk 'NR == FNR { want[$1] = 1; next }
	!($2 in want) && $2 !~ /^(_init|_fini|_edata|_end|__bss_start)$/ {
		print $1, $2
	}' "$tmp/expected" "$tmp/defined" >"$tmp/extra"
if [ -s "$tmp/extra" ]; then
	while read -r type name; do
		case "$name" in
		'$s'* | '$e'* | '_$s'* | '_$e'* | swift_* | _swift_*)
			kind="Swift symbol" ;;
		*)
			kind="symbol" ;;
		esac
		echo "FAIL: unexpected exported $kind: $name (nm type $type)"
	done <"$tmp/extra"
	fail "$(wc -l <"$tmp/extra" | tr -d ' ') unexpected exported symbol(s)"
else
	pass
fi

# 3. SONAME.
if ! readelf -d "$lib" >"$tmp/dynamic" 2>"$tmp/readelf.err"; then
	echo "check-exports: readelf failed on $lib:" >&2
	cat "$tmp/readelf.err" >&2
	exit 2
fi
soname=$(sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p' "$tmp/dynamic")
if [ "$soname" = "libwebsockets.so.5" ]; then
	pass
else
	fail "SONAME is '${soname}', expected 'libwebsockets.so.5'"
fi

# 4. No Swift runtime among the direct dependencies.
swift_needed=$(sed -n 's/.*(NEEDED).*\[\(libswift[^]]*\)\].*/\1/p' "$tmp/dynamic")
if [ -z "$swift_needed" ]; then
	pass
else
	fail "NEEDED lists the Swift runtime: $(echo $swift_needed)"
fi

# 5. Nor among everything the dynamic linker would load for it.
if command -v ldd >/dev/null 2>&1; then
	if ldd "$lib" >"$tmp/ldd" 2>&1; then
		swift_loaded=$(awk '$1 ~ /^libswift/ { print $1 }' "$tmp/ldd")
		if [ -z "$swift_loaded" ]; then
			pass
		else
			fail "ldd loads the Swift runtime: $(echo $swift_loaded)"
		fi
	else
		fail "ldd cannot resolve the dependencies of $lib: $(tr '\n' ' ' <"$tmp/ldd")"
	fi
fi

echo "check-exports: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
