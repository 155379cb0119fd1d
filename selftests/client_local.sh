#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Local client discovery (RFC 4380 section 5.2.8, "teredo-nl set DEV
# local-discovery on", off by default): two of our clients on one LAN
# behind a NAT that does NOT hairpin.  Each announces itself with a
# bubble to 224.0.0.253:3544, TTL 1; each learns the other's LAN
# address from it, and they ping each other both ways directly on the
# LAN (without local discovery this NAT leaves them unable to: see
# client_hairpin), each trusting the other at its LAN address.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=240
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping tcpdump
require_module teredo
ktap_plan 14

topo_build 1
topo_lan_client 1
topo_server_start
in_ns c1 tcpdump -n -v -U -i eth0 -w "$TOPO_TMP/lan.pcap" \
	udp and dst host 224.0.0.253 2>/dev/null &
cap=$!
TOPO_PIDS+=("$cap")
sleep 1
check "client a: local discovery on" topo_teredo 1 t0 local-discovery on
check "client b: local discovery on" topo_teredo 1b t0 local-discovery on
check "show: local_discovery true" bash -c \
	"ip netns exec $(ns c1) teredo-nl -j show t0 | grep -q '\"local_discovery\": *true'"
check "client a qualifies" topo_wait_state 1 t0 qualified 20
check "client b qualifies" topo_wait_state 1b t0 qualified 20
a1=$(topo_show 1 t0 address)
a2=$(topo_show 1b t0 address)
diag "client a $a1 ($(topo_mapping_of 1 10.0.1.2)), client b $a2 ($(topo_mapping_of 1 10.0.1.3))"
sleep 1

out=$(in_ns c1 ping -c 1 -W 10 "$a2" 2>&1)
diag "$(grep -E 'transmitted|time=' <<< "$out" | tr '\n' ' ')"
check "first ping a -> b answered" grep -q " 1 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; topo_diag 1b t0 "$a1"; }
out=$(in_ns c1b ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "ping b -> a: 3 of 3" grep -q " 3 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1b t0 "$a1"; }

peer_of() { # NS ADDR: "trusted mapped_addr" of a peer
	in_ns "$1" teredo-nl -j peers t0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("address") == sys.argv[1]:
        t = str(p.get("trusted")).lower() in ("true", "1")
        print(t, p.get("mapped_addr"))' "$2"
}
p=$(peer_of c1 "$a2")
diag "a sees b as: $p"
check "a trusts b at b's LAN address" test "$p" = "True 10.0.1.3"
p=$(peer_of c1b "$a1")
diag "b sees a as: $p"
check "b trusts a at a's LAN address" test "$p" = "True 10.0.1.2"
check "the NAT does not hairpin (no flow to its own address)" \
	test -z "$(in_ns nat1 conntrack -L -p udp --orig-dst 198.51.100.1 2>/dev/null)"

# the discovery socket leaves its group even when the LAN device it
# joined on is gone first (as in a netns deletion): no RTNL deadlock
in_ns c1b ip link del eth0
check "t0 down after its LAN device went" \
	timeout 20 ip netns exec "$(ns c1b)" ip link set t0 down
check "RTNL still free" timeout 10 ip netns exec "$(ns c1b)" ip link add d0 type dummy

kill "$cap"; wait "$cap" 2>/dev/null
disc=$(tcpdump -n -v -r "$TOPO_TMP/lan.pcap" 2>/dev/null)
diag "$(head -2 <<< "$disc" | tr -s '\n ' ' ')"
check "client a's discovery bubbles have TTL 1" \
	test -n "$disc" -a -z "$(grep -E '^[0-9:.]+ IP ' <<< "$disc" | grep -v 'ttl 1,')"
check "... sent from its Teredo port" grep -q "10.0.1.2.[0-9]* > 224.0.0.253.3544" <<< "$disc"

tap_end
