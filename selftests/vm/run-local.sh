#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the guest tests (selftests/*.sh) on this host, as root, with the
# teredo module installed: "make -C selftests run_tests [TESTS=...]".
# TAP output, exit 1 if any test failed.  A test is judged as in "make
# check" (vm_tap_verdict): by its exit status and its TAP; a test that is
# not executable fails.  Skips are reported, not failed (this is not CI).
set -u
ST=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=selftests/vm/vm-lib.sh
. "$ST/vm/vm-lib.sh"
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
		[ -f "$f" ] || continue
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
	out=$(mktemp)
	( cd "$ST" && timeout -k 10 "${TEST_TIMEOUT:-600}" bash "$t" ) > "$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	vm_tap_verdict "$out" "$rc"
	rm -f "$out"
	if [ "$TAP_STATUS" = pass ] && [ ! -x "$t" ]; then
		TAP_STATUS=fail TAP_DETAIL="not executable (chmod +x)"
	fi
	# (a real host is not CI: skips are reported, not failed)
	nskip=$(grep -c . <<< "$TAP_SKIPS")
	case $TAP_STATUS in
	pass) pass=$((pass + 1)); echo "ok $n $name${TAP_SKIPS:+ # $nskip subtest(s) skipped}" ;;
	skip) skip=$((skip + 1)); echo "ok $n $name # SKIP $TAP_DETAIL" ;;
	*) fail=$((fail + 1)); echo "not ok $n $name # $TAP_DETAIL" ;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
