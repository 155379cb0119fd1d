#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make bench": selftests/bench.sh in one guest (6.12 unless --kernel),
# output live (run-demo.sh); the table and the figures are kept in
# build/bench/bench-DATE.{txt,json} and build/bench/latest.{txt,json}.
# BENCH_* variables (BENCH_TIME, BENCH_REPS, BENCH_RELAY, BENCH_CONFIGS)
# are passed to the guest.  Exit status: bench.sh's (1 only if a
# configuration could not be measured or the guest failed; missed
# targets are reported, not failed).
set -uo pipefail
# shellcheck source=selftests/vm/vm-lib.sh
. "$(dirname "$0")/vm-lib.sh"

KERNEL=6.12
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--kernel)	KERNEL=${2%% *}; shift ;;
	esac
	shift
done
kver=$(vm_kver "$KERNEL") || vm_die "no installed kernel matches '$KERNEL' (make deps)"
start=$SECONDS
"$VM_DIR/run-demo.sh" --script bench.sh "${args[@]}"
rc=$?
res=$BUILD/vm-bench/$kver/share/results
out=$BUILD/bench
stamp=$(date -u +%Y%m%dT%H%M%SZ)
if [ -s "$res/bench.json" ]; then
	mkdir -p "$out"
	cp "$res/bench.json" "$out/bench-$stamp.json"
	cp "$res/bench.txt" "$out/bench-$stamp.txt" 2>/dev/null
	cp "$res/bench.json" "$out/latest.json"
	cp "$res/bench.txt" "$out/latest.txt" 2>/dev/null
	echo "make bench: figures in $out/bench-$stamp.json (and latest.json), $((SECONDS - start)) s" >&2
else
	echo "make bench: no figures were written" >&2
fi
exit "$rc"
