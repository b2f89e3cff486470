#!/bin/sh
# Runs the swift test suite twice more: under AddressSanitizer (with
# LeakSanitizer) and under ThreadSanitizer, Swift and C targets alike, each
# in a build directory of its own. Exits non-zero on any test failure or
# sanitizer report.
#
#   sh scripts/sanitizers.sh [address] [thread]     default: both
#
# Logs: build/swift-test-asan.log, build/swift-test-tsan.log.
#
# One report is expected and passed over: swift-corelibs-xctest never frees
# its own test objects (each XCTestCase and its XCTestCaseRun refer to each
# other), so LeakSanitizer lists them at exit and fails the process even
# when every test passed. A leak counts when a frame of its allocation is in
# Sources/, i.e. memory the library allocated, which is what a leak or a
# reference cycle of ours would show.
set -eu
cd "$(dirname "$0")/.."
mkdir -p build
sanitizers=${*:-"address thread"}

# A Swift trap must reach the sanitizer's report, not the Swift backtracer,
# which can hold a crashed test process for minutes.
export SWIFT_BACKTRACE=enable=no
# Stop at the first report, so the tail of the log shows it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

# The leak reports of $1 with a frame in Sources/, one per paragraph.
library_leaks() {
	awk '/^(Direct|Indirect) leak of/ { block = $0; next }
	     block != "" && /^$/ { if (block ~ /\/Sources\//) print block "\n"; block = ""; next }
	     block != "" { block = block "\n" $0 }
	     END { if (block ~ /\/Sources\//) print block }' "$1"
}

# Whether a failed run failed only by XCTest's own leaks (see above).
only_xctest_leaks() {
	log=$1
	grep -q "Test Suite 'All tests' passed" "$log" || return 1
	grep -q "ERROR: LeakSanitizer: detected memory leaks" "$log" || return 1
	! grep -q -E "ERROR: AddressSanitizer|WARNING: ThreadSanitizer" "$log" || return 1
	[ -z "$(library_leaks "$log")" ]
}

for sanitizer in $sanitizers; do
	case $sanitizer in
	address) name=asan ;;
	thread) name=tsan ;;
	*) echo "sanitizers: unknown sanitizer $sanitizer" >&2; exit 2 ;;
	esac
	log=build/swift-test-$name.log
	echo "== swift test ($sanitizer sanitizer)"
	# Serial, like test-all.sh's plain run, so the log counts the tests.
	if swift test --scratch-path ".build-$name" --sanitize="$sanitizer" > "$log" 2>&1; then
		:
	elif [ "$sanitizer" = address ] && only_xctest_leaks "$log"; then
		echo "LeakSanitizer: only XCTest's own test objects leaked (none allocated in Sources/)"
	else
		library_leaks "$log" | head -n 60
		tail -n 80 "$log"
		echo "sanitizers: swift test under the $sanitizer sanitizer failed (full log: $log)"
		exit 1
	fi
	# A report that did not stop the run still fails it.
	if grep -q -E "ERROR: AddressSanitizer|WARNING: ThreadSanitizer|SUMMARY: ThreadSanitizer" "$log"; then
		grep -n -E -A 30 "ERROR: AddressSanitizer|WARNING: ThreadSanitizer" "$log" | head -n 80
		echo "sanitizers: the $sanitizer sanitizer reported (full log: $log)"
		exit 1
	fi
	grep -E "Executed [0-9]+ tests" "$log" | tail -n 1
done
