#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot Debian's stock kernels in a QEMU guest whose root is the host's "/"
# (read-only, virtio-9p), and run one command in it.  Sourced by
# run-check.sh, run-demo.sh and run-bench.sh; see
# /work/shared/notes/qemu.md for why each choice was made.
#
# Guest layout (set up by vm-init and guest-init.sh):
#   /            the host's root, read-only over 9p (cache=loose)
#   /run/vm      a read-write share: the command, results, dmesg, status
#   /lib/modules/$KVER  overlay (tmpfs upper) holding our teredo.ko in
#                updates/ with a regenerated modules.dep
#   /tmp /run /var/tmp  tmpfs

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
VM_CACHE=$BUILD/vm/cache

# Kernel modules the initramfs needs to mount the 9p shares and the
# module overlay (their dependencies are resolved from modules.dep).
VM_INITRD_MODULES="virtio_mmio 9pnet_virtio 9p overlay"

vm_log() { echo "vm: $*" >&2; }
vm_die() { echo "vm: error: $*" >&2; exit 1; }

# The kernels we build ourselves (selftests/vm/build-kernel.sh), named
# "debug" ("make check-debug": Debian's 6.12 source with KASAN, lockdep...)
# and "7.2" (mainline 7.2 from Debian unstable's linux-source-7.2; its
# packaged headers need gcc-16).  They live outside the repository, in a
# directory named after the source package's version and a hash of what
# makes the build.
DEBUG_KERNEL_CACHE=${DEBUG_KERNEL_CACHE:-/var/cache/teredo}
# linux-source-7.2 is fetched with "apt-get download" from unstable
# through this directory's own sources list, lists and cache.
VM_UNSTABLE_APT=$DEBUG_KERNEL_CACHE/apt-unstable

# Is NAME a kernel we build?  (debug, or one with a kernel-NAME.config)
vm_own_name() {
	[ "$1" = debug ] || [ -e "$VM_DIR/kernel-$1.config" ]
}

# The config fragments of own kernel NAME, merged in this order.
vm_own_fragments() {
	echo "$VM_DIR/debug-kernel.config"
	[ "$1" = debug ] || echo "$VM_DIR/kernel-$1.config"
}

# The source package's version of own kernel NAME; for a series fetched
# from unstable, the newest one downloaded.
vm_own_srcver() {
	local deb
	if [ "$1" = debug ]; then
		dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null ||
			stat -c %Y /usr/src/linux-source-6.12.tar.xz
		return
	fi
	deb=$(printf '%s\n' "$VM_UNSTABLE_APT/linux-source-$1"_*_all.deb | sort -V | tail -n1)
	[ -e "$deb" ] || return 1
	deb=${deb##*/linux-source-"$1"_}
	echo "${deb%_all.deb}"
}

# The cache directory of own kernel NAME (prints nothing and fails when
# its source is not there yet).
vm_own_dir() {
	local ver hash prefix=kernel-
	ver=$(vm_own_srcver "$1") || return 1
	# shellcheck disable=SC2046
	hash=$( { echo "$ver"; cat $(vm_own_fragments "$1"); gcc --version | head -n1; } |
		sha256sum | cut -c1-12)
	[ "$1" = debug ] && prefix=debug-kernel-
	echo "$DEBUG_KERNEL_CACHE/$prefix$ver-$hash"
}

vm_debug_dir() {
	vm_own_dir debug || vm_die "linux-source-6.12 is not installed"
}

# Is this release the debug kernel's?  (LOCALVERSION in debug-kernel.config)
vm_is_debug() {
	case $1 in *-teredo-debug) return 0 ;; esac
	return 1
}

# The own kernel NAME of a release ("debug", "7.2"), or failure for an
# installed distribution kernel.  (LOCALVERSION in the fragments)
vm_own_kernel() {
	local IFS=.
	# shellcheck disable=SC2086
	case $1 in
	*-teredo-debug)	echo debug ;;
	*-teredo)	set -- $1; echo "$1.$2" ;;
	*)		return 1 ;;
	esac
}

# Where the modules.* files of a kernel are: the installed kernel's
# /lib/modules/KVER, an own kernel's build tree.
vm_modinfo_dir() {
	local own
	if own=$(vm_own_kernel "$1"); then
		echo "$(vm_own_dir "$own")/build"
	else
		echo "/lib/modules/$1"
	fi
}

# The tree teredo.ko is built against (make module KDIR=).
vm_kdir() {
	if vm_own_kernel "$1" > /dev/null; then
		vm_modinfo_dir "$1"
	else
		echo "/lib/modules/$1/build"
	fi
}

# Map a series ("6.1", "6.12") or a full release to an installed kernel
# release that has both an image and headers.
vm_kver() {
	local want=$1 d k
	if vm_own_name "$want"; then
		d=$(vm_own_dir "$want") || return 1
		[ -s "$d/vmlinux" ] && [ -s "$d/kernel.release" ] || return 1
		cat "$d/kernel.release"
		return 0
	fi
	if [ -e "/boot/vmlinuz-$want" ]; then
		echo "$want"
		return 0
	fi
	for d in /lib/modules/"$want".*; do
		k=${d##*/}
		[ -e "/boot/vmlinuz-$k" ] && [ -e "$d/build/Makefile" ] && echo "$k"
	done | sort -V | tail -n1 | grep . || return 1
}

# vm_kver_build NAME LOG: vm_kver, but an own kernel (not "debug", whose
# build takes longer than a check: "make check-debug") that is not cached
# yet is built first (build-kernel.sh, its output to LOG).
vm_kver_build() {
	vm_kver "$1" 2> /dev/null && return 0
	vm_own_name "$1" && [ "$1" != debug ] || return 1
	vm_log "building the $1 kernel once, under nice -n 19 (log: $2)"
	"$VM_DIR/build-kernel.sh" "$1" > "$2" 2>&1 || { tail -n 5 "$2" >&2; return 1; }
	vm_kver "$1"
}

# Short name of a kernel release: 6.12.95+deb12-amd64 -> 6.12.
vm_series() {
	local IFS=.
	vm_is_debug "$1" && { echo debug; return 0; }
	# shellcheck disable=SC2086
	set -- $1
	echo "$1.$2"
}

# The uncompressed ELF vmlinux inside /boot/vmlinuz-$1, booted through its
# PVH entry point (much faster than a bzImage through SeaBIOS).
vm_vmlinux() {
	local kver=$1 img out off magic tool tmp own
	if own=$(vm_own_kernel "$kver"); then
		out=$(vm_own_dir "$own")/vmlinux
		[ -s "$out" ] || vm_die "no $own kernel in $out: selftests/vm/build-kernel.sh $own builds it"
		echo "$out"
		return 0
	fi
	img=/boot/vmlinuz-$kver
	out=$VM_CACHE/vmlinux-$kver
	if [ -s "$out" ] && [ "$out" -nt "$img" ]; then
		echo "$out"
		return 0
	fi
	mkdir -p "$VM_CACHE"
	# guests of one kernel boot side by side, each from its own subshell:
	# $BASHPID, not $$, keeps their temporary files apart
	tmp=$out.tmp.$BASHPID
	for magic in xz gzip zstd; do
		case $magic in
		xz)   off=$(grep -abo $'\xfd7zXZ\x00' "$img" | head -n1 | cut -d: -f1); tool="xz -dc" ;;
		gzip) off=$(grep -abo $'\x1f\x8b\x08' "$img" | head -n1 | cut -d: -f1); tool="gzip -dc" ;;
		zstd) off=$(grep -abo $'\x28\xb5\x2f\xfd' "$img" | head -n1 | cut -d: -f1); tool="zstd -dc" ;;
		esac
		[ -n "$off" ] || continue
		# Trailing garbage after the stream makes the tools complain: ignore
		# their status and check the ELF magic instead.
		tail -c +$((off + 1)) "$img" | $tool > "$tmp" 2>/dev/null || true
		if [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
			mv "$tmp" "$out"
			echo "$out"
			return 0
		fi
	done
	rm -f "$tmp"
	vm_die "cannot extract an ELF vmlinux from $img"
}

# Print the modules (paths relative to /lib/modules/$kver) to load, in
# load order, for the names given.
vm_module_order() {
	local kver=$1 m path seen=" " d
	shift
	# Our own kernels have all of them built in.
	vm_own_kernel "$kver" > /dev/null && return 0
	for m in "$@"; do
		path=$(modprobe -S "$kver" --show-depends "$m" 2>/dev/null |
		       awk '$1 == "insmod" { print $2 }')
		for d in $path; do
			d=${d#/lib/modules/$kver/}
			d=${d#/usr/lib/modules/$kver/}
			case $seen in *" $d "*) continue ;; esac
			seen="$seen$d "
			echo "$d"
		done
	done
}

vm_initramfs() {
	local kver=$1 out stage m dst busybox tmp
	out=$VM_CACHE/initramfs-$kver.cpio
	if [ -s "$out" ] && [ "$out" -nt "$VM_DIR/vm-init" ] && [ "$out" -nt "$VM_DIR/vm-lib.sh" ]; then
		echo "$out"
		return 0
	fi
	busybox=$(command -v busybox) || vm_die "busybox-static is not installed (make deps)"
	file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
		[ -e /bin/busybox ] || vm_die "busybox is not static"
	stage=$(mktemp -d "$VM_CACHE/initramfs.XXXXXX")
	mkdir -p "$stage"/{bin,dev,proc,sys,mnt/root,modules}
	cp "$busybox" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	cp "$VM_DIR/vm-init" "$stage/init"
	chmod 755 "$stage/init"
	: > "$stage/modules/order"
	for m in $(vm_module_order "$kver" $VM_INITRD_MODULES); do
		dst=$stage/modules/$(basename "${m%.xz}")
		case $m in
		*.ko.xz)  xz -dc "/lib/modules/$kver/$m" > "$dst" ;;
		*.ko.zst) zstd -qdc "/lib/modules/$kver/$m" > "${dst%.zst}"; dst=${dst%.zst} ;;
		*)        cp "/lib/modules/$kver/$m" "$dst" ;;
		esac
		basename "$dst" >> "$stage/modules/order"
	done
	tmp=$out.tmp.$BASHPID		# (see vm_vmlinux)
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$tmp"
	rm -rf "$stage"
	mv "$tmp" "$out"
	echo "$out"
}

# TSC calibration fails often under TCG on microvm: give the frequency.
vm_tsc_khz() {
	awk -F: '/^cpu MHz/ { printf "%d\n", $2 * 1000; exit }' /proc/cpuinfo
}

# vm_boot KVER SHARE_DIR TIMEOUT_S CONSOLE_LOG [live]
# SHARE_DIR must contain "cmd", a bash script run as the guest's PID 1
# (in the host root).  Files under SHARE_DIR/../initrd-extra/ are added
# to the initramfs (a second cpio archive): reading them there is much
# faster than over 9p.  Returns 0 if the guest left "$SHARE_DIR/status",
# 124 on timeout, 1 otherwise.  With "live", the console is also copied
# to stdout as it comes.
vm_boot() {
	local kver=$1 share=$2 tmo=$3 log=$4 live=${5:-} vmlinux initrd accel cpus mem
	local append khz rc=0
	vmlinux=$(vm_vmlinux "$kver") || return 1
	initrd=$(vm_initramfs "$kver") || return 1
	if [ -d "$share/../initrd-extra" ]; then
		(cd "$share/../initrd-extra" && find . | LC_ALL=C sort |
			cpio -o -H newc --quiet) > "$share/../extra.cpio" || return 1
		cat "$initrd" "$share/../extra.cpio" > "$share/../initrd.cpio" || return 1
		initrd=$share/../initrd.cpio
	fi
	accel=${QEMU_ACCEL:-tcg}
	# One TCG thread for all vCPUs: with multi-threaded TCG a vCPU was
	# seen running a stale int3 while another patched kernel text
	# ("Oops: int3" in a 6.12 guest, no teredo code on the stack).
	# VM_TCG_THREAD=multi overrides it (for measurements only).
	[ "$accel" = tcg ] && accel=tcg,thread=${VM_TCG_THREAD:-single}
	cpus=${VM_CPUS:-2}
	mem=${VM_MEM:-1536}
	# slab_nomerge: our module's kmem cache (teredo_peer) is its own, not
	# an alias of a same-sized one, so kmem_cache_destroy() at rmmod
	# checks it and warns if a peer leaked ("still has objects").
	append="console=ttyS0 quiet panic=-1 oops=panic pci=off slab_nomerge"
	khz=$(vm_tsc_khz)
	[ -n "$khz" ] && append+=" tsc_early_khz=$khz tsc=reliable"
	# The repository and the build tree are also shared at their own
	# paths, mounted after the guest's tmpfs on /tmp, /run and /var/tmp:
	# a clone under /tmp (as CI may make) must stay visible.
	append+=" vmrepo=$REPO vmbuild=$BUILD rdinit=/init ${VM_APPEND:-}"
	rm -f "$share/status"
	local qemu=(qemu-system-x86_64 -M microvm -accel "$accel" -cpu max -smp "$cpus" -m "$mem"
		-nodefaults -nographic -no-reboot -serial mon:stdio
		-kernel "$vmlinux" -initrd "$initrd" -append "$append"
		-fsdev "local,id=r,path=/,security_model=none,readonly=on,multidevs=remap"
		-device "virtio-9p-device,fsdev=r,mount_tag=hostroot"
		-fsdev "local,id=w,path=$share,security_model=none,multidevs=remap"
		-device "virtio-9p-device,fsdev=w,mount_tag=vmshare"
		-fsdev "local,id=p,path=$REPO,security_model=none,readonly=on,multidevs=remap"
		-device "virtio-9p-device,fsdev=p,mount_tag=vmrepo"
		-fsdev "local,id=b,path=$BUILD,security_model=none,readonly=on,multidevs=remap"
		-device "virtio-9p-device,fsdev=b,mount_tag=vmbuild")
	# VM_FLOOD_PORT: a second NIC whose frames come from outside the
	# guest, one per UDP datagram to that port on 127.0.0.1 (QEMU's socket
	# backend; flood-host.sh sends them).  What the guest sends on it goes
	# to the discard port, where nothing listens.
	if [ -n "${VM_FLOOD_PORT:-}" ]; then
		qemu+=(-netdev "socket,id=flood,udp=127.0.0.1:9,localaddr=127.0.0.1:$VM_FLOOD_PORT"
			-device "virtio-net-device,netdev=flood,mac=$VM_FLOOD_MAC")
	fi
	if [ -n "$live" ]; then
		timeout -k 5 "$tmo" "${qemu[@]}" < /dev/null 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
	else
		timeout -k 5 "$tmo" "${qemu[@]}" < /dev/null > "$log" 2>&1 || rc=$?
	fi
	# The console is a serial line: drop the carriage returns.
	sed -i 's/\r$//' "$log"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		return 124
	fi
	[ -e "$share/status" ] || return 1
	return 0
}

# Prepare modules.* for "$kver" with our module in updates/.  depmod over
# Debian's xz-compressed modules takes ~10 s, so the result is cached,
# keyed by everything of teredo.ko that depmod looks at.
vm_prepare_depmod() {
	local kver=$1 ko=$2 dst=$3 sig cache base mi
	mi=$(vm_modinfo_dir "$kver")
	sig=$( { modinfo -F alias "$ko"; modinfo -F depends "$ko"; modinfo -F softdep "$ko";
		 nm "$ko" 2>/dev/null | grep -E ' __ksymtab_'; stat -c %Y "$mi/modules.order"; } |
		sha256sum | cut -c1-16)
	cache=$VM_CACHE/depmod-$kver-$sig
	if [ ! -e "$cache/modules.dep.bin" ]; then
		mkdir -p "$VM_CACHE" || return 1
		base=$(mktemp -d "$VM_CACHE/depmod.XXXXXX") || return 1
		[ -d "$base" ] || return 1
		mkdir -p "$base/lib/modules/$kver/updates"
		# our own kernels have everything built in: no kernel/ tree
		[ -d "/lib/modules/$kver/kernel" ] &&
			ln -s "/lib/modules/$kver/kernel" "$base/lib/modules/$kver/kernel"
		cp "$mi"/modules.{order,builtin,builtin.modinfo} "$base/lib/modules/$kver/" 2>/dev/null
		cp "$ko" "$base/lib/modules/$kver/updates/teredo.ko"
		depmod -b "$base" "$kver" || { rm -rf "$base"; return 1; }
		# Publish atomically: another run may be reading the cache.
		mkdir -p "$base/out"
		cp "$base/lib/modules/$kver"/modules.* "$base/out/"
		mv -T "$base/out" "$cache" 2>/dev/null || true
		rm -rf "$base"
	fi
	mkdir -p "$dst"
	cp "$cache"/modules.* "$dst/"
}

# Lines of a kernel log that mean the kernel is not healthy.
VM_RED_FLAGS='BUG:|unregister_netdevice: waiting|WARNING:|Oops|Kernel panic|KASAN|refcount_t|list_add corruption|list_del corruption|UBSAN|general protection fault|kernel BUG|stack-protector|Call Trace:'

# Print the red-flag lines of the given files (console log, dmesg).
# One exception: the stack dump of an RCU stall report whose grace-period
# kthread was starved ("kthread starved for N jiffies", "All QSes seen") says
# the host did not run the vCPU (TCG on a loaded host), not that the guest
# kernel misbehaved: its "Call Trace:" (within the next 40 lines) is not red.
# Any other red line of the report (BUG, WARNING, ...) still is.
vm_red_flags() {
	cat "$@" 2>/dev/null | awk -v re="$VM_RED_FLAGS" '
		/rcu: .*kthread starved for [0-9]+ jiffies/ { starved = NR }
		/Call Trace:/ && starved && NR - starved < 40 { next }
		$0 ~ re { print }' | sort -u || true
}

# --- judging a test by its TAP ---------------------------------------------
# A test passes only if its exit status AND its TAP say so.  vm_tap_verdict
# OUT RC sets TAP_STATUS (pass, fail or skip), TAP_DETAIL (why, for the
# result line) and TAP_SKIPS (one "DESC<TAB>REASON" line per skipped
# subtest of a test that passed).  OUT is the test's output, RC its exit
# status (kselftest: 0 pass, 1 fail, 4 skip; 124/137 timed out).
#   - exit 0 passes only with exactly one plan ("1..N", N > 0) and N
#     result lines ("ok"/"not ok" at the start of a line), none "not ok":
#     a test that prints nothing, declares no plan, ran no subtest, ran
#     more or fewer than it planned, or hides a "not ok" behind exit 0
#     fails;
#   - exit 4 is a skip of the whole test (its reason from the TAP), unless
#     it printed a "not ok";
#   - anything else fails.
# With LENIENT=1 (host tests, whose TAP is their tools' own) only the
# "not ok" behind exit 0 and the skips are judged.
vm_tap_verdict() {
	local out=$1 rc=$2 plans=0 plan="" results=0 notok=0 line re_res re_skip
	TAP_STATUS=fail TAP_DETAIL="" TAP_SKIPS=""
	re_res='^(not )?ok [0-9]+([ 	]|$)'
	re_skip='^ok [0-9]+ (.*[^ ])? *# *[Ss][Kk][Ii][Pp]:? *(.*)$'
	if [ -e "$out" ]; then
		while IFS= read -r line; do
			if [[ $line =~ ^1\.\.([0-9]+) ]]; then
				plans=$((plans + 1))
				plan=${BASH_REMATCH[1]}
			elif [[ $line =~ $re_res ]]; then
				results=$((results + 1))
				if [ -n "${BASH_REMATCH[1]}" ]; then
					notok=$((notok + 1))
				elif [[ $line =~ $re_skip ]]; then
					TAP_SKIPS+="${BASH_REMATCH[1]}"$'\t'"${BASH_REMATCH[2]}"$'\n'
				fi
			fi
		done < <(tr -d '\r' < "$out")
	fi
	case $rc in
	124|137) TAP_DETAIL="timed out"; return 0 ;;
	0|4) ;;
	*) TAP_DETAIL="exit $rc"; return 0 ;;
	esac
	if [ "$notok" -gt 0 ]; then
		TAP_DETAIL="$notok \"not ok\" line(s) behind exit $rc"
		return 0
	fi
	if [ "$rc" = 4 ]; then
		TAP_STATUS=skip
		TAP_DETAIL=$(grep -ahoE '(# SKIP|SKIP:?) .*' "$out" 2>/dev/null | tail -n1 |
			sed -E 's/^(# SKIP|SKIP:?) //')
		TAP_SKIPS=""
		return 0
	fi
	if [ "${LENIENT:-0}" != 1 ]; then
		if [ "$plans" = 0 ]; then
			TAP_DETAIL="no plan (ktap_plan N), $results result line(s)"
			return 0
		elif [ "$plans" -gt 1 ]; then
			TAP_DETAIL="$plans plan lines"
			return 0
		elif [ "$results" = 0 ]; then
			TAP_DETAIL="ran no subtest (plan 1..$plan)"
			return 0
		elif [ "$results" != "$plan" ]; then
			TAP_DETAIL="$results result lines, plan 1..$plan"
			return 0
		fi
	fi
	TAP_STATUS=pass
}

# The skips "make check" expects: selftests/vm/expected-skips, lines of
# "PATTERN | REASON" (lines starting with '#' are comments).  PATTERN is a shell glob over
# a result line's name ("debug:smoke", "6.1:netlink_cli") or, for one
# subtest of a test, "NAME/DESCRIPTION" ("6.12:client_p2p/tshark checks").
VM_EXPECTED_SKIPS=${VM_EXPECTED_SKIPS:-$VM_DIR/expected-skips}

# vm_skip_expected KEY: prints the list's reason and returns 0 if KEY is
# an expected skip.
vm_skip_expected() {
	local key=$1 line pat why
	[ -r "$VM_EXPECTED_SKIPS" ] || return 1
	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		[[ $line == *'|'* ]] || continue
		pat=${line%%|*}
		why=${line#*|}
		pat=${pat%"${pat##*[! 	]}"}
		pat=${pat#"${pat%%[! 	]*}"}
		why=${why#"${why%%[! 	]*}"}
		why=${why%"${why##*[! 	]}"}
		# shellcheck disable=SC2053 # the pattern is a glob on purpose
		if [ -n "$pat" ] && [[ $key == $pat ]]; then
			echo "$why"
			return 0
		fi
	done < "$VM_EXPECTED_SKIPS"
	return 1
}
