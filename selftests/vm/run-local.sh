#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the guest tests (selftests/*.sh) on this host, as root, with the
# teredo module installed: "make -C selftests run_tests [TESTS=...]".
# TAP output, exit 1 if any test failed.
set -u
ST=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run-local: must run as root" >&2; exit 1; }
tests=()
if [ $# -gt 0 ]; then
	for n in "$@"; do
		n=${n%.sh}
		[ -e "$ST/$n.sh" ] || [ -e "$ST/harness/$n.sh" ] ||
			{ echo "run-local: no test named '$n'" >&2; exit 2; }
		[ -e "$ST/$n.sh" ] && tests+=("$ST/$n.sh") || tests+=("$ST/harness/$n.sh")
	done
else
	for f in "$ST"/*.sh; do
		[ -x "$f" ] || continue
		case ${f##*/} in lib.sh|topo.sh|*_lib.sh|demo.sh|bench.sh) continue ;; esac
		tests+=("$f")
	done
fi
echo "TAP version 13"
echo "1..${#tests[@]}"
n=0 pass=0 fail=0 skip=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	out=$( cd "$ST" && timeout -k 10 "${TEST_TIMEOUT:-600}" bash "$t" 2>&1 )
	rc=$?
	[ -n "$out" ] && echo "$out" | sed 's/^/# /'
	case $rc in
	0) pass=$((pass + 1)); echo "ok $n $name" ;;
	4) skip=$((skip + 1)); echo "ok $n $name # SKIP" ;;
	*) fail=$((fail + 1)); echo "not ok $n $name # exit $rc" ;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
