#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Harness self-test, run on the host by every full "make check" (four
# guest boots and a cut one, ~40-60 s): run the canaries in guests of the
# first kernel of $KERNELS and check that the runner turns red for each
# reason, with a non-zero exit status and a closing line that says so:
#   canary.sh        fails                     -> "not ok ... canary"
#   canary_warn.sh   passes, WARNING in dmesg  -> "not ok ... kernel_log"
#                    (these two dealt to two guests, --shards 2: the
#                    WARNING is charged to canary_warn's guest only)
#   canary_panic.sh  crashes the kernel        -> "not ok ... guest"
#   canary_hang.sh   never ends, VM_TIMEOUT=15 -> "not ok ... guest # timed out"
#   suite/*.sh       the runner's default discovery (--suite) over tests
#                    whose TAP lies, with a broken teredo.ko (--module:
#                    its vermagic altered, modprobe refuses it) and the
#                    suite's own expected-skip list (--expected-skips):
#     empty            prints nothing, exit 0       -> not ok (no plan)
#     plan_mismatch    plan 3, 2 results, exit 0    -> not ok
#     notok_exit0      a "not ok", exit 0           -> not ok
#     unexpected_skip  skip_all, not listed         -> not ok (unexpected skip)
#     subtest_skip     a skipped subtest not listed -> not ok
#     noexec           passes, mode 644             -> not ok (not executable)
#     needs_module     require_module teredo        -> not ok, and
#                      <kernel>:modprobe            -> not ok
#     lib_no_plan, lib_no_subtest  ktap_finished without a plan / a
#                      subtest                      -> not ok (exit 1)
#     expected_skip, good  a listed skip, a passing test with a listed
#                      subtest skip                 -> ok (not everything fails)
# Run it alone with "make check TESTS=selftest".
. "$(dirname "$0")/../lib.sh"

REPO=$(cd "$SELFTESTS_DIR/.." && pwd)
BUILD=${BUILD:-$REPO/build}
K=${KERNELS:-6.12}
K=${K%% *}
OUT=$(mktemp)
SOUT=${SELFTEST_OUT:-$BUILD/vm/runs/selftest-$$}
defer "rm -f $OUT"

ktap_plan 33

# line NAME: the runner's result line for test NAME, without its number.
line() { grep -E "^(not )?ok [0-9]+ [^ ]+:$1( |\$)" <<< "$TEXT" | sed -E 's/ [0-9]+ / /'; }

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
# The suite of lying tests, with a broken module: a copy of this kernel's
# teredo.ko whose vermagic says "mod_unlaod" (built first if missing).
KV=$(bash -c '. "$1/selftests/vm/vm-lib.sh" && vm_kver "$2"' _ "$REPO" "$K")
mkdir -p "$SOUT"
BROKEN=$SOUT/teredo-broken.ko
[ -e "$BUILD/$KV/teredo.ko" ] ||
	make -C "$REPO" --no-print-directory module KVER="$KV" > "$SOUT/build.log" 2>&1
python3 - "$BUILD/$KV/teredo.ko" "$BROKEN" <<'PY'
import re, sys
ko = open(sys.argv[1], "rb").read()
bad = re.sub(rb"(vermagic=[^\0]*)mod_unload", rb"\1mod_unlaod", ko, count=1)
if bad == ko:
    sys.exit("no vermagic with mod_unload in " + sys.argv[1])
open(sys.argv[2], "wb").write(bad)
PY
assert_eq "a broken teredo.ko made (vermagic altered)" 0 "$?"
SUITE=$REPO/selftests/harness/suite
assert_eq "the suite's noexec.sh is not executable (as committed)" no \
	"$([ -x "$SUITE/noexec.sh" ] && echo yes || echo no)"
run_runner suite --no-host --suite "$SUITE" --expected-skips "$SUITE/expected-skips" \
	--module "$BROKEN"
assert_ne "suite run: the runner exits non-zero" 0 "$RC"
assert_match "a module that does not load fails <kernel>:modprobe" \
	'^not ok [^ ]+:modprobe ' "$(line modprobe)"
assert_match "a test that needs it fails, not skips" \
	'^not ok [^ ]+:needs_module # exit 1' "$(line needs_module)"
assert_match "... and says it cannot load the module" 'cannot load module teredo' "$TEXT"
assert_match "a test that prints nothing fails" '^not ok [^ ]+:empty # no plan' "$(line empty)"
assert_match "a test whose results differ from its plan fails" \
	'^not ok [^ ]+:plan_mismatch # 2 result lines, plan 1\.\.3' "$(line plan_mismatch)"
assert_match "a \"not ok\" behind exit 0 fails" \
	'^not ok [^ ]+:notok_exit0 # 1 "not ok" line\(s\) behind exit 0' "$(line notok_exit0)"
assert_match "an unexpected skip fails" \
	'^not ok [^ ]+:unexpected_skip # unexpected skip: canary: a skip nobody expects' \
	"$(line unexpected_skip)"
assert_match "an unexpected subtest skip fails" \
	"^not ok [^ ]+:subtest_skip # unexpected skip of subtest 'canary subtest nobody" \
	"$(line subtest_skip)"
assert_match "a test without its executable bit runs, and fails" \
	'^not ok [^ ]+:noexec # not executable' "$(line noexec)"
assert_match "ktap_finished without a plan fails (exit 1)" \
	'^not ok [^ ]+:lib_no_plan # exit 1' "$(line lib_no_plan)"
assert_match "ktap_finished without a subtest fails (exit 1)" \
	'^not ok [^ ]+:lib_no_subtest # exit 1' "$(line lib_no_subtest)"
assert_match "an expected skip is a skip" \
	'^ok [^ ]+:expected_skip # SKIP canary: a skip the list expects \(expected: ' \
	"$(line expected_skip)"
assert_match "a correct test with an expected subtest skip passes" \
	'^ok [^ ]+:good # [0-9]+ s, CPU [0-9]+ %, 1 expected skip' "$(line good)"
assert_match "closing line counts 10 failures, 1 skip" \
	$'(^|\n)[0-9]+ passed, 10 failed, 1 skipped$' "$TEXT"
ktap_finished
