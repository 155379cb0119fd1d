#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Transmit statistics land on the teredo device, once per packet.
#
# Our server relays packets to its clients by re-sending the skb it
# received: iptunnel_xmit() counts a packet in skb->dev's tstats, which
# was the lower device's (a veth counted it twice, lo's 16-byte lstats
# were written past their end, a device without tstats - macvlan, most
# NICs - through a NULL per-CPU base).  A client counted each data
# packet twice (iptunnel_xmit() and its own count) and none of its
# bubbles, RS or echo tests.  Checked here:
#  - the server's lower veth counts as TX what arrives at its peer (an
#    nftables netdev ingress counter in the peer's netns);
#  - the server relays packets received on lo and on a macvlan (no
#    tstats): lo's TX and RX stay equal, the kernel log stays clean;
#  - a client's "ip -s link" TX equals the UDP datagrams seen leaving
#    its host and the sum of its ethtool tx_* counters.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=240
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd ethtool nft python3 ping
require_module teredo

ktap_plan 14

BUBBLES=10
log0=$(dmesg | grep -cE 'BUG|WARNING|Oops|KASAN|UBSAN|general protection')

topo_build 2
check "our server up" topo_our_server_start

# counters of what arrives at the peer of srv's eth0 (rt's s0) and of
# c1's eth0 (nat1's lan): UDP from c1 only (ARP and ND are not ours)
in_ns rt nft -f - <<-NFT
	table netdev cnt {
		counter srv { }
		chain s0 {
			type filter hook ingress device "s0" priority 0;
			counter name "srv"
		}
	}
NFT
in_ns nat1 nft -f - <<-NFT
	table netdev cnt {
		counter c1 { }
		chain lan {
			type filter hook ingress device "lan" priority 0;
			ip saddr 10.0.1.2 meta l4proto udp counter name "c1"
		}
	}
NFT
nftcnt() { in_ns "$1" nft list counter netdev cnt "$2" | awk '$1 == "packets" { print $2 }'; }
lstat() { in_ns "$1" cat "/sys/class/net/$2/statistics/$3"; }

# bubbles SRCIP FROM: $BUBBLES bubbles from SRCIP:40000 (in netns FROM)
# through our server to a client mapped to 192.0.2.130:40001 (rly)
bubbles() {
	in_ns "$2" python3 - "$1" "$BUBBLES" <<-'PY'
		import sys
		from teredopkt import *
		src, n = sys.argv[1], int(sys.argv[2])
		s = teredo_socket(src, 40000)
		pkt = bubble(teredo("192.0.2.1", src, 40000),
			     teredo("192.0.2.1", "192.0.2.130", 40001))
		for _ in range(n):
		    s.sendto(pkt, ("192.0.2.1", 3544))
	PY
}

# snap: "srv-eth0-TX arrivals-at-s0", read until two reads agree (no
# packet in flight between the two counters)
snap() {
	local a b i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		a="$(lstat srv eth0 tx_packets) $(nftcnt rt srv)"
		sleep 0.2
		b="$(lstat srv eth0 tx_packets) $(nftcnt rt srv)"
		[ "$a" = "$b" ] && break
	done
	echo "$b"
}

# 1. the server's lower veth
sleep 1
read -r tx0 in0 <<< "$(snap)"
fw0=$(topo_stat srv ts0 tx_bubbles)
bubbles 192.0.2.130 rly
sleep 1
read -r tx1 in1 <<< "$(snap)"
fw1=$(topo_stat srv ts0 tx_bubbles)
diag "server relayed $((fw1 - fw0)) of $BUBBLES bubbles; srv eth0 TX +$((tx1 - tx0)), arrived at rt +$((in1 - in0))"
check "server relayed the bubbles (tx_bubbles +$((fw1 - fw0)))" test $((fw1 - fw0)) -ge 1
check "srv eth0 TX counts what arrived at its peer (+$((tx1 - tx0)) = +$((in1 - in0)))" \
	test $((tx1 - tx0)) = $((in1 - in0))

# 2. relaying what came in on lo: a sender in the server's own netns
in_ns srv ip addr add 192.0.2.50/32 dev lo
lotx0=$(lstat srv lo tx_packets)
lorx0=$(lstat srv lo rx_packets)
fw0=$(topo_stat srv ts0 tx_bubbles)
ttx0=$(lstat srv ts0 tx_packets)
bubbles 192.0.2.50 srv
sleep 1
lotx1=$(lstat srv lo tx_packets)
lorx1=$(lstat srv lo rx_packets)
fw1=$(topo_stat srv ts0 tx_bubbles)
ttx1=$(lstat srv ts0 tx_packets)
diag "through lo: relayed $((fw1 - fw0)), lo TX +$((lotx1 - lotx0)) RX +$((lorx1 - lorx0)), ts0 TX +$((ttx1 - ttx0))"
check "server relayed bubbles received on lo (+$((fw1 - fw0)))" test $((fw1 - fw0)) -ge 1
check "lo: TX = RX = the $BUBBLES datagrams sent to the server" \
	test $((lotx1 - lotx0)) = "$BUBBLES" -a $((lorx1 - lorx0)) = "$BUBBLES"
check "ts0 TX counts each relayed bubble once (+$((ttx1 - ttx0)))" \
	test $((ttx1 - ttx0)) = $((fw1 - fw0))

# 3. relaying what came in on a macvlan (a device without tstats): rt
# sends everything for 192.0.2.1 to the macvlan's MAC.  (The debug
# kernel is built without macvlan: skipped there.)
if ! in_ns srv ip link add mv0 link eth0 type macvlan mode bridge 2> /dev/null; then
	skip "server relayed bubbles received on a macvlan" "no macvlan in this kernel"
	skip "ts0 TX counts them once" "no macvlan in this kernel"
else
	in_ns srv ip link set mv0 up
	in_ns srv sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.mv0.rp_filter=0
	mac=$(in_ns srv cat /sys/class/net/mv0/address)
	in_ns rt ip neigh replace 192.0.2.1 lladdr "$mac" dev s0 nud permanent
	mvrx0=$(lstat srv mv0 rx_packets)
	fw0=$(topo_stat srv ts0 tx_bubbles)
	ttx0=$(lstat srv ts0 tx_packets)
	bubbles 192.0.2.130 rly
	sleep 1
	mvrx1=$(lstat srv mv0 rx_packets)
	fw1=$(topo_stat srv ts0 tx_bubbles)
	ttx1=$(lstat srv ts0 tx_packets)
	diag "through mv0: received +$((mvrx1 - mvrx0)), relayed $((fw1 - fw0)), ts0 TX +$((ttx1 - ttx0))"
	check "server relayed bubbles received on a macvlan (+$((fw1 - fw0)))" \
		test $((mvrx1 - mvrx0)) -ge "$BUBBLES" -a $((fw1 - fw0)) -ge 1
	check "ts0 TX counts them once (+$((ttx1 - ttx0)))" test $((ttx1 - ttx0)) = $((fw1 - fw0))
	in_ns rt ip neigh del 192.0.2.1 dev s0
fi

# 4. a client: every datagram it sends is one TX packet of t0
check "client 1 configured" topo_teredo 1 t0
check "client 2 configured" topo_teredo 2 t0
topo_wait_state 1 t0 qualified 30 && topo_wait_state 2 t0 qualified 30
check "both clients qualify with our server" test $? = 0
a2=$(topo_show 2 t0 address)
out=$(in_ns c1 ping -c 5 -i 0.3 -W 10 "$a2" 2>&1)
diag "$(grep -E 'transmitted' <<< "$out")"
check "client 1 -> client 2: 5 pings answered" grep -q " 5 received" <<< "$out" ||
	topo_diag 1 t0 "$a2"
sleep 1
# counts: "SUM_OF_TX_KINDS TX WIRE tx_packets tx_bubbles tx_rs
# tx_echo_tests", read one after another
counts() {
	local s1 p b r e

	s1=$(in_ns c1 ethtool -S t0)
	read -r p b r e <<< "$(awk '$1 == "tx_packets:" { p = $2 }
		$1 == "tx_bubbles:" { b = $2 } $1 == "tx_rs:" { r = $2 }
		$1 == "tx_echo_tests:" { e = $2 }
		END { print p + 0, b + 0, r + 0, e + 0 }' <<< "$s1")"
	echo "$((p + b + r + e)) $(lstat c1 t0 tx_packets) $(nftcnt nat1 c1) $p $b $r $e"
}
# One consistent reading: the client may send a refresh or a bubble
# between the three (seen on the debug kernel: 13 = 13, tx_* 12).
now=$(counts)
for i in 1 2 3 4 5 6 7 8 9 10; do
	prev=$now
	now=$(counts)
	[ "$now" = "$prev" ] && break
	sleep 0.5
done
read -r kinds tx wire txp txb txrs txe <<< "$now"
diag "client 1: ip -s link TX $tx, tx_packets $txp tx_bubbles $txb tx_rs $txrs tx_echo_tests $txe, datagrams on the wire $wire"
diag "$(in_ns c1 ethtool -S t0 | grep -v ': 0$' | tr -s ' \n' ' ')"
check "client 1: TX ($tx) = datagrams that left the host ($wire) = sum of tx_* ($kinds)" \
	test "$tx" = "$wire" -a "$tx" = "$kinds"

log1=$(dmesg | grep -cE 'BUG|WARNING|Oops|KASAN|UBSAN|general protection')
check "kernel log clean ($log0 -> $log1 red lines)" test "$log0" = "$log1"
tap_end
