#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs as PID 1 inside the test guest, in the host's (read-only) root.
# Finishes the system setup, installs our teredo.ko so that plain
# "modprobe teredo" and rtnetlink autoload find it, runs the requested
# tests and powers the guest off.
#
# Environment (from /run/vm/cmd, written by the host):
#   VM_KVER    kernel release
#   VM_KO      our module on the host ("" or missing: none)
#   VM_TESTS   test scripts to run, absolute paths
#   VM_LIVE    1: test output to the console as well (demo, bench)
#   VM_TEST_TIMEOUT  seconds per test
#   VM_PATH    extra PATH entries (build/tools)
#   VM_TIMEOUT_SCALE  multiplies "# timeout=N" (1; more on the debug kernel)

OUT=/run/vm
RES=$OUT/results
mkdir -p $RES

# Builtins only where it is cheap: every exec costs 15-50 ms under TCG.
say() {
	local up
	read -r up _ < /proc/uptime
	echo "teredo-vm: [$up] $*"
}

setup_system() {
	local rel cpus k v
	read -r rel < /proc/sys/kernel/osrelease
	cpus=(/sys/devices/system/cpu/cpu[0-9]*)
	while read -r k v _; do
		[ "$k" = MemTotal: ] && break
	done < /proc/meminfo
	say "kernel $rel, ${#cpus[@]} cpu(s), $((v / 1024)) MiB"
}

# Our module goes into updates/ of an overlay over /lib/modules/$VM_KVER,
# with a fresh modules.dep: "modprobe teredo" and "ip link add ... type
# teredo" (request_module("rtnl-link-teredo")) then find it.  Then the
# hard check of "<kernel>:modprobe": load it, make a device, delete it
# and unload it (the tests start with the module unloaded, as before).
# Any step failing fails the line, whatever the tests do after.
install_module() {
	local mods=/lib/modules/$VM_KVER
	[ -n "${VM_KO:-}" ] || { say "no teredo.ko given"; return 0; }
	local found out
	found=$(modinfo -n teredo 2>&1)
	if [ "$found" != "$mods/updates/teredo.ko" ]; then
		say "modinfo -n teredo: $found"
		say "modinfo does not find our teredo.ko in $mods/updates"
		return 1
	fi
	say "teredo.ko installed in $mods/updates"
	if ! out=$(modprobe teredo 2>&1) || [ ! -d /sys/module/teredo ]; then
		say "modprobe teredo failed: $out"
		dmesg | grep -i teredo | tail -n 5 | while read -r out; do say "dmesg: $out"; done
		return 1
	fi
	if ! out=$(ip link add teredo-vm0 type teredo 2>&1); then
		say "ip link add teredo-vm0 type teredo failed: $out"
		return 1
	fi
	if ! out=$(ip link del teredo-vm0 2>&1); then
		say "ip link del teredo-vm0 failed: $out"
		return 1
	fi
	if ! out=$(modprobe -r teredo 2>&1) || [ -d /sys/module/teredo ]; then
		say "modprobe -r teredo failed: $out"
		return 1
	fi
	say "teredo.ko loads, makes and deletes a device, unloads"
}

# A test may ask for its own timeout with a "# timeout=N" line among its
# first 20 lines (times VM_TIMEOUT_SCALE: the debug kernel is slower).
test_timeout() {
	local line n=0
	while read -r line && [ $n -lt 20 ]; do
		n=$((n + 1))
		if [[ $line =~ ^#\ timeout=([0-9]+) ]]; then
			echo $((BASH_REMATCH[1] * ${VM_TIMEOUT_SCALE:-1}))
			return
		fi
	done < "$1"
	echo "${VM_TEST_TIMEOUT:-600}"
}

# cpu_jiffies: "BUSY TOTAL" jiffies of all CPUs since boot (/proc/stat;
# idle and iowait are not busy).
cpu_jiffies() {
	local _c user nice sys idle iow irq sirq steal _rest
	read -r _c user nice sys idle iow irq sirq steal _rest < /proc/stat
	echo $((user + nice + sys + irq + sirq + steal)) \
		$((user + nice + sys + idle + iow + irq + sirq + steal))
}

run_one() {
	local t=$1 name rc start end tmo up b0 t0 b1 t1
	name=${t##*/}
	name=${name%.sh}
	tmo=$(test_timeout "$t")
	echo "$name" >> $RES/list
	if [ ! -e $OUT/first-test.uptime ]; then
		read -r up _ < /proc/uptime
		echo "$up" > $OUT/first-test.uptime
	fi
	say "run $name"
	start=${EPOCHREALTIME/./}
	read -r b0 t0 <<< "$(cpu_jiffies)"
	cd "${t%/*}" || return
	if [ "${VM_LIVE:-0}" = 1 ]; then
		timeout -k 10 "$tmo" bash --noprofile --norc "$t" 2>&1 |
			tee "$RES/$name.out"
		rc=${PIPESTATUS[0]}
	else
		timeout -k 10 "$tmo" bash --noprofile --norc "$t" \
			> "$RES/$name.out" 2>&1 < /dev/null
		rc=$?
	fi
	end=${EPOCHREALTIME/./}
	read -r b1 t1 <<< "$(cpu_jiffies)"
	cd / || return
	echo "$rc" > "$RES/$name.rc"
	echo $(((end - start) / 1000)) > "$RES/$name.ms"
	# how busy the guest's CPUs were during the test, in percent: a
	# test that mostly waits ("# waits:" in run-check.sh) shows little
	echo $(((b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1))) > "$RES/$name.busy"
	say "end $name rc=$rc"
	# Whatever a test leaves behind must not break the next one.
	ip -all netns delete 2>/dev/null
}

# A kernel with kmemleak (the debug kernel): scan after the tests (twice:
# an object must look unreferenced in two scans to be reported) and hand
# the report to the host.
kmemleak_scan() {
	local k=/sys/kernel/debug/kmemleak
	[ -w $k ] || return 0
	say "kmemleak scan"
	echo scan > $k
	sleep 6
	echo scan > $k
	cat $k > $OUT/kmemleak.txt 2>&1
	say "kmemleak: $(grep -c '^unreferenced object' $OUT/kmemleak.txt) unreferenced object(s)"
}

main() {
	local t
	setup_system
	export PATH="${VM_PATH:+$VM_PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	export HOME=/root TERM=${TERM:-dumb}
	if install_module; then
		echo 0 > $OUT/module.rc
	else
		echo 1 > $OUT/module.rc
	fi
	for t in $VM_TESTS; do
		run_one "$t"
	done
	kmemleak_scan
	dmesg > $OUT/dmesg.txt 2>&1
	echo "done" > $OUT/status
	sync
	say "power off"
	/bin/busybox poweroff -f
	sleep 30
}

[ -n "${VM_TRACE:-}" ] && { exec 9> $OUT/trace.txt; BASH_XTRACEFD=9; PS4='+ $EPOCHREALTIME '; set -x; }
main "$@"
