#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make demo" / "make bench": build, boot one guest (6.12 unless told
# otherwise) and run selftests/demo.sh (or bench.sh) in it with its output
# streamed live to this terminal.  The console log is kept under
# build/vm-demo/.  Exit status: the script's, or 1 if the kernel log has
# a BUG/WARNING/Oops line or the guest did not finish.
#
# Usage: run-demo.sh [--kernel 6.12] [--script demo.sh] [--no-build] [--flood]
#
# --flood: the guest gets a second NIC fed from the host by flood-host.sh
# (VM_FLOOD_PORT in vm-lib.sh; the guest finds it by VM_FLOOD_MAC).
set -uo pipefail
# shellcheck source=selftests/vm/vm-lib.sh
. "$(dirname "$0")/vm-lib.sh"

KERNEL=6.12
SCRIPT=demo.sh
DO_BUILD=1
FLOOD=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel)	KERNEL=${2%% *}; shift ;;
	--script)	SCRIPT=$2; shift ;;
	--no-build)	DO_BUILD=0 ;;
	--flood)	FLOOD=1 ;;
	*)		echo "run-demo: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

what=$(basename "$SCRIPT" .sh)
t=$REPO/selftests/$SCRIPT
if [ ! -e "$t" ]; then
	echo "make $what: selftests/$SCRIPT does not exist yet, nothing to run" >&2
	exit 1
fi
mkdir -p "$BUILD"
kver=$(vm_kver_build "$KERNEL" "$BUILD/kernel-$KERNEL.log") ||
	vm_die "no installed kernel matches '$KERNEL' (make deps), nor could it be built"
ko=$BUILD/$kver/teredo.ko
if [ "$DO_BUILD" = 1 ]; then
	echo "make $what: building teredo.ko for $kver and the tools" >&2
	make -C "$REPO" --no-print-directory module KVER="$kver" KDIR="$(vm_kdir "$kver")" > /dev/null ||
		vm_die "module build failed (make module KVER=$kver)"
	if [ -e "$REPO/tools/Makefile" ]; then
		make -C "$REPO" --no-print-directory tools > /dev/null || vm_die "make tools failed"
	fi
fi
[ -e "$ko" ] || vm_die "no $ko (make module KVER=$kver)"

dir=$BUILD/vm-$what/$kver
share=$dir/share
rm -rf "$dir"
mkdir -p "$share"
mkdir -p "$dir/initrd-extra/teredo"
cp "$ko" "$dir/initrd-extra/teredo/teredo.ko"
vm_prepare_depmod "$kver" "$ko" "$dir/initrd-extra/teredo" || vm_die "depmod failed"
# The script's own settings (BENCH_TIME=2 make bench) go along.
for v in ${!BENCH_@}; do
	printf 'export %s=%q\n' "$v" "${!v}"
done > "$share/cmd"
VM_FLOOD_MAC=52:54:00:7e:2e:d0
[ "$FLOOD" = 1 ] && echo "export VM_FLOOD_MAC=$VM_FLOOD_MAC" >> "$share/cmd"
cat >> "$share/cmd" <<CMD
export VM_KVER='$kver' VM_KO='$ko' VM_LIVE=1
export VM_TESTS='$t' VM_TEST_TIMEOUT='${VM_TEST_TIMEOUT:-1800}'
export VM_PATH='$BUILD/tools'
. '$VM_DIR/guest-init.sh'
CMD
flood_pid=
if [ "$FLOOD" = 1 ]; then
	VM_FLOOD_PORT=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	export VM_FLOOD_PORT VM_FLOOD_MAC
	"$VM_DIR/flood-host.sh" "$share" "$VM_FLOOD_PORT" "$BUILD/tools/teredo-gen" &
	flood_pid=$!
fi
echo "make $what: booting $kver (console log: $dir/console.log)" >&2
vm_boot "$kver" "$share" "${VM_TIMEOUT:-2400}" "$dir/console.log" live
brc=$?
if [ -n "$flood_pid" ]; then
	kill "$flood_pid" 2> /dev/null
	wait "$flood_pid" 2> /dev/null
fi
rc=$(cat "$share/results/$what.rc" 2>/dev/null || echo 1)
flags=$(vm_red_flags "$dir/console.log" "$share/dmesg.txt")
if [ -n "$flags" ]; then
	echo "make $what: the kernel log has BUG/WARNING/Oops lines:" >&2
	echo "$flags" >&2
	rc=1
fi
if [ "$brc" != 0 ]; then
	echo "make $what: the guest did not finish (status $brc)" >&2
	rc=1
fi
echo "make $what: $SCRIPT exited $rc" >&2
exit "$rc"
