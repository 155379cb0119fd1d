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
# The machine's load says how far to trust absolute figures: the guest's
# clock runs on while its QEMU thread waits for a host CPU.
host_load() {
	echo "$(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs, $(pgrep -c qemu-system) QEMU guest(s) running"
}
start=$SECONDS
load0=$(host_load)
"$VM_DIR/run-demo.sh" --script bench.sh --flood "${args[@]}"
rc=$?
load1=$(host_load)
res=$BUILD/vm-bench/$kver/share/results
out=$BUILD/bench
stamp=$(date -u +%Y%m%dT%H%M%SZ)
if [ -s "$res/bench.json" ]; then
	mkdir -p "$out"
	python3 - "$res/bench.json" "$load0" "$load1" <<-'PY'
		import json, sys
		with open(sys.argv[1]) as f:
		    d = json.load(f)
		d["host_load"] = {"before": sys.argv[2], "after": sys.argv[3]}
		with open(sys.argv[1], "w") as f:
		    json.dump(d, f, indent=1, sort_keys=True)
		    f.write("\n")
	PY
	printf 'host load before: %s\nhost load after:  %s\n' "$load0" "$load1" |
		tee -a "$res/bench.txt" >&2
	cp "$res/bench.json" "$out/bench-$stamp.json"
	cp "$res/bench.txt" "$out/bench-$stamp.txt" 2>/dev/null
	cp "$res/bench.json" "$out/latest.json"
	cp "$res/bench.txt" "$out/latest.txt" 2>/dev/null
	echo "make bench: figures in $out/bench-$stamp.json (and latest.json), $((SECONDS - start)) s" >&2
else
	echo "make bench: no figures were written" >&2
fi
exit "$rc"
