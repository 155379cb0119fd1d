#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test, run on the host by every full "make check" (one
# guest boot, ~10-20 s): run the two canaries in a guest of the first
# kernel of $KERNELS and check that the runner turns red for each reason.
#   canary.sh       fails                   -> "not ok ... canary"
#   canary_warn.sh  passes, WARNING in dmesg -> "not ok ... kernel_log"
# and that the runner's exit status and closing line say so.
# Run it alone with "make check TESTS=selftest".
. "$(dirname "$0")/../lib.sh"

REPO=$(cd "$SELFTESTS_DIR/.." && pwd)
BUILD=${BUILD:-$REPO/build}
K=${KERNELS:-6.12}
K=${K%% *}
OUT=$(mktemp)
defer "rm -f $OUT"

ktap_plan 6
"$REPO/selftests/vm/run-check.sh" --no-deps --no-build --no-selftest \
	--out "$BUILD/vm-selftest" --kernels "$K" --tests "canary canary_warn" > "$OUT" 2>&1
rc=$?
sed 's/^/#   /' "$OUT"
assert_ne "the runner exits non-zero" 0 "$rc"
assert_match "canary is reported failed" $'(^|\n)not ok [0-9]+ [^ ]+:canary(\n| )' "$(cat "$OUT")"
assert_match "canary_warn itself passed" $'(^|\n)ok [0-9]+ [^ ]+:canary_warn(\n| )' "$(cat "$OUT")"
assert_match "the kernel log is reported failed" $'(^|\n)not ok [0-9]+ [^ ]+:kernel_log' "$(cat "$OUT")"
assert_match "... because of the canary's WARNING line" 'WARNING: canary' "$(cat "$OUT")"
assert_match "closing line counts 2 failures" $'(^|\n)[0-9]+ passed, 2 failed, [0-9]+ skipped$' "$(cat "$OUT")"
ktap_finished
