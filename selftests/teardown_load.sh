#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# soak: rounds of every teardown under traffic and a spoofed flood (lifetimes: module_lifecycle, client_stop_race on every kernel)
# timeout=600
# Issue 8 item 4: teardown under load.  While iperf3 sends TCP from
# client 1 to client 2 through both devices (restarted against the
# peer's current address whenever a teardown kills it) and teredo-gen
# floods client 1's port with echo requests from spoofed Teredo sources
# (receive, peer creation, eviction, replies), TEARDOWN_ROUNDS (30)
# rounds of each kind:
#   genl    TEREDO_CMD_DEV_SET on client 1's device: refresh, max-peers,
#           rxmark, dormant-timeout, authorized marks; every 2nd also the
#           port (socket rebind, peer flush, requalification)
#   link    "ip link del t0" + "ip link add t0 up type teredo server ..
#           port .. refresh .." + "teredo-nl set t0 allow MARK" in client 1
#   netns   a netns deleted while its device receives Teredo bubbles;
#           every 2nd one also holds the socket of a device moved into
#           client 1, which must go with it (teredo_exit_batch_rtnl)
#   rmmod   rmmod teredo (all devices of all netns go) + load it again +
#           both clients' devices re-created and authorized
# The genl, link and rmmod rounds are done by selftests/tools/teardown.py,
# one process sending the netlink requests ip and teredo-nl would send
# (under TCG each exec costs 50-300 ms, three to six of them a round);
# its link and rmmod rounds pause a random 0-0.2 s and 0-0.1 s so that
# the load reaches each new device.  The netns rounds run 10 at a time
# ("ip -batch" adds and deletes 10 names).
#
# Every 20 link rounds, 25 rmmod rounds, 50 genl rounds and after the
# netns rounds a checkpoint waits for both clients to qualify again and
# asserts pings 1 -> 2 through the new devices (at least 1 of 5: the
# load competes) and at least 64 kB from iperf3 through them.
#
# Nothing may oops or WARN (the harness checks the kernel log; a peer
# leaked past rmmod makes kmem_cache_destroy() warn about teredo_peer),
# the clients must work again afterwards, and the unreclaimable slab
# must come back within 2 MiB of where it was before the rounds (same
# topology and devices): the deleted netns are cleaned up
# asynchronously, so it is polled (drop_caches, every cache shrunk) for
# up to 60 s; the caches that grew most are printed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack nft python3 ping iperf3 teredo-nl teredo-gen modinfo
require_module teredo
ktap_plan 22

R=${TEARDOWN_ROUNDS:-30}
PORT=3545
SLAB_MAX_KB=${TEARDOWN_SLAB_KB:-2048}
# Devices made by "ip" in the scratch netns: the iproute2 plugin.
PLUGIN_DIR=$(cd "$HERE/.." && pwd)/build/tools/ip
[ -e "$PLUGIN_DIR/link_teredo.so" ] && export IP_LIB_DIR=$PLUGIN_DIR

# slab_bytes: "cache bytes" (active objects x object size), sorted.
slab_bytes() {
	awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo | LC_ALL=C sort
}
addr_of() { topo_global_addr "c$1" t0 2> /dev/null | head -n1; }

# load: iperf3 TCP 1 -> 2 (capped: the rounds must get CPU too) and
# spoofed echo requests into 1, restarted whenever a teardown kills them,
# until stop_load.  A client that lost its device is killed by "timeout".
# An iperf3 server whose client vanished during the handshake waits for
# its cookie forever (3.12: the connection sat in CLOSE-WAIT with the
# next ones queued on its listener, seen as "SYNs arrive, no data"), so
# the one-off servers are restarted every 10 s and three of them take
# turns.  These timeouts are "scaled" on the debug kernel (there, one
# rmmod checkpoint saw 5 of 5 pings but iperf3 moved 1160 bytes in 328 s).
load() {
	local p
	LOAD_PIDS=()
	for p in 5201 5202 5203; do
		(while :; do
			in_ns c2 timeout -k 1 "$(scaled 10)" iperf3 -s -1 -p $p \
				--rcv-timeout "$(scaled 3000)" > /dev/null 2>&1
		done) &
		LOAD_PIDS+=($!)
	done
	(p=5201
	while :; do
		a=$(addr_of 2)
		[ -n "$a" ] && in_ns c1 timeout -k 1 "$(scaled 7)" iperf3 -c "$a" -p $p -t 3 -b 4M \
			--connect-timeout "$(scaled 3000)" > /dev/null 2>&1
		p=$((p == 5203 ? 5201 : p + 1))
		sleep 0.2
	done) &
	LOAD_PIDS+=($!)
	(while :; do
		a=$(addr_of 1)
		[ -n "$a" ] && in_ns c1 teredo-gen -d 10.0.1.2:$PORT -m "$a" -k echo -n 1000 -r 2 \
			> /dev/null 2>&1
		sleep 1
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

# c2_rx_bytes: bytes client 2's device received (0 without a device):
# only client 1 sends to it, and in bulk only iperf3.
c2_rx_bytes() {
	in_ns c2 cat /sys/class/net/t0/statistics/rx_bytes 2> /dev/null || echo 0
}
# checkpoint NAME: both clients qualified again (20 s), pings 1 -> 2
# answered through the new devices (1 of 5 within 10 s suffices: the
# load competes), and iperf3 moved at least 64 kB through them within
# 30 s of the checkpoint's start (deadlines "scaled" on the debug
# kernel).  Counts misses in $cp_fail.
checkpoint() {
	local b0 b a out t0=$SECONDS
	cp_n=$((cp_n + 1))
	b0=$(c2_rx_bytes)
	# shellcheck disable=SC2016
	if ! wait_for '[ -n "$(addr_of 1)" ] && a=$(addr_of 2) && [ -n "$a" ] || ! sleep 0.4' "$(scaled 20)"; then
		cp_fail=$((cp_fail + 1))
		diag "$1 checkpoint $cp_n: not qualified within $(scaled 20) s"
		topo_diag 1
		return
	fi
	# shellcheck disable=SC2031 # (a is set by wait_for's eval)
	out=$(in_ns c1 ping -c 5 -i 0.2 -w "$(scaled 10)" "$a" 2>&1)
	# shellcheck disable=SC2031
	if ! grep -qE " [1-9][0-9]* received" <<< "$out"; then
		cp_fail=$((cp_fail + 1))
		topo_diag 1 t0 "$a"
		diag "c1's peer: $(in_ns c1 teredo-nl peers t0 | grep -F -A2 "$a" | tr -s '\n\t' '  ')"
	fi
	# shellcheck disable=SC2016
	wait_for '[ $(($(c2_rx_bytes) - b0)) -ge 65536 ] || ! sleep 0.4' $(($(scaled 30) - (SECONDS - t0)))
	b=$(($(c2_rx_bytes) - b0))
	[ "$b" -ge 65536 ] || cp_fail=$((cp_fail + 1))
	diag "$1 checkpoint $cp_n: $(grep -o '[0-9]* received' <<< "$out") of 5 pings," \
		"client 2 received $b bytes (iperf3) in $((SECONDS - t0)) s"
}

# td CMD ARGS: one command to the teardown.py coprocess; true if all
# its rounds succeeded.  Sets td_done to the rounds done.
td() {
	local reply n f
	echo "$*" >&"${TD[1]}"
	read -r -t 300 reply <&"${TD[0]}" || { td_done=0; return 1; }
	read -r _ n f <<< "$reply"
	td_done=$n
	[ "$f" = 0 ]
}

# rounds KIND GROUP ARG WHAT WHERE: R rounds of KIND through teardown.py,
# GROUP at a time with ARG, a checkpoint after each group; checks that
# every round succeeded and that traffic passed WHERE at each checkpoint.
rounds() {
	local kind=$1 group=$2 arg=$3 start=$SECONDS fails=0 done_n=0 i n
	cp_n=0
	cp_fail=0
	for ((i = 0; i < R; i += group)); do
		n=$((R - i < group ? R - i : group))
		td "$kind" "$n" "$arg" || fails=$((fails + 1))
		done_n=$((done_n + td_done))
		checkpoint "$kind"
	done
	check "$done_n rounds of $4 under load ($((SECONDS - start)) s)" \
		test "$fails" = 0 -a "$done_n" -ge "$R"
	check "traffic through $5 at $cp_n $kind checkpoints" test $cp_fail = 0
}

topo_build 2
topo_server_start
check "client 1 configured" topo_teredo 1 t0 port $PORT refresh 300 max-peers 3000 || tap_end
# client 2 keeps the default 30 s refresh: its NAT must keep the server's
# way in open for the indirect bubbles of client 1's new devices (with
# 300 s, the slow debug kernel's long checkpoints outlived that mapping)
check "client 2 configured" topo_teredo 2 t0 || tap_end
check "client 1 qualifies" topo_wait_state 1 t0 qualified 30 || tap_end
check "client 2 qualifies" topo_wait_state 2 t0 qualified 30 || tap_end
out=$(in_ns c1 ping -c 2 -i 0.5 -W 10 "$(addr_of 2)" 2>&1)
check "ping 1 -> 2 before" grep -q " 2 received" <<< "$out" || diag "$out"
# The slab's baseline: the same topology and devices as at the end, no
# peers (the flood leaves 1000 behind: flushed before the end's figure).
in_ns c1 teredo-nl flush t0
in_ns c2 teredo-nl flush t0
kb0=$(unreclaimable_kb)
slab_bytes > "$TOPO_TMP/slab0"

KO=$(modinfo -n teredo)
coproc TD { python3 "$HERE/tools/teardown.py" "$KO" "$TOPO_MARK" \
	"$(ns c1),port=$PORT,max_peers=3000,refresh=300" "$(ns c2)" 2> "$TOPO_TMP/td.err"; }
read -r -t 60 ready <&"${TD[0]}"
check "teardown.py ready" test "${ready:-}" = ready || { diag "$(cat "$TOPO_TMP/td.err")"; tap_end; }

load
sleep 2
cp_n=0
cp_fail=0
checkpoint load
check "under load, pings pass 1 -> 2" test "$cp_fail" = 0

# --- genl setting changes ---------------------------------------------------
rounds genl 50 $PORT "genl set" "client 1's device"

# --- ip link del + add ------------------------------------------------------
rounds link 20 0.2 "ip link del/add" "the new device"

# --- netns delete -----------------------------------------------------------
# Scratch netns, 10 at a time ("ip -batch" adds and deletes 10 names);
# teardown.py makes in each a device t0 whose socket receives Teredo
# bubbles (a thread of teardown.py sends them from inside the netns),
# and in every 2nd a device tx<N> moved into client 1 whose socket
# stays in the scratch netns.  After the names are deleted, the senders'
# sockets (the last references) are closed: the 10 netns and their
# devices go in one cleanup while packets are still in flight.
start=$SECONDS
fails=0
for ((i = 0; i < R; i += 10)); do
	names=()
	for ((j = i; j < i + 10 && j < R; j++)); do
		names+=("$TOPO-x$j")
	done
	printf 'netns add %s\n' "${names[@]}" | ip -batch - || fails=$((fails + 1))
	td scratch $PORT "$(ns c1)" "${names[@]}" || fails=$((fails + 1))
	sleep 0.2
	printf 'netns delete %s\n' "${names[@]}" | ip -batch - || fails=$((fails + 1))
	td scratch-stop || fails=$((fails + 1))
done
check "$R rounds of netns delete under load ($((SECONDS - start)) s)" test $fails = 0
# shellcheck disable=SC2016
check "the devices moved into client 1 went with their socket's netns" \
	wait_for '! in_ns c1 ip -o link show | grep -q " tx[0-9]*[:@]"' 30 ||
	diag "$(in_ns c1 ip -o link show | grep -c ' tx') left"
cp_n=0
cp_fail=0
checkpoint netns
check "traffic through client 1's device after the netns deletions" test $cp_fail = 0

# --- rmmod + modprobe -------------------------------------------------------
rounds rmmod 25 0.1 "rmmod/modprobe" "the new devices"

echo quit >&"${TD[1]}"
wait "$TD_PID"
[ -s "$TOPO_TMP/td.err" ] && diag "teardown.py: $(cat "$TOPO_TMP/td.err")"

# --- still working, nothing left behind -------------------------------------
stop_load
check "client 1 qualifies again" topo_wait_state 1 t0 qualified 30
check "client 2 qualifies again" topo_wait_state 2 t0 qualified 30
out=$(in_ns c1 ping -c 3 -i 0.5 -W 10 "$(addr_of 2)" 2>&1)
check "ping 1 -> 2 after: 3 of 3" grep -q " 3 received" <<< "$out" || diag "$out"

# The deleted netns are freed by a workqueue, RCU callbacks after that:
# poll until the slab comes back or 60 s have passed.
in_ns c1 teredo-nl flush t0
in_ns c2 teredo-nl flush t0
start=$SECONDS
while kb1=$(unreclaimable_kb); [ $((kb1 - kb0)) -ge "$SLAB_MAX_KB" ] &&
	[ $((SECONDS - start)) -lt "$(scaled 60)" ]; do
	sleep 2
done
diag "unreclaimable slab: $kb0 kB before the rounds, $kb1 kB after them ($((SECONDS - start)) s);" \
	"grew most: $(slab_bytes | LC_ALL=C join -a 2 -e 0 -o 0,1.2,2.2 "$TOPO_TMP/slab0" - |
		awk '{ printf "%s %d kB\n", $1, ($3 - $2) / 1024 }' |
		sort -k2,2 -n -r | head -n 6 | tr '\n' ',')"
check "unreclaimable slab back within $SLAB_MAX_KB kB" test $((kb1 - kb0)) -lt "$SLAB_MAX_KB"
topo_cleanup 2> /dev/null
# a peer still allocated makes kmem_cache_destroy() complain (below)
check "rmmod at the end" module_unload teredo 20
check "no oops or WARN so far" bash -c '! dmesg | grep -qE "WARNING:|BUG:|Oops|still has objects"'
tap_end
