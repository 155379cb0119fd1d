#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A native IPv6 host reaches our client first, through a Miredo relay,
# before our client ever sent to it (RFC 4380 section 5.2.3): the relay
# opens our NAT with a bubble through our server, which we answer; its
# first packet, from a relay we do not know for that host, waits in the
# peer's queue while an echo test through our server finds the relay;
# the echo reply confirms it and the packet is delivered.  The native
# host's first ping is answered; nothing is dropped as unknown_peer;
# the host ends up a trusted peer reached through the relay.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server conntrack ethtool nft python3 ping
require_module teredo
ktap_plan 10

topo_build 1
topo_server_start
topo_relay_start
check "our client configured" topo_teredo 1 t0
check "our client qualifies" topo_wait_state 1 t0 qualified 20
a1=$(topo_show 1 t0 address)
diag "ours $a1"
check "no peer yet" test "$(in_ns c1 teredo-nl -j peers t0)" = "[]"

out=$(in_ns h6 ping -c 1 -W 15 "$a1" 2>&1)
diag "$(grep -E 'transmitted|time=' <<< "$out" | tr '\n' ' ')"
check "native host -> ours: first ping answered" grep -q " 1 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 2001:db8:2::2; diag "$(tail -5 "$TOPO_TMP/relay.log")"; }
out=$(in_ns h6 ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "native host -> ours: 3 of 3" grep -q " 3 received" <<< "$out"

s=$(in_ns c1 ethtool -S t0)
diag "$(grep -v ': 0$' <<< "$s" | tr -s ' \n' ' ')"
st() { awk -v k="$1:" '$1 == k { print $2 }' <<< "$s"; }
check "our client answered the relay's bubble" test "$(st tx_bubbles)" -ge 1
check "an echo test confirmed the relay" test "$(st tx_echo_tests)" -ge 1
check "nothing dropped as unknown_peer" test "$(st drop_unknown_peer)" = 0
check "4 packets delivered" test "$(st rx_packets)" = 4
relay=$(in_ns c1 teredo-nl -j peers t0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("address") == "2001:db8:2::2":
        print(str(p.get("relay")).lower(), str(p.get("trusted")).lower(),
              p.get("mapped_addr"), p.get("queued"))')
diag "native peer: $relay"
check "native host: trusted, through the relay 192.0.2.130, nothing queued" \
	test "$relay" = "true true 192.0.2.130 0"

tap_end
