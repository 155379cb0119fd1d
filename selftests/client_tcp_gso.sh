#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TCP through our client with the device's offloads on (issue 7): TCP
# hands t0 GSO super-packets, which the device cuts into segments after
# its per-flow decisions.  Each way (upload c1 -> h6 and download h6 ->
# c1) through a Miredo relay (a plain userspace UDP socket), then through
# our relay, 2 MB each, sha256 compared.  Outside nat1 no outer datagram
# may be longer than the IPv6 MTU + 28 (no super-packet leaves), and the
# outer UDP and inner TCP checksums must be valid: the "internet" side
# devices (nat1 wan, rt n1) have transmit checksumming off, as a NIC
# without offload, so what tcpdump sees there is what a wire would carry.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=300
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server conntrack ethtool nft python3 ping tcpdump tshark
require_module teredo
ktap_plan 12

H6=2001:db8:2::2
SIZE=2097152

topo_build 1
topo_server_start
topo_relay_start
in_ns nat1 ethtool -K wan tx off > /dev/null
in_ns rt ethtool -K n1 tx off > /dev/null
check "our client configured" topo_teredo 1 t0
check "our client qualifies" topo_wait_state 1 t0 qualified 20
a1=$(topo_show 1 t0 address)
check "t0 offers TCP segmentation (software GSO) and checksums" \
	eval "in_ns c1 ethtool -k t0 | grep -q '^tcp-segmentation-offload: on' &&
	      in_ns c1 ethtool -k t0 | grep -q '^tx-checksumming: on'"

ip netns exec "$(ns nat1)" tcpdump -q -U -i wan -w "$TOPO_TMP/wan.pcap" udp \
	2> /dev/null &
TOPO_PIDS+=("$!")
cap=$!
# t0's own view: only the headers, enough to see the packets' lengths
ip netns exec "$(ns c1)" tcpdump -q -U -s 96 -i t0 -w "$TOPO_TMP/t0.pcap" \
	ip6 and tcp 2> /dev/null &
TOPO_PIDS+=("$!")
cap0=$!
sleep 1
head -c $SIZE /dev/urandom > "$TOPO_TMP/data"

# xfer FROM TO ADDR: $TOPO_TMP/data over TCP from FROM to ADDR (in TO).
xfer() {
	topo_tcp_xfer "$1" "$2" "$3" "$TOPO_TMP/data" && return 0
	diag "received: $TOPO_XFER"
	return 1
}

# both ways through the relay now in rly ($1 names it)
both_ways() {
	local out
	out=$(in_ns c1 ping -c 3 -i 0.5 -W 10 $H6 2>&1)
	grep -q " [1-3] received" <<< "$out" || { diag "$out"; topo_diag 1 t0 $H6; }
	check "$1 relay: 2 MB over TCP c1 -> h6, same sha256" xfer c1 h6 $H6
	check "$1 relay: 2 MB over TCP h6 -> c1, same sha256" xfer h6 c1 "$a1"
}

both_ways miredo
tx0=$(in_ns c1 cat /sys/class/net/t0/statistics/tx_packets)

# our relay in place of Miredo's: the client learns it by an echo test
kill "$(cat "$TOPO_TMP/relay.pid")" 2> /dev/null
wait_for "! in_ns rly ip link show teredo > /dev/null 2>&1" 10
check "our relay up in rly" topo_our_relay_start
in_ns c1 teredo-nl flush t0 > /dev/null
both_ways our
diag "t0 sent $tx0 packets through Miredo's relay," \
	"$(in_ns c1 cat /sys/class/net/t0/statistics/tx_packets) in all"

sleep 1
kill "$cap" "$cap0"
wait "$cap" "$cap0" 2> /dev/null

big=$(tcpdump -n -r "$TOPO_TMP/t0.pcap" 'ip6[4:2] > 1240' 2> /dev/null | wc -l)
diag "$big TCP packets on t0 longer than its MTU (super-packets)"
check "TCP handed t0 super-packets (GSO in use)" test "$big" -gt 0

# one pass: IPv4 length, outer UDP and inner TCP checksum status
# (0 bad, 1 good, 2 unverified)
tshark -n -r "$TOPO_TMP/wan.pcap" --enable-heuristic teredo_udp \
	-o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-T fields -E separator=' ' -e ip.len -e udp.checksum.status \
	-e tcp.checksum.status > "$TOPO_TMP/wan.txt" 2> /dev/null
read -r n long udp_bad udp_good tcp_bad tcp_good < <(awk '
	{ n++ }
	$1 > 1308 { long++ }
	$2 == "0" { ub++ } $2 == "1" { ug++ }
	$3 == "0" { tb++ } $3 == "1" { tg++ }
	END { print n + 0, long + 0, ub + 0, ug + 0, tb + 0, tg + 0 }' "$TOPO_TMP/wan.txt")
diag "outside nat1: $n datagrams, $long longer than 1308 bytes;" \
	"UDP checksums $udp_good good, $udp_bad bad; TCP $tcp_good good, $tcp_bad bad"
check "outside nat1: no datagram longer than 1280 + 28 bytes" \
	test "$n" -gt 4000 -a "$long" = 0
check "outside nat1: every outer UDP checksum valid" \
	test "$udp_bad" = 0 -a "$udp_good" -gt 4000
check "outside nat1: every inner TCP checksum valid" \
	test "$tcp_bad" = 0 -a "$tcp_good" -gt 4000

tap_end
