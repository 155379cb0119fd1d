#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for teredo's kselftest-style tests.  Source it first:
#
#	. "$(dirname "$0")/lib.sh"
#	require_cmd ip python3
#	require_module teredo
#	ktap_plan 3
#	ns_create a
#	ns_exec a ip link add t0 type teredo
#	assert_eq "mtu is 1280" 1280 "$(ns_exec a cat /sys/class/net/t0/mtu)"
#	...
#	ktap_finished
#
# Output is TAP: "1..N", then "ok N desc", "not ok N desc", "ok N desc #
# SKIP reason", with "# " comment lines.  The exit status is kselftest's:
# 0 all passed (or some skipped), 1 something failed, 4 everything skipped.
# Every test declares its plan (ktap_plan N, computed where a loop makes
# the count): ktap_finished fails a test without one or with no subtest,
# and the runner (selftests/vm/run-check.sh) fails a test whose result
# lines differ from its plan, or that prints "not ok" and exits 0.
# Network namespaces made with ns_create and commands registered with
# defer are cleaned up on exit, whatever the exit path.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

KTAP_N=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0
KTAP_PLANNED=""
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
SELFTESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Where the tools are: build/tools in the tree, else $PATH.
if [ -d "$SELFTESTS_DIR/../build/tools" ]; then
	PATH="$SELFTESTS_DIR/../build/tools:$PATH"
fi
export PATH
# The tests' python packet builders (selftests/tools/teredopkt.py); the tree
# may be read-only in the guest: no bytecode next to them.
PYTHONPATH=$SELFTESTS_DIR/tools${PYTHONPATH:+:$PYTHONPATH}
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE

# --- output ----------------------------------------------------------------

# info MSG...: a comment line.
info() { echo "# $*"; }

# ktap_plan N: announce N subtests (call it once, before the first result).
ktap_plan() {
	KTAP_PLANNED=$1
	echo "1..$1"
}

ok() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_N $*"
}

# not_ok DESC [WHY]: a failed subtest; WHY is printed as a comment.
not_ok() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_N $1"
	[ $# -gt 1 ] && info "${*:2}"
	return 0
}

# skip DESC REASON: a skipped subtest.
skip() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_N $1 # SKIP ${*:2}"
}

# result DESC STATUS: ok if STATUS is 0, else not ok.
result() {
	if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1" "exit status $2"; fi
}

# skip_all REASON: nothing of this test can run here (exit 4).
skip_all() {
	[ -z "$KTAP_PLANNED" ] && [ "$KTAP_N" = 0 ] && echo "1..0 # SKIP $*"
	[ "$KTAP_N" != 0 ] && info "SKIP $*"
	exit $KSFT_SKIP
}

# fail_all REASON: stop here, the test failed.
fail_all() {
	not_ok "$TEST_NAME: $*"
	exit $KSFT_FAIL
}

# ktap_finished: print the totals and exit with the kselftest status.
# A test that declared no plan, or ran no subtest, failed: silence is not
# success (the runner checks the same from the TAP, see run-check.sh).
ktap_finished() {
	if [ -z "$KTAP_PLANNED" ]; then
		not_ok "$TEST_NAME: declares its plan (ktap_plan N)" "no ktap_plan before the first result"
		echo "1..$KTAP_N"
	elif [ "$KTAP_N" = 0 ]; then
		not_ok "$TEST_NAME: ran no subtest" "planned $KTAP_PLANNED"
	elif [ "$KTAP_PLANNED" != "$KTAP_N" ]; then
		info "planned $KTAP_PLANNED subtests, ran $KTAP_N"
		KTAP_FAIL=$((KTAP_FAIL + 1))
	fi
	info "Totals: pass:$KTAP_PASS fail:$KTAP_FAIL skip:$KTAP_SKIP"
	if [ "$KTAP_FAIL" -gt 0 ]; then
		exit $KSFT_FAIL
	elif [ "$KTAP_PASS" = 0 ] && [ "$KTAP_SKIP" -gt 0 ]; then
		exit $KSFT_SKIP
	fi
	exit $KSFT_PASS
}

# --- assertions ------------------------------------------------------------
# Each prints one subtest line and returns 0 on pass, 1 on failure, so a
# test can stop early: assert_eq ... || ktap_finished

# assert_eq DESC EXPECTED ACTUAL
assert_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "expected '$2', got '$3'"
		return 1
	fi
}

# assert_ne DESC UNEXPECTED ACTUAL
assert_ne() {
	if [ "$2" != "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "did not expect '$2'"
		return 1
	fi
}

# assert_ge DESC MIN ACTUAL: integers.
assert_ge() {
	if [ -n "$3" ] && [ "$3" -ge "$2" ] 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1" "expected >= $2, got '$3'"
		return 1
	fi
}

# assert_match DESC REGEX ACTUAL: extended regular expression.
assert_match() {
	if [[ $3 =~ $2 ]]; then
		ok "$1"
	else
		not_ok "$1" "'$3' does not match /$2/"
		return 1
	fi
}

# assert_ok DESC CMD...: CMD succeeds (its output is shown on failure).
assert_ok() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = 0 ]; then
		ok "$desc"
	else
		not_ok "$desc" "'$*' failed ($rc): $out"
		return 1
	fi
}

# assert_fail DESC CMD...: CMD fails.  Its output is in $ASSERT_OUT.
assert_fail() {
	local desc=$1 rc
	shift
	ASSERT_OUT=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != 0 ]; then
		ok "$desc"
	else
		not_ok "$desc" "'$*' succeeded: $ASSERT_OUT"
		return 1
	fi
}

# wait_for CMD [TIMEOUT_S]: poll CMD (a string, eval'd) every 0.1 s until
# it succeeds; 1 if it still fails after TIMEOUT_S (default 5) seconds.
wait_for() {
	local cmd=$1 tmo=${2:-5} end
	end=$(($(date +%s%N) + tmo * 1000000000))
	while ! eval "$cmd" > /dev/null 2>&1; do
		[ "$(date +%s%N)" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

# On a slower kernel (the debug kernel's KASAN and lockdep under TCG: the
# guest exports VM_TIMEOUT_SCALE > 1) a test stretches its own deadlines
# with "scaled N", and may test a smaller table or flood when TSCALE > 1.
TSCALE=${VM_TIMEOUT_SCALE:-1}
scaled() { echo $(($1 * TSCALE)); }

# unreclaimable_kb: SUnreclaim after dropping the caches and shrinking
# every slab cache (SLUB keeps empty slabs on its partial lists; the
# shrink also empties KASAN's quarantine of freed objects).
unreclaimable_kb() {
	local f
	sync
	echo 2 > /proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 > "$f"
	done 2> /dev/null
	awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo
}

# --- requirements ----------------------------------------------------------

require_root() {
	[ "$(id -u)" = 0 ] || skip_all "must run as root"
}

# require_cmd CMD...: skip the whole test if a command is missing.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" > /dev/null 2>&1 || skip_all "'$c' not installed"
	done
}

# require_module NAME: the module is loaded or loadable, else the test
# FAILS: a module that will not load is a broken build or install, never
# a reason to skip (it would hide every test behind it).
require_module() {
	local out
	[ -d "/sys/module/$1" ] && return 0
	out=$(modprobe "$1" 2>&1) && [ -d "/sys/module/$1" ] && return 0
	[ -n "$KTAP_PLANNED" ] || [ "$KTAP_N" != 0 ] || echo "1..1"
	fail_all "cannot load module $1: ${out:-modprobe succeeded, no /sys/module/$1}"
}

# module_unload NAME: remove a module, retrying while references drain.
module_unload() {
	[ -d "/sys/module/$1" ] || return 0
	wait_for "modprobe -r $1 2>/dev/null || [ ! -d /sys/module/$1 ]" "${2:-10}" &&
		[ ! -d "/sys/module/$1" ]
}

# --- cleanup ---------------------------------------------------------------

KTAP_DEFERRED=()
KTAP_NETNS=()

# defer CMD: run CMD (a string, eval'd) at exit, last registered first.
defer() {
	KTAP_DEFERRED+=("$1")
}

ktap_cleanup() {
	local i ns
	# Only the test's own shell cleans up.  A command run in the
	# background ("cmd $(...) &") keeps these traps until it execs: killed
	# while it still expands its words, its child shell would run them
	# and delete everything under the test's feet.
	[ "$BASHPID" = "$$" ] || return 0
	for ((i = ${#KTAP_DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${KTAP_DEFERRED[i]}" > /dev/null 2>&1
	done
	for ns in "${KTAP_NETNS[@]}"; do
		ip netns delete "$ns" > /dev/null 2>&1
	done
	return 0
}
trap ktap_cleanup EXIT
trap 'exit $KSFT_FAIL' INT TERM HUP

# --- network namespaces ----------------------------------------------------
# Names are the test's own, prefixed with NS_PREFIX (default: the test's
# name and PID) so that tests can run side by side on a real host.
NS_PREFIX=${NS_PREFIX:-${TEST_NAME:0:6}$$-}

# ns NAME: the full name of a namespace made by ns_create.
ns() { echo "$NS_PREFIX$1"; }

# ns_create NAME...: new namespaces with lo up, deleted at exit.
ns_create() {
	local n full
	for n in "$@"; do
		full=$NS_PREFIX$n
		ip netns add "$full" || return 1
		KTAP_NETNS+=("$full")
		ip -n "$full" link set lo up || return 1
	done
}

# ns_delete NAME...: delete namespaces now.
ns_delete() {
	local n full i
	for n in "$@"; do
		full=$NS_PREFIX$n
		ip netns delete "$full" || return 1
		for i in "${!KTAP_NETNS[@]}"; do
			[ "${KTAP_NETNS[i]}" = "$full" ] && unset 'KTAP_NETNS[i]'
		done
	done
}

# ns_exec NAME CMD...: run CMD in namespace NAME.
ns_exec() {
	local n=$1
	shift
	ip netns exec "$NS_PREFIX$n" "$@"
}

# ns_ip NAME ARGS...: "ip" in namespace NAME, without an exec of "ip
# netns exec" (cheaper under emulation).
ns_ip() {
	local n=$1
	shift
	ip -n "$NS_PREFIX$n" "$@"
}

# ns_veth A IFA B IFB: a veth pair between namespaces A and B, both up.
ns_veth() {
	ip link add "$2" netns "$NS_PREFIX$1" type veth peer name "$4" netns "$NS_PREFIX$3" &&
		ip -n "$NS_PREFIX$1" link set "$2" up &&
		ip -n "$NS_PREFIX$3" link set "$4" up
}

# link_stat NS DEV FIELD: a counter of /sys/class/net/DEV/statistics in NS
# ("" for the current namespace).
link_stat() {
	if [ -n "$1" ]; then
		ns_exec "$1" cat "/sys/class/net/$2/statistics/$3"
	else
		cat "/sys/class/net/$2/statistics/$3"
	fi
}
