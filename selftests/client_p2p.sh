#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two of our Teredo clients behind two NATs (masquerade + drop of
# unsolicited inbound) ping each other: the first echo request waits
# in the peer queue while bubbles (direct, and indirect through the
# server) open both NATs, then goes through; nothing is lost.  Both
# peers end up trusted with the other's NAT mapping; counters agree; a
# 10 MB TCP transfer arrives whole (sha256).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping
require_module teredo
ktap_plan "$((17 + $(command -v tshark > /dev/null && echo 3 || echo 0)))"

topo_build 2
topo_server_start
# everything client 1 sends and receives, as seen outside its NAT
ip netns exec "$(ns nat1)" tcpdump -q -U -i wan -w "$TOPO_TMP/wan1.pcap" udp \
	2>/dev/null &
cap=$!
TOPO_PIDS+=("$cap")
sleep 1
check "client 1 configured" topo_teredo 1 t0
check "client 2 configured" topo_teredo 2 t0
check "client 1 qualifies" topo_wait_state 1 t0 qualified 20
check "client 2 qualifies" topo_wait_state 2 t0 qualified 20
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
m1=$(topo_mapping 1)
m2=$(topo_mapping 2)
diag "client 1 $a1 ($m1), client 2 $a2 ($m2)"

out=$(in_ns c1 ping -c 1 -W 10 "$a2" 2>&1)
diag "$(grep -E 'transmitted|time=' <<< "$out" | tr '\n' ' ')"
check "first ping 1 -> 2 answered" grep -q " 1 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; topo_diag 2 t0 "$a1"; }
out=$(in_ns c2 ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "ping 2 -> 1: 3 of 3" grep -q " 3 received" <<< "$out" ||
	{ diag "$out"; topo_diag 2 t0 "$a1"; }
out=$(in_ns c1 ping -c 3 -i 0.5 -W 5 -s 1200 "$a2" 2>&1)
check "1200-byte pings 1 -> 2: 3 of 3" grep -q " 3 received" <<< "$out"

peer_of() { # N ADDR: "trusted mapped_addr:mapped_port" of a peer
	in_ns c"$1" teredo-nl -j peers t0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("address") == sys.argv[1]:
        print(p.get("trusted"), "%s:%s" % (p.get("mapped_addr"), p.get("mapped_port")))' "$2"
}
p=$(peer_of 1 "$a2")
diag "client 1 sees client 2 as: $p"
check "client 1 trusts client 2 at its NAT mapping" \
	bash -c "[[ '$p' == 'True $m2' || '$p' == 'true $m2' || '$p' == '1 $m2' ]]"
p=$(peer_of 2 "$a1")
diag "client 2 sees client 1 as: $p"
check "client 2 trusts client 1 at its NAT mapping" \
	bash -c "[[ '$p' == 'True $m1' || '$p' == 'true $m1' || '$p' == '1 $m1' ]]"

s1=$(in_ns c1 ethtool -S t0)
s2=$(in_ns c2 ethtool -S t0)
st() { awk -v k="$2:" '$1 == k { print $2 }' <<< "$1"; }
diag "client 1: $(grep -v ': 0$' <<< "$s1" | tr -s ' \n' ' ')"
diag "client 2: $(grep -v ': 0$' <<< "$s2" | tr -s ' \n' ' ')"
check "client 1 sent bubbles" test "$(st "$s1" tx_bubbles)" -ge 2
check "client 2 answered an indirect bubble" test "$(st "$s2" tx_bubbles)" -ge 1
check "client 1 sent 7 packets" test "$(st "$s1" tx_packets)" = 7
check "client 2 received 7 packets" test "$(st "$s2" rx_packets)" = 7
check "no drops on client 2" test -z "$(grep '^ *drop_' <<< "$s2" | grep -v ': 0$')"
check "ip -s link agrees (client 2 rx_packets)" \
	test "$(in_ns c2 cat /sys/class/net/t0/statistics/rx_packets)" = 7

# one more RS surely inside the capture (the first may precede it)
in_ns c1 teredo-nl qualify t0
topo_wait_state 1 t0 qualified 20
sleep 1
kill "$cap"; wait "$cap" 2>/dev/null
if command -v tshark >/dev/null; then
	tsh() { tshark -n --enable-heuristic teredo_udp -r "$TOPO_TMP/wan1.pcap" -Y "$1" 2>/dev/null | wc -l; }
	check "tshark decodes our RS (auth header, ICMPv6 133)" \
		test "$(tsh 'teredo.auth && icmpv6.type == 133')" -ge 1
	check "tshark decodes our bubbles (IPv6 next header 59)" \
		test "$(tsh 'teredo && ipv6.nxt == 59 && ipv6.src == '"$a1")" -ge 1
	check "tshark decodes our echo requests" \
		test "$(tsh 'icmpv6.type == 128 && ipv6.src == '"$a1")" -ge 4
	check "tshark: no malformed packet" test "$(tsh '_ws.malformed')" = 0
else
	skip "tshark checks" "no tshark"
fi

# a 10 MB TCP transfer 2 -> 1, sha256 compared (client 1 requalified
# above: a new address, RFC 5991)
a1=$(topo_show 1 t0 address)
head -c 10485760 /dev/urandom > "$TOPO_TMP/10M"
t0=$SECONDS
topo_tcp_xfer c2 c1 "$a1" "$TOPO_TMP/10M" 180
rc=$?
diag "10 MB in $((SECONDS - t0)) s; received: $TOPO_XFER"
check "10 MB over TCP 2 -> 1: all bytes, same sha256" test "$rc" = 0

tap_end
