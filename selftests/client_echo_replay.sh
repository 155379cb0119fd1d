#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
# An echo test's nonce answers one test, once (RFC 4380 5.2.9): our
# client reaches a native host through a Miredo relay, learnt by an echo
# test through the server.  A copy of that echo test's reply, replayed
# later from another source the client's NAT lets in (the server's
# address and port), must not move the native peer to that source: the
# peer stays trusted at the relay.  Before, the nonce stayed valid after
# the peer was trusted and the replay re-pointed the peer.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server conntrack ethtool nft python3 ping tcpdump
require_module teredo

ktap_plan 6
H6=2001:db8:2::2

topo_build 1
topo_nat_udp_timeout 1 300 || fail_all "no conntrack UDP timeout sysctls in nat1"
topo_server_start
topo_relay_start
check "client configured" topo_teredo 1 t0 refresh 300
check "client qualifies" topo_wait_state 1 t0 qualified 20
# what reaches the client from the relay, inside its NAT
ip netns exec "$(ns nat1)" tcpdump -q -U -i lan -w "$TOPO_TMP/lan.pcap" \
	udp and src host 192.0.2.130 2>/dev/null &
cap=$!
TOPO_PIDS+=("$cap")
sleep 1
out=$(in_ns c1 ping -c 2 -i 0.5 -W 15 $H6 2>&1)
check "client -> native host through the relay" grep -q " [12] received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 $H6; }
sleep 1
kill "$cap"; wait "$cap" 2>/dev/null

peer() { # "trusted mapped_addr:mapped_port" of the native peer
	in_ns c1 teredo-nl -j peers t0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("address") == sys.argv[1]:
        print(str(p.get("trusted")).lower(), "%s:%s" % (p.get("mapped_addr"), p.get("mapped_port")))' $H6
}
before=$(peer)
diag "native peer: $before"
check "native peer trusted at the relay" grep -q "^true 192.0.2.130:" <<< "$before"

# the echo test's reply (ICMPv6 echo reply with an 8-byte nonce) from
# the capture, sent again from the server's 192.0.2.1:3544
map=$(topo_mapping 1)
topo_server_stop
out=$(in_ns srv python3 - "$TOPO_TMP/lan.pcap" "$map" <<-'PY'
	import struct, sys
	from teredopkt import *
	data = open(sys.argv[1], "rb").read()
	ip, port = sys.argv[2].split(":")
	off, sent = 24, 0
	s = teredo_socket("192.0.2.1", 3544)
	while off + 16 <= len(data):
	    caplen = struct.unpack_from("=I", data, off + 8)[0]
	    pkt = data[off + 16:off + 16 + caplen]
	    off += 16 + caplen
	    ihl = (pkt[14] & 15) * 4
	    pl = pkt[14 + ihl + 8:]
	    if pl[:2] == b"\0\0":	# an origin indication
	        pl = pl[8:]
	    if len(pl) == 56 and pl[0] >> 4 == 6 and pl[6] == 58 and pl[40] == 129:
	        s.sendto(pl, (ip, int(port)))
	        sent += 1
	print(sent)
	PY
)
sleep 1
after=$(peer)
diag "echo test replies replayed from 192.0.2.1:3544: $out; native peer now: $after"
check "an echo test reply was captured and replayed" test "${out:-0}" -ge 1
check "the replay does not move the peer ($after)" test "$after" = "$before"
tap_end
