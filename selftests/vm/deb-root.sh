#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The packages installed on a clean Debian root, as a user would: "dpkg -i"
# of teredo-dkms and teredo-tools (build/deb, "make deb") in a chroot into
# an overlay over this host's root (its tmpfs upper layer takes every
# write, the host is left as it was).  Checks that DKMS built and
# installed teredo.ko for every kernel with headers (and every cached
# kernel of ours: build-kernel.sh), where modprobe looks
# (updates/dkms, modules.dep), from our sources (the symbols of the
# module "make module" builds), that teredo-nl and the ip plugin are
# where Debian's tools look and run, and that "dpkg --purge" takes all
# of it away again.  The upper layer after the install (the "installed
# root") is kept in OUT/root for the guest test selftests/deb_install.sh,
# which runs a client on the DKMS-built module and the packaged tools.
# run-check.sh runs this once, before the guests boot (deb:install).
#
# Usage: deb-root.sh [DEBS [OUT]]   (build/deb, build/deb-root)
# Exit 0 pass, 1 fail, 4 skip.  Root only.
set -u

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
DEBS=${1:-$BUILD/deb}
OUT=${2:-$BUILD/deb-root}

echo "TAP version 13"
t=0
fail=0
res() {	# res DESC STATUS [DETAIL...]
	t=$((t + 1))
	if [ "$2" = 0 ]; then
		echo "ok $t $1"
	else
		echo "not ok $t $1"
		[ $# -gt 2 ] && printf '%s\n' "${@:3}" | sed 's/^/# /'
		fail=1
	fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 4; }

[ "$(id -u)" = 0 ] || skip_all "must run as root"
for c in dkms unshare chroot dpkg-parsechangelog; do
	command -v "$c" > /dev/null || skip_all "no $c (make deps installs dkms)"
done
ver=$(cd "$REPO" && dpkg-parsechangelog -S Version)
dkms_deb=$DEBS/teredo-dkms_${ver}_all.deb
tools_deb=$(echo "$DEBS"/teredo-tools_"$ver"_*.deb)
[ -e "$dkms_deb" ] && [ -e "$tools_deb" ] ||
	skip_all "no teredo-dkms and teredo-tools $ver in $DEBS (make deb)"

# The kernels DKMS must build for: every one with headers.
kernels=()
for d in /lib/modules/*/build; do
	[ -e "$d/Makefile" ] || continue
	d=${d%/build}
	kernels+=("${d##*/}")
done
# And the kernels we build (vm-lib.sh: 7.2, debug) that are cached: as
# on a machine that runs a kernel its user built, /lib/modules/REL/build
# (in the clean root only) is a link to the kernel's build tree, and
# DKMS builds for it as for a packaged kernel's headers.
# shellcheck source=selftests/vm/vm-lib.sh
. "$REPO/selftests/vm/vm-lib.sh"
own=()
for f in debug "$VM_DIR"/kernel-*.config; do
	n=${f##*/kernel-}
	n=${n%.config}
	rel=$(vm_kver "$n" 2> /dev/null) || continue
	[ -e "/lib/modules/$rel/build/Makefile" ] && continue
	own+=("$rel=$(vm_kdir "$rel")")
	kernels+=("$rel")
done
[ ${#kernels[@]} -gt 0 ] || skip_all "no kernel headers installed (linux-headers-amd64)"

rm -rf "$OUT"
mkdir -p "$OUT"
RUN=$OUT/run
mkdir -p "$RUN"

# Everything that needs the chroot runs in a private mount namespace; it
# leaves its outputs in $RUN for the checks below.  The upper layer is a
# tmpfs: overlayfs refuses an upper directory inside its lower (/).
cat > "$RUN/inside.sh" <<-'EOF'
	set -u
	RUN=$1 OUT=$2 dkms_deb=$3 tools_deb=$4
	T=$RUN/tmpfs
	M=$RUN/mnt
	mkdir -p "$T" "$M"
	mount -t tmpfs -o mode=755 tmpfs "$T" || exit 1
	mkdir -p "$T/upper" "$T/work"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$T/upper,workdir=$T/work" "$M" || exit 1
	mount -t proc proc "$M/proc"
	mount --rbind /sys "$M/sys"
	mount --rbind /dev "$M/dev"
	mount -t tmpfs -o mode=1777 tmpfs "$M/tmp"
	mount -t tmpfs -o mode=755 tmpfs "$M/run"
	mkdir -p "$M/tmp/debs"
	cp "$dkms_deb" "$tools_deb" "$M/tmp/debs/"
	# own kernels: REL=BUILD_TREE (see above)
	for o in $OWN; do
		mkdir -p "$M/lib/modules/${o%%=*}"
		ln -sfn "${o#*=}" "$M/lib/modules/${o%%=*}/build"
	done
	in_root() { chroot "$M" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"; }
	# clean: no teredo known to DKMS or dpkg before
	in_root dkms status -m teredo > "$RUN/status-before" 2>&1
	in_root dpkg-query -W 'teredo-*' > "$RUN/dpkg-before" 2>&1
	start=$(date +%s)
	in_root dpkg -i /tmp/debs/"${dkms_deb##*/}" /tmp/debs/"${tools_deb##*/}" \
		> "$RUN/install.log" 2>&1
	echo $? > "$RUN/install.rc"
	echo $(($(date +%s) - start)) > "$RUN/install.secs"
	in_root dkms status -m teredo > "$RUN/status" 2>&1
	in_root dpkg-query -W -f '${Package} ${Version} ${Status}\n' teredo-dkms teredo-tools \
		> "$RUN/dpkg" 2>&1
	for k in $KERNELS; do
		in_root modinfo -k "$k" -n teredo > "$RUN/modinfo-n-$k" 2>&1
		in_root modinfo -k "$k" -F vermagic teredo > "$RUN/vermagic-$k" 2>&1
	done
	in_root sh -c 'command -v teredo-nl; teredo-nl --help' > "$RUN/teredo-nl" 2>&1
	echo $? > "$RUN/teredo-nl.rc"
	in_root ip link help teredo > "$RUN/ip-help" 2>&1
	in_root dpkg -L teredo-tools > "$RUN/tools.list" 2>&1
	# the installed root, for the guest test
	# (not the overlay's own trusted.* attributes: a plain tree)
	cp -dR --preserve=mode,ownership,timestamps,links "$T/upper" "$OUT/root"
	in_root dpkg --purge teredo-tools teredo-dkms > "$RUN/purge.log" 2>&1
	echo $? > "$RUN/purge.rc"
	in_root dkms status -m teredo > "$RUN/status-after" 2>&1
	(cd "$M" && ls -d lib/modules/*/updates/dkms/teredo.ko* usr/src/teredo-* \
		usr/sbin/teredo-nl var/lib/dkms/teredo) > "$RUN/left" 2> /dev/null
	in_root sh -c 'ip link help teredo' > "$RUN/ip-help-after" 2>&1
	exit 0
EOF
KERNELS="${kernels[*]}" OWN="${own[*]}" unshare -m --propagation private \
	bash "$RUN/inside.sh" "$RUN" "$OUT" "$dkms_deb" "$tools_deb" > "$RUN/inside.log" 2>&1
res "a clean root: an overlay over / with a chroot" $? "$(tail -n 20 "$RUN/inside.log")"
[ ! -s "$RUN/status-before" ] && grep -q 'no packages found' "$RUN/dpkg-before"
res "the clean root has no teredo in DKMS or dpkg before" $? \
	"$(cat "$RUN/status-before" "$RUN/dpkg-before")"

secs=$(cat "$RUN/install.secs" 2> /dev/null)
[ "$(cat "$RUN/install.rc" 2> /dev/null)" = 0 ]
res "dpkg -i teredo-dkms teredo-tools: exit 0 ($secs s)" $? \
	"$(tail -n 30 "$RUN/install.log" 2> /dev/null)"
sed 's/^/# dpkg -i: /' "$RUN/install.log" 2> /dev/null | grep -E 'teredo-dkms:|Setting up|Error|error' |
	head -n 20
want=$(printf 'teredo-dkms %s install ok installed\nteredo-tools %s install ok installed' "$ver" "$ver")
[ "$(cat "$RUN/dpkg" 2> /dev/null)" = "$want" ]
res "dpkg: both packages $ver installed" $? "$(cat "$RUN/dpkg" 2> /dev/null)"

# /lib is /usr/lib on Debian 12 (merged /usr): the copy of the upper
# layer has the modules under usr/lib.
lib=$(readlink -f /lib)
for k in "${kernels[@]}"; do
	grep -q "^teredo/$ver, $k, [^:]*: installed" "$RUN/status"
	res "dkms status: teredo $ver installed for $k" $? "$(cat "$RUN/status")"
	# the kernel's own modules are .ko.xz on 6.12: DKMS compresses alike
	ko=$(cat "$RUN/modinfo-n-$k")
	case $ko in
	"/lib/modules/$k/updates/dkms/teredo.ko" | "/lib/modules/$k/updates/dkms/teredo.ko.xz")
		[ -e "$OUT/root$lib/${ko#/lib/}" ] ;;
	*)	false ;;
	esac
	res "$k: modprobe finds the DKMS-built teredo.ko in updates/dkms" $? "modinfo -n: $ko"
	vm=$(cat "$RUN/vermagic-$k")
	[ "${vm%% *}" = "$k" ]
	res "$k: its vermagic is $k" $? "vermagic: $vm"
	# built from our sources: the same symbols as the module "make
	# module" builds from this tree (no MODULE_VERSION, no srcversion)
	f=$OUT/root$lib/${ko#/lib/}
	case $f in *.xz) xz -dc "$f" > "$RUN/dkms.ko" 2> /dev/null ;; *) cp "$f" "$RUN/dkms.ko" 2> /dev/null ;; esac
	syms() { nm --defined-only "$1" 2> /dev/null | awk '{ print $3 }' | sort; }
	# a run that did not build the module for $k (make check-debug,
	# --tests) builds the reference here, in this run's own directory
	ref=$BUILD/$k/teredo.ko
	if [ ! -e "$ref" ]; then
		ref=$RUN/ref/$k/teredo.ko
		make -C "$REPO" --no-print-directory module KVER="$k" KDIR="$(vm_kdir "$k")" \
			BUILD="$RUN/ref" > "$RUN/ref-$k.log" 2>&1
	fi
	a=$(syms "$RUN/dkms.ko")
	b=$(syms "$ref")
	n=$(grep -c . <<< "$a")
	[ -n "$a" ] && [ "$a" = "$b" ]
	res "$k: built from our sources (its $n symbols are ${ref#"$REPO"/}'s)" $? \
		"$(diff <(echo "$a") <(echo "$b") | head -n 20; tail -n 5 "$RUN/ref-$k.log" 2> /dev/null)"
done

ipdir=$(strings "$(command -v ip)" | grep -m1 -E '^/usr/lib/[a-z0-9_-]+/ip$')
grep -qx /usr/sbin/teredo-nl "$RUN/tools.list" && grep -qx "$ipdir/link_teredo.so" "$RUN/tools.list" &&
	[ -x "$OUT/root/usr/sbin/teredo-nl" ] && [ -e "$OUT/root$ipdir/link_teredo.so" ]
res "teredo-tools installed /usr/sbin/teredo-nl and $ipdir/link_teredo.so" $? \
	"$(grep -E 'teredo-nl$|\.so$' "$RUN/tools.list")"
[ "$(cat "$RUN/teredo-nl.rc")" = 0 ] && [ "$(head -n1 "$RUN/teredo-nl")" = /usr/sbin/teredo-nl ]
res "teredo-nl on PATH is /usr/sbin/teredo-nl and runs" $? "$(head -n 5 "$RUN/teredo-nl")"
grep -q '^Usage: \.\.\. teredo ' "$RUN/ip-help"
res "ip link help teredo: ip finds the plugin" $? "$(head -n 5 "$RUN/ip-help")"

[ "$(cat "$RUN/purge.rc" 2> /dev/null)" = 0 ]
res "dpkg --purge teredo-tools teredo-dkms: exit 0" $? "$(tail -n 20 "$RUN/purge.log" 2> /dev/null)"
[ ! -s "$RUN/status-after" ] && [ ! -s "$RUN/left" ]
res "purged: no module, sources, DKMS tree or teredo-nl left" $? \
	"$(cat "$RUN/status-after" "$RUN/left" 2> /dev/null)"
! grep -q '^Usage: \.\.\. teredo ' "$RUN/ip-help-after"
res "purged: ip no longer finds the plugin" $? "$(head -n 3 "$RUN/ip-help-after")"

echo "# installed root: ${OUT#"$REPO"/}/root ($(du -sh "$OUT/root" 2> /dev/null | cut -f1))"
rmdir "$RUN/tmpfs" "$RUN/mnt" 2> /dev/null
echo "1..$t"
exit $fail
