#!/bin/sh
# Builds the libFuzzer targets of Fuzz/ (normal Swift, with AddressSanitizer
# and LeakSanitizer) and runs each for a fixed time, starting from the seed
# corpus in Fuzz/corpus/<target> plus what earlier runs on this machine found
# (build/fuzz/corpus/<target>), with Fuzz/dict/<target>.dict when there is one.
#
#   sh scripts/fuzz.sh [seconds-per-target]      default 60
#   FUZZ_TARGETS="Inflate Base64" sh scripts/fuzz.sh 300
#
# Exits non-zero when the build fails or any target crashes, leaks, times out
# (10 s on one input) or exceeds 2 GiB; the input that did it is saved in
# build/fuzz/artifacts/ and can be replayed with
#   .build-fuzz/release/Fuzz<target> build/fuzz/artifacts/<file>
# Prints executions per second and total runs for each target.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
targets=${FUZZ_TARGETS:-"FrameDecoder HTTPHead ExtensionHeader Inflate DeflateRoundTrip Base64"}
out=build/fuzz
mkdir -p "$out/artifacts"

echo "== fuzz: build"
# Release: preconditions, bounds and overflow checks stay on, and the
# fuzzer runs about three times as many inputs per second as in debug.
if ! swift build --package-path Fuzz --scratch-path .build-fuzz -c release \
	-Xswiftc -sanitize=fuzzer,address > "$out/build.log" 2>&1; then
	grep -v "Cannot export local symbol" "$out/build.log" | tail -n 40
	echo "fuzz: build failed (full log: $out/build.log)"
	exit 1
fi
bin=$(swift build --package-path Fuzz --scratch-path .build-fuzz -c release --show-bin-path)

# A Swift trap must reach libFuzzer's handler, not the Swift backtracer,
# which would hold the crashing process (and this script) for its report.
export SWIFT_BACKTRACE=enable=no
failed=""
total=0
summary=""
for target in $targets; do
	corpus="$out/corpus/$target"
	mkdir -p "$corpus"
	dict=""
	[ -f "Fuzz/dict/$target.dict" ] && dict="-dict=Fuzz/dict/$target.dict"
	log="$out/$target.log"
	echo "== fuzz: $target (${seconds} s)"
	# New inputs go to the first directory only, so the seeds stay as committed.
	# shellcheck disable=SC2086
	if "$bin/Fuzz$target" "$corpus" "Fuzz/corpus/$target" $dict \
		-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$target-" > "$log" 2>&1; then
		status=ok
	else
		status=FAILED
		failed="$failed $target"
		grep -v -E "^#[0-9]+|^	NEW_FUNC|Uses: " "$log" | tail -n 60
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	units=$(find "$corpus" -type f | wc -l)
	line=$(printf '%-18s %-6s %10s runs %8s exec/s %6s corpus units' "$target" "$status" "${runs:-?}" "${rate:-?}" "$units")
	echo "$line"
	summary="$summary$line
"
	total=$((total + ${runs:-0}))
done

echo "== fuzz: summary"
printf '%s' "$summary"
echo "total: $total runs"
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed (logs in $out/, inputs in $out/artifacts/)"
	exit 1
fi
