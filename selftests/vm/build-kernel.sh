#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build one of the kernels we test on but cannot install (vm-lib.sh):
#   debug  the kernel of "make check-debug": Debian's 6.12 source
#          (/usr/src/linux-source-6.12.tar.xz, package linux-source-6.12),
#          x86_64_defconfig + selftests/vm/debug-kernel.config (KASAN,
#          lockdep, kmemleak, DEBUG_ATOMIC_SLEEP, UBSAN; everything the
#          guests need built in).
#   7.2    mainline 7.2 ("make check KERNELS=7.2"): linux-source-7.2
#          from Debian unstable (architecture-independent; unstable's
#          linux-headers-7.2 were built with gcc-16, which bookworm's gcc
#          cannot use), fetched once with "apt-get download" through a
#          sources list of its own (the machine's apt configuration is
#          not touched), x86_64_defconfig + debug-kernel.config +
#          kernel-7.2.config (the same guest without the debug options).
#
# The build is cached outside the repository, keyed by the source
# package's version, the config fragments and the compiler:
#   $DEBUG_KERNEL_CACHE/debug-kernel-<version>-<hash>/  (debug)
#   $DEBUG_KERNEL_CACHE/kernel-<version>-<hash>/        (7.2)
#     vmlinux          the ELF image the guests boot (PVH entry)
#     build/           the O= tree: our teredo.ko is built against it
#     kernel.release   the release string (uname -r in the guest)
#     build.log, build.secs
# A second call finds the cache and returns at once.  Prints the cache
# directory on stdout.  The compiler runs under "nice -n 19".
#
# Usage: build-kernel.sh [debug|7.2] [--print-dir] [-j N]   (default: debug)
# Environment: DEBUG_KERNEL_CACHE (default /var/cache/teredo).
set -euo pipefail

# shellcheck source=selftests/vm/vm-lib.sh
. "$(dirname "$0")/vm-lib.sh"

JOBS=$(nproc)
PRINT_ONLY=0
NAME=debug
while [ $# -gt 0 ]; do
	case $1 in
	--print-dir)	PRINT_ONLY=1 ;;
	-j)		JOBS=$2; shift ;;
	-h|--help)	sed -n '3,29p' "$0"; exit 0 ;;
	-*)		echo "build-kernel: unknown option $1 (see --help)" >&2; exit 2 ;;
	*)		NAME=$1 ;;
	esac
	shift
done
vm_own_name "$NAME" || vm_die "no kernel named '$NAME' (debug, or one with selftests/vm/kernel-$NAME.config)"

# linux-source-NAME from unstable, unless a version was downloaded before.
fetch_unstable_source() {
	local apt=$VM_UNSTABLE_APT opts
	vm_own_srcver "$NAME" > /dev/null && return 0
	mkdir -p "$apt/lists/partial" "$apt/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
		"http://deb.debian.org/debian unstable main" > "$apt/sources.list"
	opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt"
	      -o "Dir::Cache::archives=$apt/archives" -o Dir::State::status=/dev/null)
	vm_log "fetching linux-source-$NAME from Debian unstable into $apt"
	apt-get -q "${opts[@]}" update >&2 || vm_die "apt-get update (unstable) failed"
	(cd "$apt" && apt-get -q "${opts[@]}" download "linux-source-$NAME" >&2) ||
		vm_die "apt-get download linux-source-$NAME failed"
}

# Unpack the kernel source into $1 (once).
extract_source() {
	local src=$1 tarball deb
	[ -e "$src/Makefile" ] && return 0
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	if [ "$NAME" = debug ]; then
		tarball=/usr/src/linux-source-6.12.tar.xz
		[ -e "$tarball" ] || vm_die "$tarball missing: apt-get install linux-source-6.12 (make deps)"
		vm_log "extracting $tarball into $src"
		nice -n 19 tar -xf "$tarball" -C "$src.tmp" --strip-components=1
	else
		deb=$VM_UNSTABLE_APT/linux-source-${NAME}_$(vm_own_srcver "$NAME")_all.deb
		vm_log "extracting $deb into $src"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/linux-source-$NAME.tar.xz" | nice -n 19 xz -dc |
			tar -x -C "$src.tmp" --strip-components=1
	fi
	mv -T "$src.tmp" "$src"
}

[ "$NAME" = debug ] || [ "$PRINT_ONLY" = 1 ] || fetch_unstable_source
DIR=$(vm_own_dir "$NAME") || vm_die "no source for the $NAME kernel yet: build-kernel.sh $NAME fetches it"
if [ "$PRINT_ONLY" = 1 ]; then
	echo "$DIR"
	exit 0
fi
# One build at a time per cache directory: a second caller waits for the
# first and then finds its result.
mkdir -p "$DEBUG_KERNEL_CACHE"
exec 9> "$DIR.lock"
flock 9 || vm_die "cannot lock $DIR.lock"
if [ -s "$DIR/vmlinux" ] && [ -s "$DIR/kernel.release" ]; then
	vm_log "$NAME kernel $(cat "$DIR/kernel.release") cached in $DIR"
	echo "$DIR"
	exit 0
fi

SRC=$DEBUG_KERNEL_CACHE/src-$(vm_own_srcver "$NAME")
mkdir -p "$DEBUG_KERNEL_CACHE" "$DIR"
T0=$(date +%s)
extract_source "$SRC"

mapfile -t FRAGMENTS < <(vm_own_fragments "$NAME")
B=$DIR/build
LOG=$DIR/build.log
mkdir -p "$B"
vm_log "configuring in $B (log: $LOG)"
{
	make -C "$SRC" O="$B" x86_64_defconfig
	# -m: merge only; olddefconfig then fills in the rest (and drops what
	# the compiler cannot do).
	(cd "$B" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$B" "$B/.config" \
		"${FRAGMENTS[@]}")
	make -C "$SRC" O="$B" olddefconfig
} > "$LOG" 2>&1 || { tail -n 20 "$LOG" >&2; vm_die "configuring the $NAME kernel failed"; }

# Options the fragments ask for (the last one's word) that Kconfig
# dropped (a missing dependency) would silently make a different kernel:
# refuse.
declare -A want=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)			want[${line%%=*}]=${line#*=} ;;
	"# CONFIG_"*" is not set")	line=${line#\# }; want[${line%% *}]=n ;;
	esac
done < <(cat "${FRAGMENTS[@]}")
missing=""
for opt in "${!want[@]}"; do
	[ "${want[$opt]}" = y ] || continue
	grep -qx "$opt=y" "$B/.config" || missing+=" $opt"
done
[ -z "$missing" ] || vm_die "the $NAME kernel config lost:$missing (see $B/.config)"

vm_log "building with -j$JOBS under nice -n 19 (log: $LOG)"
if ! nice -n 19 make -C "$SRC" O="$B" -j"$JOBS" vmlinux modules >> "$LOG" 2>&1; then
	tail -n 30 "$LOG" >&2
	vm_die "building the $NAME kernel failed (log: $LOG)"
fi
make -s -C "$SRC" O="$B" kernelrelease > "$DIR/kernel.release.tmp"
echo $(($(date +%s) - T0)) > "$DIR/build.secs"
cp "$B/vmlinux" "$DIR/vmlinux.tmp"
mv "$DIR/vmlinux.tmp" "$DIR/vmlinux"
mv "$DIR/kernel.release.tmp" "$DIR/kernel.release"
vm_log "$NAME kernel $(cat "$DIR/kernel.release") built in $(cat "$DIR/build.secs") s: $DIR"
echo "$DIR"
