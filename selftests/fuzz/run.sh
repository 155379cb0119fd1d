#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs each fuzzer: first over its committed corpus (regression), then
# for FUZZ_SECONDS with new inputs kept under $BUILD/work/.  Crashing
# inputs land in $BUILD/crashes/.  Exit 1 on any failure.
set -u
cd "$(dirname "$0")" || exit 1
BUILD=${BUILD:-build}
SECS=${FUZZ_SECONDS:-60}
total=0
fail=0
n=0
mkdir -p "$BUILD/crashes"
for f in "$@"; do
	bin=$BUILD/fuzz_$f
	work=$BUILD/work/$f
	log=$BUILD/fuzz_$f.log
	mkdir -p "$work"
	n=$((n + 1))
	if ! "$bin" -runs=0 corpus/"$f" > "$log" 2>&1; then
		grep -E 'ERROR|invariant|runtime error' "$log" | head -5 | sed 's/^/# /'
		echo "not ok $n fuzz_$f regression over corpus/$f (see $log)"
		fail=1
		continue
	fi
	if ! "$bin" -max_total_time="$SECS" -print_final_stats=1 \
		-artifact_prefix="$BUILD/crashes/$f-" -timeout=10 \
		"$work" corpus/"$f" >> "$log" 2>&1; then
		grep -E 'ERROR|invariant|runtime error' "$log" | head -5 | sed 's/^/# /'
		echo "not ok $n fuzz_$f ${SECS}s (see $log, $BUILD/crashes/)"
		fail=1
		continue
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1)
	echo "ok $n fuzz_$f ${SECS}s, ${execs:-?} executions, $cov"
	total=$((total + ${execs:-0}))
done
echo "1..$n"
echo "# total executions: $total"
exit $fail
