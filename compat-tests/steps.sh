# Sourced by the shell checks (installed-checks.sh, packages.sh): each check
# is one named step, counted; the script ends with steps_report.

passed=0
failed=0

# step NAME COMMAND...: runs COMMAND; prints "ok: NAME" or "FAILED: NAME".
step() {
	name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok: $name"
	else
		failed=$((failed + 1))
		echo "FAILED: $name"
	fi
}

# steps_report SCRIPT: prints "SCRIPT: N passed, M failed"; false if any failed.
steps_report() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
