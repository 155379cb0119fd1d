#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
# Stopping the client is final (issue 23 item 11).  Client 1 runs the
# refresh interval determination (refresh auto: its own UDP socket) and
# is never used, so it dozes ("dormant until used") at the first
# exposure poll after each qualification: the client work stops the
# determination and releases its socket, which waits for an RCU grace
# period.  Meanwhile link down/up and "teredo-nl qualify" stop the
# client under RTNL, which stops the determination too.  Before the fix
# both could release the same socket, and the exposure paths could
# queue the client work again after it was cancelled.
#
# The exposure poll runs 1 s after the link comes up, then every second:
# each round brings the link up, waits for the address, and aims a
# qualify just after each of the next two polls (a 0-130 ms sweep, so
# that some land while the dozing work releases the socket; the first
# qualify restarts the client, which dozes again at the second poll),
# then takes the link down at a random moment.  A second loop asks for
# qualification at random meanwhile.  Afterwards: no
# kernel warning, the client still qualifies and carries a ping, and
# deleting the device leaves no UDP socket in its netns and lets the
# module go.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
defer "modprobe teredo"
require_root
require_cmd miredo-server nft python3 ping ss teredo-nl
require_module teredo
ktap_plan 13

ROUNDS=${ROUNDS:-15}
RED='WARNING:|BUG:|Oops|KASAN|UBSAN|refcount_t|use-after-free|general protection|list_add corruption|list_del corruption'
stat() { in_ns c1 ethtool -S t0 | awk -v k="$1:" '$1 == k { print $2 }'; }
udp_socks() { in_ns c1 ss -Huan | wc -l; }
red_lines() { dmesg | tail -n "+$((log0 + 1))" | grep -E "$RED"; }

topo_build 2
# The hammer outlasts conntrack's 30 s for an unconfirmed UDP mapping:
# a client 2 re-mapped to a new port has a new address (one 6.1 run
# under three guests: 0 of 3 pings after the hammer).
topo_nat_udp_timeout 1 300
topo_nat_udp_timeout 2 300
topo_server_start
log0=$(dmesg | wc -l)
udp0=$(udp_socks)
check "client 2 configured" topo_teredo 2 t0
check "client 1 configured: refresh auto, idle after 1 s" \
	topo_teredo 1 t0 refresh auto dormant-timeout 1
check "client 2 qualifies" topo_wait_state 2 t0 qualified 20
a2=$(topo_show 2 t0 address)
# never used: it dozes once qualified, keeping its address parked
check "client 1 qualifies, then dozes" topo_wait_state 1 t0 dormant 30
diag "client 2 $a2; client 1 parked $(topo_global_addr c1 t0)"

# The qualify loop: random gaps of 0-2 s until the hammer is done.
qloop() {
	local n=0
	while [ ! -e "$TOPO_TMP/done" ]; do
		in_ns c1 teredo-nl qualify t0 > /dev/null 2>&1
		n=$((n + 1))
		sleep "$((RANDOM % 2)).$((RANDOM % 10))"
	done
	echo "$n" > "$TOPO_TMP/qloop.count"
}
qloop &
qpid=$!
TOPO_PIDS+=("$qpid")

start=$SECONDS
dozes0=$(dmesg | grep -c 't0: dormant (idle)')
in_ns c1 python3 - "$ROUNDS" > "$TOPO_TMP/hammer.out" 2>&1 <<-'PY'
	import random, subprocess, sys, time

	rounds = int(sys.argv[1])
	calls = {"up": 0, "down": 0, "qualify": 0}
	late = 0
	got = []
	t0 = time.monotonic()


	def run(what):
	    calls[what] += 1
	    cmd = ["teredo-nl", "qualify", "t0"] if what == "qualify" else \
	        ["ip", "link", "set", "t0", what]
	    subprocess.run(cmd, stdout=subprocess.DEVNULL,
	                   stderr=subprocess.DEVNULL)


	def teredo_address():
	    with open("/proc/net/if_inet6") as f:
	        return any(l.split()[5] == "t0" and l.startswith("20010000")
	                   for l in f)


	for i in range(rounds):
	    pre = time.monotonic()
	    run("up")
	    # the device's exposure poll starts during "ip link set up"
	    up = (pre + time.monotonic()) / 2
	    # qualified (RA, DAD): the interval determination opens its socket
	    while not teredo_address() and time.monotonic() < up + 30:
	        time.sleep(0.02)
	    # the exposure polls after it, at about up + k s: the first one
	    # dozes, the qualify restarts the client, the next one dozes again
	    got.append(time.monotonic() - up)
	    k = int(got[-1]) + 1
	    for j in (0, 1):
	        at = up + k + j + ((i + 7 * j) % 13) * 0.01 + \
	            random.uniform(0, 0.01)
	        if time.monotonic() > at:
	            late += 1
	        time.sleep(max(0.0, at - time.monotonic()))
	        run("qualify")
	    time.sleep(random.uniform(0, 0.5))
	    run("down")
	run("up")
	print(rounds, calls["up"], calls["down"], calls["qualify"], late,
	      "%.2f" % (sum(got) / len(got)), "%.2f" % max(got),
	      "%.1f" % ((time.monotonic() - t0) / rounds))
	PY
rc=$?
touch "$TOPO_TMP/done"
[ "$rc" = 0 ] || diag "hammer: $(cat "$TOPO_TMP/hammer.out")"
wait "$qpid"
read -r rounds ups downs quals late qmean qmax per < "$TOPO_TMP/hammer.out"
qloop_n=$(cat "$TOPO_TMP/qloop.count" 2>/dev/null || echo 0)
dozes=$(($(dmesg | grep -c 't0: dormant (idle)') - dozes0))
diag "rounds ${rounds:-?} of $ROUNDS in $((SECONDS - start)) s: link up ${ups:-?}, down ${downs:-?}, qualify ${quals:-?} aimed + $qloop_n random, $dozes dozes, ${late:-?} polls missed; up to the address ${qmean:-?} s on average (max ${qmax:-?} s), ${per:-?} s a round"
check "hammer: $ROUNDS rounds done" test "$rc" = 0 -a "${rounds:-0}" = "$ROUNDS"
# (each round's first qualification ends in a doze, unless a stop comes first)
check "the client dozed while stopped and started (the race was run)" \
	test "$dozes" -gt 0
red=$(red_lines)
[ -n "$red" ] && diag "kernel log: $(head -n 5 <<< "$red")"
check "kernel log: no WARNING/BUG/refcount/KASAN line" test -z "$red"

# still qualifies, and an authorized ping wakes it and is answered
q0=$(stat qualifications)
in_ns c1 teredo-nl qualify t0
check "client 1 qualifies again" \
	wait_for "[ \"\$(stat qualifications)\" -gt $q0 ]" 30
out=$(in_ns c1 ping -c 3 -W 10 "$a2" 2>&1)
diag "$(grep -E 'transmitted' <<< "$out")"
check "client 1 pings client 2 through t0" grep -qE " [1-3] received" <<< "$out"

check "ip link del t0 (client 1)" in_ns c1 ip link del t0
udp1=$(udp_socks)
diag "UDP sockets in c1: $udp0 before the device, $udp1 after its deletion"
check "no UDP socket left in client 1's netns (determination, discovery)" \
	test "$udp1" = "$udp0"
in_ns c2 ip link del t0
check "rmmod teredo (module references back)" module_unload teredo 20
red=$(red_lines)
[ -n "$red" ] && diag "kernel log: $(head -n 5 <<< "$red")"
check "kernel log after the delete and rmmod: clean" test -z "$red"
tap_end
