#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel of "make check-debug": Debian's 6.12 source
# (/usr/src/linux-source-6.12.tar.xz, package linux-source-6.12) with
# x86_64_defconfig + selftests/vm/debug-kernel.config (KASAN, lockdep,
# kmemleak, DEBUG_ATOMIC_SLEEP, UBSAN; everything the guests need built in).
#
# The build is cached outside the repository, keyed by the source
# package's version, the config fragment and the compiler:
#   $DEBUG_KERNEL_CACHE/debug-kernel-<version>-<hash>/
#     vmlinux          the ELF image the guests boot (PVH entry)
#     build/           the O= tree: our teredo.ko is built against it
#     kernel.release   the release string (uname -r in the guest)
#     build.log, build.secs
# A second call finds the cache and returns at once.  Prints the cache
# directory on stdout.  The compiler runs under "nice -n 19".
#
# Usage: build-debug-kernel.sh [--print-dir] [-j N]
# Environment: DEBUG_KERNEL_CACHE (default /var/cache/teredo).
set -euo pipefail

# shellcheck source=selftests/vm/vm-lib.sh
. "$(dirname "$0")/vm-lib.sh"

JOBS=$(nproc)
PRINT_ONLY=0
while [ $# -gt 0 ]; do
	case $1 in
	--print-dir)	PRINT_ONLY=1 ;;
	-j)		JOBS=$2; shift ;;
	-h|--help)	sed -n '3,20p' "$0"; exit 0 ;;
	*)		echo "build-debug-kernel: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

DIR=$(vm_debug_dir) || exit 1
if [ "$PRINT_ONLY" = 1 ]; then
	echo "$DIR"
	exit 0
fi
if [ -s "$DIR/vmlinux" ] && [ -s "$DIR/kernel.release" ]; then
	vm_log "debug kernel $(cat "$DIR/kernel.release") cached in $DIR"
	echo "$DIR"
	exit 0
fi

TARBALL=/usr/src/linux-source-6.12.tar.xz
[ -e "$TARBALL" ] || vm_die "$TARBALL missing: apt-get install linux-source-6.12 (make deps)"
SRC=$DEBUG_KERNEL_CACHE/src-$(vm_debug_srcver)
mkdir -p "$DEBUG_KERNEL_CACHE" "$DIR"
T0=$(date +%s)
if [ ! -e "$SRC/Makefile" ]; then
	vm_log "extracting $TARBALL into $SRC"
	rm -rf "$SRC.tmp"
	mkdir -p "$SRC.tmp"
	nice -n 19 tar -xf "$TARBALL" -C "$SRC.tmp" --strip-components=1
	mv -T "$SRC.tmp" "$SRC"
fi

B=$DIR/build
LOG=$DIR/build.log
mkdir -p "$B"
vm_log "configuring in $B (log: $LOG)"
{
	make -C "$SRC" O="$B" x86_64_defconfig
	# -m: merge only; olddefconfig then fills in the rest.
	(cd "$B" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$B" "$B/.config" \
		"$VM_DIR/debug-kernel.config")
	make -C "$SRC" O="$B" olddefconfig
} > "$LOG" 2>&1 || { tail -n 20 "$LOG" >&2; vm_die "configuring the debug kernel failed"; }

# Options the fragment asks for that Kconfig dropped (a missing
# dependency) would silently make a different kernel: refuse.
missing=""
while IFS= read -r line; do
	case $line in
	CONFIG_*=y)	grep -qx "$line" "$B/.config" || missing+=" ${line%=y}" ;;
	esac
done < "$VM_DIR/debug-kernel.config"
[ -z "$missing" ] || vm_die "the debug kernel config lost:$missing (see $B/.config)"

vm_log "building with -j$JOBS under nice -n 19 (log: $LOG)"
if ! nice -n 19 make -C "$SRC" O="$B" -j"$JOBS" vmlinux modules >> "$LOG" 2>&1; then
	tail -n 30 "$LOG" >&2
	vm_die "building the debug kernel failed (log: $LOG)"
fi
make -s -C "$SRC" O="$B" kernelrelease > "$DIR/kernel.release.tmp"
echo $(($(date +%s) - T0)) > "$DIR/build.secs"
cp "$B/vmlinux" "$DIR/vmlinux.tmp"
mv "$DIR/vmlinux.tmp" "$DIR/vmlinux"
mv "$DIR/kernel.release.tmp" "$DIR/kernel.release"
vm_log "debug kernel $(cat "$DIR/kernel.release") built in $(cat "$DIR/build.secs") s: $DIR"
echo "$DIR"
