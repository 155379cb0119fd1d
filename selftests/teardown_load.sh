#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=600
# Issue 8 item 4: teardown under load.  While client 1 floods client 2
# with pings (ping -f, through both devices) and teredo-gen floods
# client 1 with echo requests from spoofed Teredo sources (receive,
# peer creation, eviction and replies), run ROUNDS rounds of each of:
# genl setting changes (teredo-nl set: refresh, max-peers, port, which
# rebinds the socket and flushes the peers), "ip link del" + re-add,
# deleting a netns whose device is receiving, and rmmod + modprobe.
# Nothing may oops or WARN (the harness checks the kernel log; a peer
# leaked past rmmod makes the slab allocator warn about its cache), the
# clients must work again afterwards, and the unreclaimable slab must
# come back to where it was.
#
# TEARDOWN_ROUNDS=N (default 10: under TCG on a shared 2-core machine one
# round of each kind takes 3-5 s, so 100 rounds would take half an hour).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack nft python3 ping teredo-nl teredo-gen
require_module teredo

R=${TEARDOWN_ROUNDS:-10}
PORT=3545

unreclaimable_kb() {
	sync
	echo 2 > /proc/sys/vm/drop_caches
	awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo
}
# load: ping -f 1 -> 2 and spoofed echo requests into 1, restarted
# whenever a teardown kills them, until stop_load
load() {
	(while :; do
		in_ns c1 ping -f -c 100000 -W 1 "$a2" > /dev/null 2>&1
		sleep 0.2
	done) &
	LOAD_PIDS=($!)
	(while :; do
		in_ns c1 teredo-gen -d 10.0.1.2:$PORT -m "$a1" -k echo -n 2000 -r 5 > /dev/null 2>&1
		sleep 0.2
	done) &
	LOAD_PIDS+=($!)
}
stop_load() {
	local p kids
	for p in "${LOAD_PIDS[@]}"; do
		kids=$(pgrep -P "$p")
		kill "$p" 2> /dev/null
		wait "$p" 2> /dev/null
		# shellcheck disable=SC2086
		[ -n "$kids" ] && kill $kids 2> /dev/null
	done
	LOAD_PIDS=()
}
LOAD_PIDS=()
defer stop_load

kb0=$(unreclaimable_kb)
topo_build 2
topo_server_start
check "client 1 configured" topo_teredo 1 t0 port $PORT refresh 300 max-peers 3000 || tap_end
check "client 2 configured" topo_teredo 2 t0 refresh 300 || tap_end
check "client 1 qualifies" topo_wait_state 1 t0 qualified 30 || tap_end
check "client 2 qualifies" topo_wait_state 2 t0 qualified 30 || tap_end
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
out=$(in_ns c1 ping -c 2 -i 0.5 -W 10 "$a2" 2>&1)
check "ping 1 -> 2 before" grep -q " 2 received" <<< "$out" || diag "$out"

load
sleep 3
tx0=$(in_ns c1 cat /sys/class/net/t0/statistics/tx_packets)
rx0=$(in_ns c1 cat /sys/class/net/t0/statistics/rx_packets)
diag "under load: client 1 tx $tx0 rx $rx0 packets so far"
check "the load goes through client 1's device" test "$tx0" -gt 10

# --- genl setting changes ---------------------------------------------------
start=$SECONDS
fails=0
for i in $(seq "$R"); do
	in_ns c1 teredo-nl set t0 refresh $((100 + i)) max-peers $((1000 + i)) || fails=$((fails + 1))
	# every other round: a new port (rebinds the socket, flushes the peers)
	[ $((i % 2)) = 0 ] && { in_ns c1 teredo-nl set t0 port $((PORT + i % 4)) || fails=$((fails + 1)); }
done
in_ns c1 teredo-nl set t0 port $PORT max-peers 3000
check "$R rounds of genl set under load ($((SECONDS - start)) s)" test $fails = 0

# --- ip link del + add ------------------------------------------------------
start=$SECONDS
fails=0
for i in $(seq "$R"); do
	in_ns c1 ip link del t0 || fails=$((fails + 1))
	topo_teredo 1 t0 port $PORT refresh 300 max-peers 3000 || fails=$((fails + 1))
	sleep 0.3
done
check "$R rounds of ip link del/add under load ($((SECONDS - start)) s)" test $fails = 0

# --- netns delete -----------------------------------------------------------
# a scratch netns with a device whose socket receives spoofed traffic
start=$SECONDS
fails=0
for i in $(seq "$R"); do
	n=$TOPO-x$i
	{ ip netns add "$n" && ip -n "$n" link set lo up &&
		ip -n "$n" link add t0 type teredo &&
		ip netns exec "$n" teredo-nl set t0 server 192.0.2.1 port $PORT &&
		ip -n "$n" link set t0 up; } > /dev/null 2>&1 || fails=$((fails + 1))
	ip netns exec "$n" teredo-gen -d 127.0.0.1:$PORT -m "$a1" -n 3000 > /dev/null 2>&1 &
	g=$!
	sleep 0.2
	ip netns delete "$n" || fails=$((fails + 1))
	wait $g
done
check "$R rounds of netns delete under load ($((SECONDS - start)) s)" test $fails = 0

# --- rmmod + modprobe -------------------------------------------------------
start=$SECONDS
fails=0
for i in $(seq "$R"); do
	module_unload teredo 20 || fails=$((fails + 1))
	modprobe teredo || fails=$((fails + 1))
	topo_teredo 1 t0 port $PORT refresh 300 max-peers 3000 > /dev/null 2>&1 || fails=$((fails + 1))
	topo_teredo 2 t0 refresh 300 > /dev/null 2>&1 || fails=$((fails + 1))
	sleep 0.5
done
check "$R rounds of rmmod/modprobe under load ($((SECONDS - start)) s)" test $fails = 0

# --- still working, nothing left behind -------------------------------------
stop_load
check "client 1 qualifies again" topo_wait_state 1 t0 qualified 30
check "client 2 qualifies again" topo_wait_state 2 t0 qualified 30
a2=$(topo_show 2 t0 address)
out=$(in_ns c1 ping -c 3 -i 0.5 -W 10 "$a2" 2>&1)
check "ping 1 -> 2 after: 3 of 3" grep -q " 3 received" <<< "$out" || diag "$out"

topo_cleanup 2> /dev/null
check "rmmod at the end" module_unload teredo 20
kb1=$(unreclaimable_kb)
diag "unreclaimable slab: $kb0 kB before, $kb1 kB after"
check "unreclaimable slab back within 4 MiB" test $((kb1 - kb0)) -lt 4096
check "no oops or WARN so far" bash -c '! dmesg | grep -qE "WARNING:|BUG:|Oops|still has objects"'
tap_end
