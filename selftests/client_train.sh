#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# UDP GSO trains (issue 16, item 1): a TCP super-packet handed to our
# device leaves as one SKB_GSO_UDP_L4 skb whose UDP payload is its
# 1280-byte IPv6 segments back to back (ethtool tx_trains), cut into one
# datagram each by whoever meets it first without USO: the core before a
# wire, a plain UDP socket (Miredo's, our own) on receive.  1 MB each way
# (upload c1 -> h6, download h6 -> c1), sha256 compared:
#  A. offloads on everywhere: the train leaves c1 whole (tcpdump on c1's
#     eth0 sees datagrams longer than 1308 bytes), crosses the NAT and rt
#     whole and reaches a Miredo relay, then our relay, whole; our relay
#     sends its own trains, which reach our client whole; after
#     decapsulation GRO merges the inner TCP segments: our relay forwards
#     super-packets to h6 and t0 hands the stack super-packets;
#  B. the "internet" side (nat1 wan, rt n1) without transmit checksum
#     offload, as a NIC without USO: outside nat1 every datagram is at
#     most 1308 bytes, every outer UDP and inner TCP checksum valid, each
#     decodes as Teredo; t0's tx_packets counts each datagram of its
#     trains (= the datagrams to the relay on the wire) and "ip -s link"
#     TX still equals the sum of its tx_* counters;
#  C. GSO, TSO and USO off on every veth: trains are still built and are
#     cut by the core at c1's eth0 (none leaves c1 whole).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=420
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server ethtool nft python3 ping tcpdump tshark
require_module teredo
ktap_plan 25

H6=2001:db8:2::2
RLY=192.0.2.130
WAN=198.51.100.1
SIZE=1048576

topo_build 1
topo_server_start
topo_relay_start
check "our client configured" topo_teredo 1 t0
check "our client qualifies" topo_wait_state 1 t0 qualified 20
a1=$(topo_show 1 t0 address)
head -c $SIZE /dev/urandom > "$TOPO_TMP/data"

# cap_start NS DEV NAME [SNAPLEN]: tcpdump of UDP on DEV in NS into
# $TOPO_TMP/NAME.pcap (headers only unless SNAPLEN 0)
caps=()
cap_start() {
	ip netns exec "$(ns "$1")" tcpdump -q -U -s "${4:-96}" -i "$2" \
		-w "$TOPO_TMP/$3.pcap" udp 2> /dev/null &
	TOPO_PIDS+=("$!")
	caps+=("$!")
}
cap_stop() {
	sleep 1
	kill "${caps[@]}"
	wait "${caps[@]}" 2> /dev/null
	caps=()
}
# long NAME FILTER: datagrams of NAME.pcap matching FILTER longer than
# the IPv6 MTU + 28 (trains, not yet cut)
long() {
	tcpdump -n -r "$TOPO_TMP/$1.pcap" "($2) and ip[2:2] > 1308" 2> /dev/null | wc -l
}
trains() { topo_stat "$1" "$2" tx_trains; }

xfer() {
	topo_tcp_xfer "$1" "$2" "$3" "$TOPO_TMP/data" && return 0
	diag "received: $TOPO_XFER"
	return 1
}

# both_ways WHAT: the transfer each way through the relay now in rly
both_ways() {
	local ok=0
	check "$1: 1 MB over TCP c1 -> h6, same sha256" xfer c1 h6 $H6 || ok=1
	check "$1: 1 MB over TCP h6 -> c1, same sha256" xfer h6 c1 "$a1" || ok=1
	return $ok
}

# A. offloads on: trains cross the NAT and reach the relays whole
out=$(in_ns c1 ping -c 3 -i 0.5 -W 10 $H6 2>&1)
grep -q " [1-3] received" <<< "$out" || { diag "$out"; topo_diag 1 t0 $H6; }
cap_start c1 eth0 a-c1
cap_start rly eth0 a-rly
tr0=$(trains c1 t0)
both_ways "miredo relay"
cap_stop
tr1=$(trains c1 t0)
nc1=$(long a-c1 "src host 10.0.1.2")
nrly=$(long a-rly "src host $WAN")
diag "t0: tx_trains ${tr0:-none} -> ${tr1:-none}; longer than 1308 bytes:" \
	"$nc1 leaving c1, $nrly reaching Miredo's relay host"
check "t0 sent UDP GSO trains (tx_trains +$((${tr1:-0} - ${tr0:-0})))" \
	test "${tr1:-0}" -gt "${tr0:-0}"
check "trains left c1 whole ($nc1 datagrams > 1308 bytes on eth0)" test "$nc1" -gt 0
check "Miredo's relay got trains whole and the data intact ($nrly)" test "$nrly" -gt 0

kill "$(cat "$TOPO_TMP/relay.pid")" 2> /dev/null
wait_for "! in_ns rly ip link show teredo > /dev/null 2>&1" 10
check "our relay up in rly" topo_our_relay_start
in_ns c1 teredo-nl flush t0 > /dev/null
cap_start c1 eth0 o-c1
cap_start rly eth0 o-rly
# the inner TCP after decapsulation: what our relay forwards to the
# native side, what t0 hands the stack (GRO, issue 16 item 2)
cap6_start() {
	ip netns exec "$(ns "$1")" tcpdump -q -U -s 96 -i "$2" -w "$TOPO_TMP/$3.pcap" \
		"ip6 and tcp and $4" 2> /dev/null &
	TOPO_PIDS+=("$!")
	caps+=("$!")
}
cap6_start rly eth0 o-rly6 "src net 2001::/32"
cap6_start c1 t0 o-t0 "src host $H6"
both_ways "our relay"
cap_stop
# merged NAME: TCP packets of NAME.pcap longer than t0's MTU (1280)
merged() {
	tcpdump -n -r "$TOPO_TMP/$1.pcap" "ip6[4:2] > 1240" 2> /dev/null | wc -l
}
seg() { tcpdump -n -r "$TOPO_TMP/$1.pcap" 2> /dev/null | wc -l; }
g_rly=$(merged o-rly6)
g_c1=$(merged o-t0)
diag "GRO after decapsulation: our relay forwarded $g_rly of $(seg o-rly6) TCP packets" \
	"longer than 1280 bytes; t0 received $g_c1 of $(seg o-t0)"
check "our relay forwarded merged TCP super-packets to h6 ($g_rly)" test "$g_rly" -gt 0
check "t0 handed the stack merged TCP super-packets ($g_c1)" test "$g_c1" -gt 0
nrly=$(long o-rly "src host $WAN")
nrtr=$(trains rly tr0)
nc1=$(long o-c1 "src host $RLY")
diag "our relay: $nrly trains received, tx_trains ${nrtr:-none};" \
	"$nc1 of its trains reached c1 whole"
check "our relay got trains whole ($nrly > 1308 bytes)" test "$nrly" -gt 0
check "our relay sent trains, our client got them whole (${nrtr:-none}, $nc1)" \
	test "${nrtr:-0}" -gt 0 -a "$nc1" -gt 0

# B. the wire: nat1 wan and rt n1 without checksum offload (no USO)
in_ns nat1 ethtool -K wan tx off > /dev/null
in_ns rt ethtool -K n1 tx off > /dev/null
cap_start nat1 wan b-wan 0
sleep 1
# st STATS NAME: one counter of an "ethtool -S" output (0 if absent)
st() { awk -v k="$2:" '$1 == k { v = $2 } END { print v + 0 }' <<< "$1"; }
kinds() { echo $(($(st "$1" tx_packets) + $(st "$1" tx_bubbles) + $(st "$1" tx_rs) + $(st "$1" tx_echo_tests))); }
# snap: "ethtool -S" and the link's TX counter with nothing sent between
# them (a bubble, an RS between the two reads would count in one only:
# seen on the debug kernel, TX +1303 against tx_* +1304); sets s, tx
snap() {
	local i b
	for i in 1 2 3 4 5 6 7 8 9 10; do
		s=$(in_ns c1 ethtool -S t0)
		tx=$(in_ns c1 cat /sys/class/net/t0/statistics/tx_packets)
		b=$(in_ns c1 ethtool -S t0)
		[ "$(kinds "$s")" = "$(kinds "$b")" ] && return 0
	done
	return 1
}
snap
s0=$s tx0=$tx
both_ways "no USO outside nat1"
sleep 1
snap
s1=$s tx1=$tx
cap_stop
# one pass: IPv4 length, outer UDP and inner TCP checksum status (0 bad,
# 1 good), the inner IPv6 source (decoded as Teredo), IPv4 addresses
tshark -n -r "$TOPO_TMP/b-wan.pcap" --enable-heuristic teredo_udp \
	-o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-T fields -E separator=, -E occurrence=f -e ip.len \
	-e udp.checksum.status -e tcp.checksum.status -e ip.src -e ip.dst \
	-e ipv6.src > "$TOPO_TMP/b-wan.txt" 2> /dev/null
# (torly: data to the relay; a bubble, 20 + 8 + 40 bytes, is not data:
# the client answers the relay's indirect bubbles with one, and on a slow
# kernel one falls in the window: seen on the debug kernel, 2026-12-06)
read -r n long udp_bad udp_good tcp_bad tcp_good v6 torly bubrly < <(awk -F, -v wan=$WAN -v rly=$RLY '
	{ n++ }
	$1 > 1308 { long++ }
	$2 == "0" { ub++ } $2 == "1" { ug++ }
	$3 == "0" { tb++ } $3 == "1" { tg++ }
	$6 ~ /:/ { v6++ }
	$4 == wan && $5 == rly && $1 != 68 { tr++ }
	$4 == wan && $5 == rly && $1 == 68 { br++ }
	END { print n + 0, long + 0, ub + 0, ug + 0, tb + 0, tg + 0, v6 + 0, tr + 0, br + 0 }' \
	"$TOPO_TMP/b-wan.txt")
diag "outside nat1: $n datagrams, $long longer than 1308 bytes; UDP checksums" \
	"$udp_good good, $udp_bad bad; TCP $tcp_good good, $tcp_bad bad; $v6 decoded as Teredo"
check "outside nat1: no datagram longer than 1280 + 28 bytes" \
	test "$n" -gt 1000 -a "$long" = 0
check "outside nat1: every outer UDP checksum valid" \
	test "$udp_bad" = 0 -a "$udp_good" -gt 1000
check "outside nat1: every inner TCP checksum valid" \
	test "$tcp_bad" = 0 -a "$tcp_good" -gt 1000
check "outside nat1: every datagram decodes as Teredo (IPv6 inside)" test "$v6" = "$n"
dtx=$(($(st "$s1" tx_packets) - $(st "$s0" tx_packets)))
dtr=$(($(st "$s1" tx_trains) - $(st "$s0" tx_trains)))
diag "t0 while the wire was watched: $dtr trains, tx_packets +$dtx," \
	"$torly data datagrams (and $bubrly bubbles) to the relay outside nat1;" \
	"TX +$((tx1 - tx0))," \
	"tx_* +$(($(kinds "$s1") - $(kinds "$s0")))"
check "t0 built trains, tx_packets counts their datagrams (+$dtx = $torly on the wire)" \
	test "$dtr" -gt 0 -a "$dtx" = "$torly"
check "t0: ip -s link TX counts datagrams (+$((tx1 - tx0)) = tx_* +$(($(kinds "$s1") - $(kinds "$s0"))))" \
	test $((tx1 - tx0)) = $(($(kinds "$s1") - $(kinds "$s0")))

# C. no GSO anywhere below the teredo devices: the core cuts the trains
for n in rt srv rly h6 nat1 c1; do
	for dev in $(in_ns $n ip -o link show type veth | awk -F': ' '{ print $2 }' |
		     cut -d@ -f1); do
		in_ns $n ethtool -K "$dev" gso off tso off tx-udp-segmentation off \
			> /dev/null 2>&1
	done
done
cap_start c1 eth0 c-c1
tr0=$(trains c1 t0)
ok_c=0
both_ways "GSO, TSO and USO off on every veth" || ok_c=1
cap_stop
if [ "$ok_c" = 1 ]; then
	topo_diag 1 t0 $H6
	diag "c1 peers: $(in_ns c1 teredo-nl peers t0 2>&1 | tr '\n\t' '; ' | tr -s ' ' ' ')"
	diag "rly tr0 stats: $(in_ns rly ethtool -S tr0 | grep -v ': 0$' | tr -s ' \n' ' ')"
	diag "rly peers: $(in_ns rly teredo-nl peers tr0 2>&1 | tr '\n' ';' | tr -s ' ' ' ')"
	# what c1 sent and got besides the data: RS/RA, bubbles, echo tests
	tcpdump -tt -n -r "$TOPO_TMP/c-c1.pcap" "ip[2:2] < 200" 2> /dev/null |
		tail -n 40 | while read -r l; do diag "c1 eth0: $l"; done
fi
tr1=$(trains c1 t0)
nc1=$(long c-c1 "src host 10.0.1.2")
diag "t0: tx_trains +$((${tr1:-0} - ${tr0:-0})), $nc1 datagrams > 1308 bytes left c1"
check "trains built and cut before c1's eth0 (+$((${tr1:-0} - ${tr0:-0})), $nc1 whole)" \
	test "${tr1:-0}" -gt "${tr0:-0}" -a "$nc1" = 0

tap_end
