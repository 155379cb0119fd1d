#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
# Issue 17 item 1: RFC 6081 trailers.  A Teredo packet may carry, after
# its IPv6 packet, a trailer area of type-length-value trailers (Nonce,
# Alternate Address, Neighbor Discovery Option, Random Port, unknown
# ones), which Windows peers using the extensions send.  A raw-socket
# forger in the client's netns sends to the device's socket: an echo
# request with every trailer is delivered (rx_packets, the stack sees
# the echo request, nothing dropped); a direct bubble with a Nonce
# trailer and an indirect one with a Neighbor Discovery Option trailer
# are ordinary bubbles (we implement neither extension: the indirect one
# is answered with a plain direct bubble); a malformed trailer area
# (truncated header, length overrunning the datagram, a length the type
# does not allow, a type twice) is dropped, drop_bad_trailer + 1 each.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft nstat python3 teredo-nl
require_module teredo
ktap_plan 13

PORT=3545
T=$TOPO_TMP

cat > "$T/forge.py" <<'PY'
import socket, struct, sys
from teredopkt import *

me = a6(sys.argv[1])
kind = sys.argv[2]
DST, DPORT = "10.0.1.2", int(sys.argv[3])
SRV = "192.0.2.1"
PEER_IP, PEER_PORT = "198.18.7.7", 4000
peer = teredo(SRV, PEER_IP, PEER_PORT)
PEER2_IP, PEER2_PORT = "198.18.7.8", 4001
peer2 = teredo(SRV, PEER2_IP, PEER2_PORT)

nonce = b"\x01\x04\xde\xad\xbe\xef"
alt = b"\x03\x0e\x00\x00" + socket.inet_aton("192.168.7.7") + \
    struct.pack("!H", 3544) + socket.inet_aton("10.7.7.7") + struct.pack("!H", 3545)
nd = b"\x04\x04\x00\x00\x00\x00"		# TeredoDiscoverySolicitation
rport = b"\x05\x02\x9c\x41"
unknown = b"\x7f\x03abc"

# kind -> (outer source, outer sport, UDP payload)
P = {
    "echo_all_trailers": (PEER_IP, PEER_PORT,
                          echo(peer, me) + nonce + alt + nd + rport + unknown),
    "bubble_nonce": (PEER_IP, PEER_PORT, bubble(peer, me) + nonce),
    "indirect_bubble_nd": (SRV, 3544, origin(PEER2_IP, PEER2_PORT) +
                           bubble(peer2, me) + nd),
    "trailer_truncated": (PEER_IP, PEER_PORT, echo(peer, me) + nonce + b"\x05"),
    "trailer_overrun": (PEER_IP, PEER_PORT, echo(peer, me) + b"\x7f\x09abc"),
    "nonce_wrong_length": (PEER_IP, PEER_PORT, echo(peer, me) + b"\x01\x03abc"),
    "nonce_twice": (PEER_IP, PEER_PORT, echo(peer, me) + nonce + nonce),
}

src, sport, payload = P[kind]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ipv4(src, DST, udp(sport, DPORT, payload)), (DST, 0))
PY

stats() { in_ns c1 ethtool -S t0 | awk '$1 ~ /:$/ { sub(":", "", $1); print $1, $2 }'; }
# expect KIND "COUNTER+N ...": send KIND; exactly these receive or drop
# counters moved, by these amounts
expect() {
	local kind=$1 want=$2 before after diff
	before=$(stats)
	in_ns c1 python3 "$T/forge.py" "$me" "$kind" $PORT
	sleep 0.3
	after=$(stats)
	# (rx_ra moves with the refresh's answer)
	diff=$(paste -d ' ' <(echo "$before") <(echo "$after") |
		awk '$1 ~ /^(rx_|drop_)/ && $1 != "rx_ra" && $2 != $4 { printf "%s+%d ", $1, $4 - $2 }')
	diff=${diff% }
	check "$kind: $want${diff:+ (saw $diff)}" test "$diff" = "$want"
}
echos() { in_ns c1 nstat -az Icmp6InEchos | awk '$1 == "Icmp6InEchos" { print $2 }'; }

topo_build 1
topo_server_start
check "client configured" topo_teredo 1 t0 port $PORT refresh 300 dormant-timeout 0 || tap_end
check "client qualifies" topo_wait_state 1 t0 qualified 30 || tap_end
me=$(topo_show 1 t0 address)
diag "client $me"

e0=$(echos)
expect echo_all_trailers "rx_packets+1"
check "the stack got the echo request" test "$(echos)" = "$((e0 + 1))"
expect bubble_nonce "rx_bubbles+1"
tx0=$(topo_stat c1 t0 tx_bubbles)
expect indirect_bubble_nd "rx_bubbles+1"
check "indirect bubble answered with a direct bubble" \
	test "$(topo_stat c1 t0 tx_bubbles)" = "$((tx0 + 1))"
expect trailer_truncated "drop_bad_trailer+1"
expect trailer_overrun "drop_bad_trailer+1"
expect nonce_wrong_length "drop_bad_trailer+1"
expect nonce_twice "drop_bad_trailer+1"

check "teredo-nl show -j reports drop_bad_trailer 4" test "$(in_ns c1 teredo-nl -j show t0 |
	python3 -c 'import json, sys; d = json.load(sys.stdin); d = d[0] if isinstance(d, list) else d; print(d["stats"]["drop_bad_trailer"])')" = 4
check "still qualified" test "$(topo_show 1 t0 state)" = qualified
tap_end
