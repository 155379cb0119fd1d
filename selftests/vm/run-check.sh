#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make check": install what is missing, build the module for each test
# kernel and the tools, run the host tests (selftests/host/*.sh), boot
# each kernel in a QEMU guest and run every selftests/*.sh there, then
# prove once that the harness itself can fail (selftests/harness/).
#
# Prints kselftest-style TAP and one closing line "N passed, N failed,
# N skipped".  Exits non-zero on any failed test, any kernel log line
# matching VM_RED_FLAGS (BUG:, WARNING:, Oops, ...), any guest that did
# not finish, any build failure, a module that does not load in a guest
# (<kernel>:modprobe), and any skip not listed in selftests/vm/expected-skips.
# A test passes only if its TAP agrees with its exit status: one plan,
# as many result lines as planned, no "not ok" (vm_tap_verdict).
#
# Usage: run-check.sh [--kernels "6.1 6.12"] [--tests "name ..."]
#                     [--no-deps] [--no-build] [--no-selftest] [--no-host]
#                     [--out DIR] [--serial] [--debug-smoke "name ..."]
#                     [--smoke KERNEL "name ..."]
#                     [--shards N] [--suite DIR] [--expected-skips FILE]
#                     [--module FILE]
# Tests marked with a "# waits: WHY" line among their first 20 lines run
# in a second guest per kernel beside the others (SERIES/w:guest) on a
# host with 4 or more cores, or with VM_WAITS_GUEST=1; not with --shards
# N or VM_WAITS_GUEST=0 (see add_kernel_guests).  On fewer cores, a full
# run on several kernels deals them to the kernels in turn, each on one
# (split_waits; VM_WAITS_SPLIT=0 runs them on all).
# A kernel is a series ("6.1"), an installed release, or one we build
# (build-kernel.sh): "debug" (built by "make check-debug") or "7.2"
# (mainline; built here, once, when not cached: over an hour on 2 cores).
# --smoke KERNEL "name ...": on a full run (no --tests) with the default
# kernels, if KERNEL ("debug", "7.2") is already built and cached, also
# run these tests on it (the debug kernel's timeouts x VM_DEBUG_SCALE, 8);
# without a cached build, one skip.  --debug-smoke T: --smoke debug T.
# --shards N: each kernel's tests are dealt to N guests run side by side
# (one host core each under TCG; "make check-debug" uses it), balanced by
# the time each test took in the newest kept run.
# --suite DIR: the default guest tests are DIR/*.sh (selftests/), for the
# harness self-test.  --expected-skips FILE: the list of expected skips
# (selftests/vm/expected-skips).  --module FILE: this teredo.ko in every
# guest instead of the one built (the self-test's broken module).
# Results and logs: build/vm/last/ (a new build/vm/runs/DATE-XXXX each run).
# Environment: QEMU_ACCEL=kvm, VM_CPUS, VM_MEM, VM_TIMEOUT (seconds per
# guest), VM_TEST_TIMEOUT (seconds per test, 600,
# or a "# timeout=N" line in the test's first 20 lines), VM_APPEND (kernel args),
# VM_TIMEOUT_SCALE (multiplies the default guest and test timeouts: 1, the
# debug kernel is slower), VM_WAITS_GUEST (1: a second guest per kernel
# for the "# waits:" tests, 0: none; default 1 on 4 or more cores),
# VM_WAITS_SPLIT (0: without that guest, the "# waits:" tests on every
# kernel instead of one each).
set -uo pipefail

# shellcheck source=selftests/vm/vm-lib.sh
. "$(dirname "$0")/vm-lib.sh"

KERNELS="6.1 6.12"
TESTS=""
DO_DEPS=1
DO_BUILD=1
DO_SELFTEST=1
DO_HOST=1
SERIAL=0
OUTDIR=""
declare -A SMOKE=()
DEB_PID=""
KERNELS_GIVEN=0
SHARDS=1
SUITE=""
MODULE=""

while [ $# -gt 0 ]; do
	case $1 in
	--kernels)	KERNELS=$2; KERNELS_GIVEN=1; shift ;;
	--tests)	TESTS=$2; shift ;;
	--no-deps)	DO_DEPS=0 ;;
	--no-build)	DO_BUILD=0 ;;
	--no-selftest)	DO_SELFTEST=0 ;;
	--no-host)	DO_HOST=0 ;;
	--out)		OUTDIR=$2; shift ;;
	--serial)	SERIAL=1 ;;
	--debug-smoke)	SMOKE[debug]=$2; shift ;;
	--smoke)	SMOKE[$2]=$3; shift 2 ;;
	--shards)	SHARDS=$2; shift ;;
	--suite)	SUITE=$2; shift ;;
	--expected-skips) VM_EXPECTED_SKIPS=$2; shift ;;
	--module)	MODULE=$2; shift ;;
	-h|--help)	sed -n '3,50p' "$0"; exit 0 ;;
	*)		echo "run-check: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
KERNELS=${KERNELS//,/ }
[[ $SHARDS =~ ^[1-9][0-9]*$ ]] || { echo "run-check: --shards wants a number >= 1" >&2; exit 2; }
TESTS=${TESTS//,/ }
SCALE=${VM_TIMEOUT_SCALE:-1}
# guest_timeout SCALE: seconds a guest may take (VM_TIMEOUT overrides)
guest_timeout() { echo "${VM_TIMEOUT:-$((3600 * $1))}"; }

ST=$REPO/selftests
SUITE=${SUITE:-$ST}
NPASS=0
NFAIL=0
NSKIP=0
NTEST=0
T0=$(date +%s)

# Scripts of the default guest run: every selftests/*.sh but the
# libraries and the interactive ones, executable or not (the guest runs
# them with bash; a test committed without its executable bit still runs,
# and its line fails, see report_guest).
guest_tests_default() {
	local f
	for f in "$SUITE"/*.sh; do
		[ -f "$f" ] || continue
		case ${f##*/} in lib.sh|topo.sh|*_lib.sh|demo.sh|bench.sh) continue ;; esac
		echo "$f"
	done
}

host_tests_default() {
	local f
	for f in "$ST"/host/*.sh; do
		[ -e "$f" ] && echo "$f"
	done
}

# tap STATUS NAME [DETAIL] [OUTPUT_FILE]: STATUS is pass, fail or skip.
# A skip not in the expected-skip list (VM_EXPECTED_SKIPS) fails.
tap() {
	local st=$1 name=$2 detail=${3:-} out=${4:-} why
	NTEST=$((NTEST + 1))
	if [ "$st" = skip ]; then
		if why=$(vm_skip_expected "$name"); then
			detail="${detail:-no reason given} (expected: $why)"
		else
			st=fail
			detail="unexpected skip: ${detail:-no reason given} (not in ${VM_EXPECTED_SKIPS#"$REPO"/})"
		fi
	fi
	if [ -n "$out" ] && [ -s "$out" ]; then
		sed 's/^/# /' "$out"
	fi
	case $st in
	pass)	NPASS=$((NPASS + 1)); echo "ok $NTEST $name${detail:+ # $detail}" ;;
	skip)	NSKIP=$((NSKIP + 1)); echo "ok $NTEST $name # SKIP${detail:+ $detail}" ;;
	*)	NFAIL=$((NFAIL + 1)); echo "not ok $NTEST $name${detail:+ # $detail}" ;;
	esac
}

# tap_rc NAME RC [OUTPUT_FILE] [DETAIL]: a test's line, judged by its exit
# status and its TAP (vm_tap_verdict; LENIENT=1 for host tests).  Each
# skipped subtest of a passing test must be in the expected-skip list as
# NAME/DESCRIPTION, else the test fails.
tap_rc() {
	local name=$1 rc=$2 out=${3:-} detail=${4:-} desc why n=0 bad=""
	vm_tap_verdict "$out" "$rc"
	case $TAP_STATUS in
	skip)	tap skip "$name" "$TAP_DETAIL" "$out"; return ;;
	fail)	tap fail "$name" "$TAP_DETAIL${detail:+, $detail}" "$out"; return ;;
	esac
	while IFS=$'\t' read -r desc why; do
		[ -n "$desc$why" ] || continue
		if vm_skip_expected "$name/$desc" > /dev/null; then
			n=$((n + 1))
		else
			bad+="${bad:+; }'$desc' ($why)"
		fi
	done <<< "$TAP_SKIPS"
	if [ -n "$bad" ]; then
		tap fail "$name" "unexpected skip of subtest $bad (not in ${VM_EXPECTED_SKIPS#"$REPO"/})${detail:+, $detail}" "$out"
	else
		[ "$n" -gt 0 ] && detail="${detail:+$detail, }$n expected skip(s)"
		tap pass "$name" "$detail" "$out"
	fi
}

# --- which tests ---------------------------------------------------------
GUEST_TESTS=()
HOST_TESTS=()
resolve_tests() {
	local n f
	if [ -z "$TESTS" ]; then
		mapfile -t GUEST_TESTS < <(guest_tests_default)
		[ "$DO_HOST" = 1 ] && mapfile -t HOST_TESTS < <(host_tests_default)
		return 0
	fi
	DO_SELFTEST=0
	for n in $TESTS; do
		n=${n%.sh}
		n=${n##*/}
		if [ "$n" = selftest ] || [ "$n" = harness_selftest ]; then
			DO_SELFTEST=1
		elif [ -e "$SUITE/$n.sh" ]; then
			GUEST_TESTS+=("$SUITE/$n.sh")
		elif [ -e "$ST/$n.sh" ]; then
			GUEST_TESTS+=("$ST/$n.sh")
		elif [ -e "$ST/harness/$n.sh" ]; then
			GUEST_TESTS+=("$ST/harness/$n.sh")
		elif [ -e "$ST/host/$n.sh" ]; then
			HOST_TESTS+=("$ST/host/$n.sh")
		else
			echo "run-check: no test named '$n' in selftests/, selftests/harness/ or selftests/host/" >&2
			exit 2
		fi
	done
}

# --- build ---------------------------------------------------------------
declare -A KO
build_all() {
	local kver log kdir
	mkdir -p "$OUTDIR"
	for kver in $(printf '%s\n' "${KREL[@]}" | sort -u); do
		log=$OUTDIR/build-$kver.log
		KO[$kver]=""
		if [ "$DO_BUILD" = 0 ]; then
			[ -e "$BUILD/$kver/teredo.ko" ] && KO[$kver]=$BUILD/$kver/teredo.ko
			continue
		fi
		kdir=$(vm_kdir "$kver")
		if make -C "$REPO" --no-print-directory module KVER="$kver" KDIR="$kdir" > "$log" 2>&1; then
			KO[$kver]=$BUILD/$kver/teredo.ko
			if grep -q 'warning:' "$log"; then
				tail -n 30 "$log" > "$log.tail"
				tap fail "$(vm_series "$kver"):build" "compiler warnings, see $log" "$log.tail"
			else
				tap pass "$(vm_series "$kver"):build"
			fi
		else
			tail -n 30 "$log" > "$log.tail"
			tap fail "$(vm_series "$kver"):build" "see $log" "$log.tail"
		fi
	done
	if [ -n "$MODULE" ]; then
		for kver in "${!KO[@]}"; do
			KO[$kver]=$MODULE
		done
	fi
	[ "$DO_BUILD" = 1 ] || return 0
	build_debs
	log=$OUTDIR/build-tools.log
	if [ ! -e "$REPO/tools/Makefile" ]; then
		tap skip tools:build "no tools/Makefile yet"
	elif make -C "$REPO" --no-print-directory tools > "$log" 2>&1; then
		tap pass tools:build
	else
		tail -n 30 "$log" > "$log.tail"
		tap fail tools:build "see $log" "$log.tail"
	fi
}

# The Debian packages (tools/build-deb.sh, "make deb") into build/deb/,
# before the guests boot: the host test deb runs lintian on them, and
# for the guest test deb_install they are installed (deb:install,
# selftests/vm/deb-root.sh: dpkg -i on a clean root, DKMS builds the
# module for every kernel) into build/deb-root/root, which the guests
# then use.  Built once per run, only when one of those two runs.  The
# install runs beside the guests (it took 140 s of the run's wall time
# before they booted): build/deb-root.started, then build/deb-root.done
# when it has ended (deb_install waits for it: a new file shows through
# the guests' cached 9p mount, a removed one might not), and its result
# is reported once the host tests have run (report_deb_install).
build_debs() {
	local t log=$OUTDIR/build-deb.log built=0 out=$OUTDIR/deb-install.out start
	for t in "${GUEST_TESTS[@]}" "${HOST_TESTS[@]}"; do
		case $t in
		*/deb_install.sh|*/host/deb.sh) ;;
		*)	continue ;;
		esac
		if [ "$built" = 0 ]; then
			built=1
			if "$REPO/tools/build-deb.sh" "$BUILD/deb" > "$log" 2>&1; then
				tap pass deb:build "$(cd "$BUILD/deb" && echo *.deb)"
			else
				tail -n 30 "$log" > "$log.tail"
				tap fail deb:build "see $log" "$log.tail"
				return 0
			fi
		fi
		case $t in */deb_install.sh) ;; *) continue ;; esac
		rm -f "$BUILD/deb-root.done"
		touch "$BUILD/deb-root.started"
		# bounded (DEB_INSTALL_TIMEOUT, 2400 s): a dpkg or DKMS that
		# hangs fails the run instead of holding it.  At the lowest
		# priority: the
		# guests' first tests keep their speed (at the default one
		# DKMS's compilers stretched client_bubble_cap, the first
		# test, past its timeout); the install takes the time the
		# guests leave idle, and deb_install comes ~20 minutes later.
		(
			start=$(date +%s)
			BUILD=$BUILD nice -n 19 timeout -k 10 "${DEB_INSTALL_TIMEOUT:-2400}" \
				"$VM_DIR/deb-root.sh" "$BUILD/deb" "$BUILD/deb-root" \
				> "$out" 2>&1 < /dev/null
			echo "$? $(($(date +%s) - start))" > "$OUTDIR/deb-install.rc"
			touch "$BUILD/deb-root.done"
		) &
		DEB_PID=$!
		return 0
	done
}

# The result of build_debs's install, once it has ended.
report_deb_install() {
	local rc secs
	[ -n "$DEB_PID" ] || return 0
	wait "$DEB_PID"
	read -r rc secs < "$OUTDIR/deb-install.rc" || rc=1
	LENIENT=1 tap_rc deb:install "$rc" "$OUTDIR/deb-install.out" "${secs:-?} s"
}

# --- host tests ----------------------------------------------------------
run_host_tests() {
	local t name rc out
	mkdir -p "$OUTDIR/host"
	for t in "${HOST_TESTS[@]}"; do
		name=$(basename "$t" .sh)
		out=$OUTDIR/host/$name.out
		(cd "$(dirname "$t")" && PATH="$BUILD/tools:$PATH" \
			timeout -k 10 "${HOST_TEST_TIMEOUT:-900}" bash "$t") > "$out" 2>&1 < /dev/null
		rc=$?
		LENIENT=1 tap_rc "host:$name" "$rc" "$out"
	done
}

# --- guests --------------------------------------------------------------
# Start one guest (an entry of GUESTS) in the background; its results land
# in $OUTDIR/$id.
start_guest() {
	local id=$1 kver=${KREL[$1]} dir share scale=${KSCALE[$1]}
	dir=$OUTDIR/$id
	share=$dir/share
	rm -rf "$dir"
	mkdir -p "$share"
	if [ -n "${KO[$kver]}" ]; then
		mkdir -p "$dir/initrd-extra/teredo"
		cp "${KO[$kver]}" "$dir/initrd-extra/teredo/teredo.ko"
		vm_prepare_depmod "$kver" "${KO[$kver]}" "$dir/initrd-extra/teredo" ||
			echo "run-check: depmod for $kver failed" >&2
	fi
	cat > "$share/cmd" <<-EOF
	export VM_KVER='$kver' VM_KO='${KO[$kver]}' VM_LIVE=0
	export VM_TESTS='${KTESTS[$id]}' VM_TEST_TIMEOUT='${VM_TEST_TIMEOUT:-$((600 * scale))}'
	export VM_TIMEOUT_SCALE='$scale'
	export VM_PATH='$BUILD/tools' VM_TRACE='${VM_TRACE:-}'
	. '$VM_DIR/guest-init.sh'
	EOF
	(
		start=$(date +%s%N)
		vm_boot "$kver" "$share" "${KTIMEOUT[$id]}" "$dir/console.log"
		echo $? > "$dir/boot.rc"
		echo $((($(date +%s%N) - start) / 1000000)) > "$dir/wall.ms"
	) &
	GUEST_PID[$id]=$!
}

# Tests are named SERIES:test; the guest's own lines (modprobe, guest,
# kernel_log, kmemleak) SERIES/SHARD:... when the kernel has several guests.
report_guest() {
	local id=$1 kver=${KREL[$1]} s g dir share rc name n flags wall first t
	s=$(vm_series "$kver")
	g=$s${KSHARD[$id]:+/${KSHARD[$id]}}
	dir=$OUTDIR/$id
	share=$dir/share
	wait "${GUEST_PID[$id]}"
	rc=$(cat "$dir/boot.rc" 2>/dev/null || echo 1)
	wall=$(($(cat "$dir/wall.ms" 2>/dev/null || echo 0) / 1000))
	echo "# === guest $id: console log $dir/console.log, results $share/results"
	# <kernel>:modprobe: the guest installed our teredo.ko, loaded it,
	# made and deleted a device and unloaded it (guest-init.sh).
	if [ -n "${KO[$kver]}" ]; then
		if [ "$(cat "$share/module.rc" 2>/dev/null)" = 0 ]; then
			tap pass "$g:modprobe" "loaded, a device made and deleted, unloaded"
		else
			# the guest's lines up to its first test
			awk '/teredo-vm: .* run / { exit } /teredo-vm:/' "$dir/console.log" > "$dir/module.out"
			tap fail "$g:modprobe" "our teredo.ko did not install, load and make a device in the guest" \
				"$dir/module.out"
		fi
	fi
	n=0
	for t in ${KTESTS[$id]}; do
		name=$(basename "$t" .sh)
		if [ ! -x "$t" ] && [ -e "$share/results/$name.rc" ]; then
			tap fail "$s:$name" "not executable: ran, but a test must be (chmod +x ${t#"$REPO"/}; git add)" \
				"$share/results/$name.out"
		elif [ -e "$share/results/$name.rc" ]; then
			tap_rc "$s:$name" "$(cat "$share/results/$name.rc")" "$share/results/$name.out" \
				"$(($(cat "$share/results/$name.ms" 2>/dev/null || echo 0) / 1000)) s$(
				busy=$(cat "$share/results/$name.busy" 2>/dev/null) &&
					echo ", CPU $busy %")"
		else
			tap fail "$s:$name" "no result (guest died or timed out)" "$share/results/$name.out"
		fi
		n=$((n + 1))
	done
	flags=$(vm_red_flags "$dir/console.log" "$share/dmesg.txt")
	if [ "$rc" = 124 ]; then
		tail -n 40 "$dir/console.log" > "$dir/console.tail"
		tap fail "$g:guest" "timed out after ${KTIMEOUT[$id]} s" "$dir/console.tail"
	elif [ "$rc" != 0 ]; then
		tail -n 40 "$dir/console.log" > "$dir/console.tail"
		tap fail "$g:guest" "stopped without finishing (panic?)" "$dir/console.tail"
	else
		first=$(grep -a 'teredo-vm: .*run ' "$dir/console.log" | head -n1 | grep -q . && echo yes)
		tap pass "$g:guest" "${wall} s wall${first:+, boot $(boot_secs "$share") s to first test}"
	fi
	if [ -n "$flags" ]; then
		echo "$flags" > "$dir/red-flags.txt"
		tap fail "$g:kernel_log" "kernel log has BUG/WARNING/Oops lines" "$dir/red-flags.txt"
	else
		tap pass "$g:kernel_log"
	fi
	[ -e "$share/kmemleak.txt" ] && report_kmemleak "$g" "$share/kmemleak.txt" "$dir"
}

# A kernel with kmemleak (the debug kernel): the guest scanned after the
# tests.  Objects whose allocation trace has a "[teredo]" frame fail;
# others (the kernel's own boot-time reports) are only counted.  A frame of
# a module unloaded before the scan has no symbol: read the whole file.
report_kmemleak() {
	local s=$1 f=$2 dir=$3 all ours
	all=$(grep -c '^unreferenced object' "$f")
	ours=$(awk '/^unreferenced object/ { if (t) n++; t = 0 } /\[teredo\]/ { t = 1 }
		END { if (t) n++; print n + 0 }' "$f")
	if [ "$ours" -gt 0 ]; then
		head -n 200 "$f" > "$dir/kmemleak.head"
		tap fail "$s:kmemleak" "$ours of $all unreferenced objects allocated through teredo, see $f" \
			"$dir/kmemleak.head"
	else
		tap pass "$s:kmemleak" "$all unreferenced objects, none allocated through teredo ($f)"
	fi
}

# Seconds from power-on to the first test, from the guest's own clock.
boot_secs() {
	awk '{ printf "%.1f", $1 }' "$1/first-test.uptime" 2>/dev/null || echo "?"
}

# --smoke: a kernel we build joins a full default run only when its
# build is cached (building it costs more than the whole check).
add_smoke() {
	local k=$1 n kv t=() scale=1 how="make check KERNELS=$1"
	[ -n "${SMOKE[$k]}" ] && [ -z "$TESTS" ] && [ "$KERNELS_GIVEN" = 0 ] || return 0
	[ "$k" = debug ] && scale=${VM_DEBUG_SCALE:-8} how="make check-debug"
	if ! kv=$(vm_kver "$k" 2> /dev/null); then
		tap skip "$k:smoke" "no cached $k kernel ($how builds it)"
		return 0
	fi
	for n in ${SMOKE[$k]}; do
		[ -e "$ST/$n.sh" ] || { tap fail "$k:smoke" "no test named '$n'"; return 0; }
		t+=("$ST/$n.sh")
	done
	add_guests "$kv" 1 "$scale" "${t[@]}"
}

# test_cost KVER TEST: milliseconds TEST took on KVER in the newest kept
# run that has it (300000 if none).
test_cost() {
	local f name
	name=$(basename "$2" .sh)
	f=$(ls -1t "$BUILD"/vm/runs/*/"$1"*/share/results/"$name".ms 2>/dev/null | head -n1)
	[ -n "$f" ] && cat "$f" || echo 300000
}

# deal KVER N TEST...: "SHARD TEST" lines, longest tests first, each to
# the shard with the least work so far (by test_cost).
deal() {
	local kv=$1 n=$2 t
	shift 2
	for t in "$@"; do
		echo "$(test_cost "$kv" "$t") $t"
	done | sort -k1,1nr | awk -v n="$n" '{
		best = 1
		for (i = 2; i <= n; i++)
			if (load[i] < load[best])
				best = i
		load[best] += $1
		print best, $2
	}'
}

# add_guests KVER SHARDS SCALE TEST...: the guests that run TEST... on
# KVER: one guest in the given order, or the tests dealt to SHARDS guests
# (fewer if there are fewer tests) by the time each took last (deal).
# Fills GUESTS (ids: KVER, or KVER_N with shards) and the maps KREL
# (release), KSHARD (N or empty), KTESTS, KSCALE, KTIMEOUT.
add_guests() {
	local kv=$1 n=$2 scale=$3 i id dealt=""
	shift 3
	[ "$n" -le $# ] || n=$#
	[ "$n" -gt 1 ] && dealt=$(deal "$kv" "$n" "$@")
	for ((i = 1; i <= n; i++)); do
		if [ "$n" = 1 ]; then
			id=$kv KSHARD[$kv]=""
		else
			id=${kv}_$i KSHARD[${kv}_$i]=$i
		fi
		GUESTS+=("$id")
		KREL[$id]=$kv
		if [ "$n" = 1 ]; then
			KTESTS[$id]=$*
		else
			KTESTS[$id]=$(awk -v i="$i" '$1 == i { print $2 }' <<< "$dealt" | xargs)
		fi
		KSCALE[$id]=$scale
		KTIMEOUT[$id]=$(guest_timeout "$scale")
	done
}

# waits_test TEST: TEST has a "# waits: WHY" line among its first 20
# lines: it spends most of its time waiting on protocol timers (a peer's
# 30 s of trust, a 60 s GC, a NAT entry's age), its guest's CPU idle.
waits_test() {
	head -n 20 "$1" | grep -q '^# waits:'
}

# soak_test TEST: TEST has a "# soak: WHY" line among its first 20 lines:
# a long loop or flood of our own code (rounds of teardown, 100k peers,
# spoofed floods) whose kernel side the other tests cover on every kernel.
soak_test() {
	head -n 20 "$1" | grep -q '^# soak:'
}

# split_waits KVER: a full run on several kernels, one guest each: every
# test runs on every kernel but those marked "# waits:" or "# soak:",
# which are dealt to the kernels in turn (in name order; KIDX is this
# kernel's place in KERNELS).  They test our timers more than the kernel's, and a kernel's
# guest then spends about 9 minutes less waiting: the suite had grown
# past the hour CI allows (2026-12-06).  VM_WAITS_SPLIT=0 runs them on
# every kernel; --tests always does.
split_waits() {
	local kv=$1 t i=0 nk mine=()
	nk=$(wc -w <<< "$KERNELS")
	for t in "${GUEST_TESTS[@]}"; do
		if waits_test "$t" || soak_test "$t"; then
			[ $((i++ % nk)) = "$KIDX" ] || continue
		fi
		mine+=("$t")
	done
	add_guests "$kv" 1 "$SCALE" "${mine[@]}"
}

# add_kernel_guests KVER: the guests of one kernel.  With --shards N, the
# tests dealt to N guests.  Else, with VM_WAITS_GUEST=1 (the default on a
# host with 4 or more cores), the tests marked "# waits:" run in a second
# guest beside the others ("KVER_w", SERIES/w:guest), and the kernel's
# wall time is the longer of the two instead of their sum.  Not on 2
# cores: a guest is one TCG thread, and measured there (2026-12-06) the
# waiting tests still took 35 % of a core each, so two such guests beside
# the two busy ones halved the busy ones' speed and doubled the waiting
# ones' time (client_bubble_cap 142 s -> over its 300 s timeout).
add_kernel_guests() {
	local kv=$1 t busy=() waits=() want=${VM_WAITS_GUEST:-}
	[ -n "$want" ] || { [ "$(nproc)" -ge 4 ] && want=1 || want=0; }
	if [ "$SHARDS" = 1 ] && [ "$want" != 1 ] && [ -z "$TESTS" ] &&
	   [ "$(wc -w <<< "$KERNELS")" -gt 1 ] && [ "${VM_WAITS_SPLIT:-1}" != 0 ]; then
		split_waits "$kv"
		return
	fi
	if [ "$SHARDS" -gt 1 ] || [ "$want" != 1 ]; then
		add_guests "$kv" "$SHARDS" "$SCALE" "${GUEST_TESTS[@]}"
		return
	fi
	for t in "${GUEST_TESTS[@]}"; do
		if waits_test "$t"; then
			waits+=("$t")
		else
			busy+=("$t")
		fi
	done
	if [ ${#waits[@]} = 0 ] || [ ${#busy[@]} = 0 ]; then
		add_guests "$kv" 1 "$SCALE" "${GUEST_TESTS[@]}"
		return
	fi
	add_guests "$kv" 1 "$SCALE" "${busy[@]}"
	GUESTS+=("${kv}_w")
	KREL[${kv}_w]=$kv KSHARD[${kv}_w]=w KTESTS[${kv}_w]=${waits[*]}
	KSCALE[${kv}_w]=$SCALE KTIMEOUT[${kv}_w]=$(guest_timeout "$SCALE")
}

# --- main ----------------------------------------------------------------
resolve_tests
echo "TAP version 13"
# Each run has its own directory (several developers may run tests in
# the same tree at once); build/vm/last points to the newest, and only
# the 5 newest runs are kept.
if [ -z "$OUTDIR" ]; then
	mkdir -p "$BUILD/vm/runs"
	OUTDIR=$(mktemp -d "$BUILD/vm/runs/$(date +%Y%m%d-%H%M%S)-XXXX") || exit 1
	ln -sfn "runs/${OUTDIR##*/}" "$BUILD/vm/last"
	ls -1d "$BUILD"/vm/runs/2* 2>/dev/null | sort | head -n -5 | xargs -r rm -rf
fi
mkdir -p "$OUTDIR"
if [ "$DO_DEPS" = 1 ] && ! "$VM_DIR/setup-host.sh" > "$OUTDIR/deps.log" 2>&1; then
	tail -n 20 "$OUTDIR/deps.log" > "$OUTDIR/deps.tail"
	tap fail host:deps "selftests/vm/setup-host.sh failed" "$OUTDIR/deps.tail"
fi

GUESTS=()
declare -A KREL KSHARD KTESTS KSCALE KTIMEOUT
if [ ${#GUEST_TESTS[@]} -gt 0 ]; then
	KIDX=-1
	for k in $KERNELS; do
		KIDX=$((KIDX + 1))
		if ! kv=$(vm_kver_build "$k" "$OUTDIR/kernel-$k.log"); then
			tail -n 20 "$OUTDIR/kernel-$k.log" > "$OUTDIR/kernel-$k.tail" 2> /dev/null
			tap fail "$k:kernel" "no installed kernel matches '$k', nor could it be built" \
				"$OUTDIR/kernel-$k.tail"
			continue
		fi
		add_kernel_guests "$kv"
	done
fi
for k in $(printf '%s\n' "${!SMOKE[@]}" | sort); do
	add_smoke "$k"
done
build_all

# The guests boot first and the host tests run while they work; results
# are printed in a fixed order: host tests, then each kernel.
declare -A GUEST_PID
if [ ${#GUESTS[@]} -gt 0 ]; then
	for id in "${GUESTS[@]}"; do
		echo "# booting $id: $(wc -w <<< "${KTESTS[$id]}") test(s)"
	done
	for id in "${GUESTS[@]}"; do
		start_guest "$id"
		[ "$SERIAL" = 1 ] && wait "${GUEST_PID[$id]}"
	done
fi
# Host tests compete with the guests for the CPU: start them once every
# guest has booted (or after 60 s), not to slow the boots down.
for ((i = 0; i < 600; i++)); do
	booted=1
	for id in "${GUESTS[@]}"; do
		[ -e "$OUTDIR/$id/share/first-test.uptime" ] || [ -e "$OUTDIR/$id/boot.rc" ] ||
			booted=0
	done
	[ "$booted" = 1 ] && break
	sleep 0.1
done
run_host_tests
report_deb_install

# The harness must be able to fail: run the canaries in guests of their
# own and expect red (selftests/harness/selftest.sh).  They start as soon
# as one test guest has ended, on the core it leaves idle while the
# others finish, not after the last one.
selftest_pid=""
start_selftest() {
	KERNELS=${KERNELS%% *} SELFTEST_OUT=$OUTDIR/selftest \
		bash "$ST/harness/selftest.sh" > "$OUTDIR/harness-selftest.out" 2>&1 &
	selftest_pid=$!
}
if [ "$DO_SELFTEST" = 1 ] && [ ${#GUESTS[@]} -gt 1 ]; then
	while [ -z "$selftest_pid" ]; do
		for id in "${GUESTS[@]}"; do
			[ -e "$OUTDIR/$id/boot.rc" ] && start_selftest && break
		done
		sleep 2
	done
fi
for id in "${GUESTS[@]}"; do
	report_guest "$id"
done

if [ "$DO_SELFTEST" = 1 ]; then
	[ -n "$selftest_pid" ] || start_selftest
	wait "$selftest_pid"
	tap_rc "harness:selftest" $? "$OUTDIR/harness-selftest.out"
fi

echo "1..$NTEST"
echo "# total $(($(date +%s) - T0)) s; logs under $OUTDIR"
echo "$NPASS passed, $NFAIL failed, $NSKIP skipped"
[ "$NFAIL" = 0 ]
