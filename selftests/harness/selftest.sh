#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test, run on the host by every full "make check" (three
# guest boots and a cut one, ~30-40 s): run the canaries in guests of the
# first kernel of $KERNELS and check that the runner turns red for each
# reason, with a non-zero exit status and a closing line that says so:
#   canary.sh        fails                     -> "not ok ... canary"
#   canary_warn.sh   passes, WARNING in dmesg  -> "not ok ... kernel_log"
#                    (these two dealt to two guests, --shards 2: the
#                    WARNING is charged to canary_warn's guest only)
#   canary_panic.sh  crashes the kernel        -> "not ok ... guest"
#   canary_hang.sh   never ends, VM_TIMEOUT=15 -> "not ok ... guest # timed out"
# Run it alone with "make check TESTS=selftest".
. "$(dirname "$0")/../lib.sh"

REPO=$(cd "$SELFTESTS_DIR/.." && pwd)
BUILD=${BUILD:-$REPO/build}
K=${KERNELS:-6.12}
K=${K%% *}
OUT=$(mktemp)
SOUT=${SELFTEST_OUT:-$BUILD/vm/runs/selftest-$$}
defer "rm -f $OUT"

ktap_plan 16

# run_runner NAME ARGS...: the runner, its output in $OUT (also shown).
run_runner() {
	local name=$1
	shift
	"$REPO/selftests/vm/run-check.sh" --no-deps --no-build --no-selftest \
		--out "$SOUT/$name" --kernels "$K" "$@" > "$OUT" 2>&1
	RC=$?
	sed 's/^/#   /' "$OUT"
	TEXT=$(cat "$OUT")
}

run_runner fail --shards 2 --tests "canary canary_warn"
assert_ne "canary run: the runner exits non-zero" 0 "$RC"
assert_match "canary is reported failed" $'(^|\n)not ok [0-9]+ [^ ]+:canary( |\n)' "$TEXT"
assert_match "canary_warn itself passed" $'(^|\n)ok [0-9]+ [^ ]+:canary_warn( |\n)' "$TEXT"
assert_eq "two guests ran (--shards 2)" 2 "$(grep -cE '^ok [0-9]+ [^ ]+/[12]:guest ' <<< "$TEXT")"
assert_match "the kernel log is reported failed" $'(^|\n)not ok [0-9]+ [^ ]+/[12]:kernel_log' "$TEXT"
assert_match "... only the log of canary_warn's guest" $'(^|\n)ok [0-9]+ [^ ]+/[12]:kernel_log\n' "$TEXT"
assert_match "... because of the canary's WARNING line" 'WARNING: canary' "$TEXT"
assert_match "closing line counts 2 failures" $'(^|\n)[0-9]+ passed, 2 failed, [0-9]+ skipped$' "$TEXT"

run_runner panic --tests canary_panic
assert_ne "panic run: the runner exits non-zero" 0 "$RC"
assert_match "the dead guest is reported" $'(^|\n)not ok [0-9]+ [^ ]+:guest # stopped without finishing' "$TEXT"
assert_match "the panic is in the kernel log report" $'(^|\n)not ok [0-9]+ [^ ]+:kernel_log' "$TEXT"
assert_match "closing line counts failures" $'(^|\n)[0-9]+ passed, [1-9][0-9]* failed, [0-9]+ skipped$' "$TEXT"

VM_TIMEOUT=15 run_runner timeout --tests canary_hang
assert_ne "timeout run: the runner exits non-zero" 0 "$RC"
assert_match "the guest is reported timed out" $'(^|\n)not ok [0-9]+ [^ ]+:guest # timed out' "$TEXT"
assert_match "the test that never ran is reported failed" $'(^|\n)not ok [0-9]+ [^ ]+:canary_hang # no result' "$TEXT"
assert_match "closing line counts failures" $'(^|\n)[0-9]+ passed, [1-9][0-9]* failed, [0-9]+ skipped$' "$TEXT"
ktap_finished
