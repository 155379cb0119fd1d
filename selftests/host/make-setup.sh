#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make demo" and "make bench" set the host up first, as "make check"
# does: on a fresh Debian 12 (nothing installed, no "make deps" run)
# they install QEMU, the kernels and the rest before booting a guest.
# A fresh machine cannot be had here, so this checks the recipes
# instead: "make -n" of each target runs selftests/vm/setup-host.sh
# before the guest script, and run-check.sh calls the same script.
# Exit 0 pass, 1 fail.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
t=0
echo "TAP version 13"

# setup_first TARGET SCRIPT: "make -n TARGET" runs setup-host.sh, then SCRIPT.
setup_first() {
	local target=$1 script=$2 out s g
	t=$((t + 1))
	out=$(make -n --no-print-directory -C "$REPO" "$target" 2>&1)
	s=$(printf '%s\n' "$out" | grep -n 'selftests/vm/setup-host.sh' | head -n1 | cut -d: -f1)
	g=$(printf '%s\n' "$out" | grep -n "selftests/vm/$script" | head -n1 | cut -d: -f1)
	if [ -n "$s" ] && [ -n "$g" ] && [ "$s" -lt "$g" ]; then
		echo "ok $t make $target runs setup-host.sh before $script"
	else
		echo "not ok $t make $target runs setup-host.sh before $script"
		printf '%s\n' "$out" | sed 's/^/# /'
		fail=1
	fi
}

setup_first demo run-demo.sh
setup_first bench run-bench.sh
t=$((t + 1))
if grep -q '"$VM_DIR/setup-host.sh"' "$REPO/selftests/vm/run-check.sh"; then
	echo "ok $t make check (run-check.sh) runs the same setup-host.sh"
else
	echo "not ok $t run-check.sh no longer calls setup-host.sh"; fail=1
fi
echo "1..$t"
exit $fail
