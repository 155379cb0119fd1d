#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=400
# Issue 8 item 2: hostile packets, complementing client_drops.sh (which
# forges from the server's address through the NAT).  Here a raw-socket
# forger inside the client's netns delivers any outer IPv4 source and
# port straight to the device's socket: every length field truncated,
# overlong, zero and at its maximum, spoofed mappings, non-global
# embedded IPv4, non-global outer IPv4 sources (private, loopback),
# link-local and multicast sources and destinations,
# loops (our own address and mapping), headers in the wrong order, outer
# IPv4 fragments (reassembled by the stack, then judged like any packet;
# a lone fragment never reaches us) and inner IPv6 fragments.  Each must
# raise exactly its own drop counter by one, deliver nothing and leave
# the peer table empty.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 teredo-nl
require_module teredo
ktap_plan "$((4 + 34))"

PORT=3545
T=$TOPO_TMP

cat > "$T/forge.py" <<'PY'
import socket, struct, sys
from teredopkt import *

me = a6(sys.argv[1])
mapped_ip, mapped_port = sys.argv[2].split(":")
mapped_port = int(mapped_port)
kind = sys.argv[3]
DST, DPORT = "10.0.1.2", int(sys.argv[4])
SRV = "192.0.2.1"

# a well-formed Teredo peer: outer 198.18.7.7:4000, matching address
PEER_IP, PEER_PORT = "198.18.7.7", 4000
peer = teredo(SRV, PEER_IP, PEER_PORT)
other = teredo(SRV, "203.0.113.77", 4444)	# not the sender's mapping
native = a6("2001:db8:2::99")
ll = a6("fe80::1")
mc = a6("ff02::1")
frag = struct.pack("!BBHI", 58, 0, 0, 0x1234) + \
    struct.pack("!BBHHH", 128, 0, 0, 1, 1)		# IPv6 fragment hdr + data

# kind -> (outer source, outer sport, UDP payload)
P = {
    # lengths
    "zero_payload": (PEER_IP, PEER_PORT, b""),
    "truncated_ipv6": (PEER_IP, PEER_PORT, echo(peer, me)[:30]),
    "ipv6_len_overlong": (PEER_IP, PEER_PORT, ip6(peer, me, 59, b"", plen=8)),
    # shorter than the datagram: the rest is an RFC 6081 trailer area,
    # here "x" (0x78) 0x78 bytes long: past the end
    "ipv6_len_short": (PEER_IP, PEER_PORT, ip6(peer, me, 59, b"x" * 8, plen=0)),
    "ipv6_len_max": (PEER_IP, PEER_PORT, ip6(peer, me, 59, b"x" * 64, plen=0xffff)),
    "auth_truncated": (PEER_IP, PEER_PORT, b"\x00\x01\x00"),
    "auth_overlong": (PEER_IP, PEER_PORT, b"\x00\x01\xff\xff" + b"x" * 40),
    "auth_max_lengths_not_server": (PEER_IP, PEER_PORT, auth(255, 255) + bubble(peer, me)),
    "origin_truncated": (SRV, 3544, b"\x00\x00\x01\x02\x03"),
    "two_origins": (SRV, 3544, origin(PEER_IP, PEER_PORT) * 2 + bubble(peer, me)),
    "auth_after_origin": (SRV, 3544, origin(PEER_IP, PEER_PORT) + auth() + bubble(peer, me)),
    "unknown_header": (PEER_IP, PEER_PORT, b"\x00\x02" + b"\0" * 60),
    "not_ipv6": (PEER_IP, PEER_PORT, b"\x45" + b"\0" * 59),
    "max_datagram_spoofed": (PEER_IP, PEER_PORT, echo(other, me, 65507 - 48)),
    # who may send what
    "auth_from_non_server": (PEER_IP, PEER_PORT, auth() + bubble(peer, me)),
    "auth_max_from_server_not_ra": (SRV, 3544, auth(255, 255) + origin(mapped_ip, mapped_port) + bubble(peer, me)),
    "origin_from_non_server": (PEER_IP, PEER_PORT, origin(PEER_IP, PEER_PORT) + bubble(peer, me)),
    # spoofed and non-global mappings
    "mapping_port_spoofed": (PEER_IP, PEER_PORT + 1, echo(peer, me)),
    "nonglobal_outer_private": ("10.9.9.9", PEER_PORT, echo(peer, me)),
    "nonglobal_outer_loopback": ("127.0.0.9", PEER_PORT, echo(peer, me)),
    "server_field_nonglobal": (PEER_IP, PEER_PORT, echo(teredo("127.0.0.1", PEER_IP, PEER_PORT), me)),
    "indirect_bubble_nonglobal_origin": (SRV, 3544, origin("192.168.1.1", 5) + bubble(peer, me)),
    "indirect_bubble_spoofed_origin": (SRV, 3544, origin("198.51.100.200", 5) + bubble(peer, me)),
    # link-local and multicast abuse
    "src_link_local": (PEER_IP, PEER_PORT, echo(ll, me)),
    "dst_link_local": (PEER_IP, PEER_PORT, echo(peer, ll)),
    "src_multicast": (PEER_IP, PEER_PORT, echo(mc, me)),
    "dst_multicast": (PEER_IP, PEER_PORT, echo(peer, mc)),
    # loops (draft-gont-6man-teredo-loops)
    "from_our_own_mapping": (mapped_ip, mapped_port, echo(me, me)),
    "to_our_mapping_other_address": (PEER_IP, PEER_PORT, echo(peer, teredo("198.51.100.9", mapped_ip, mapped_port))),
    # fragments
    "inner_fragment_native_from_server": (SRV, 3544, ip6(native, me, 44, frag)),
    "outer_fragments_spoofed": (PEER_IP, PEER_PORT + 1, echo(peer, me, 1400)),
    "outer_first_fragment_only": (PEER_IP, PEER_PORT, echo(peer, me, 1400)),
}

src, sport, payload = P[kind]
dgram = udp(sport, DPORT, payload)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)

if kind.startswith("outer_"):
    parts = [dgram[:800], dgram[800:]]
    s.sendto(ipv4(src, DST, parts[0], 0, True), (DST, 0))
    if kind == "outer_fragments_spoofed":
        s.sendto(ipv4(src, DST, parts[1], 800), (DST, 0))
else:
    s.sendto(ipv4(src, DST, dgram), (DST, 0))
PY

stats() { in_ns c1 ethtool -S t0 | awk '$1 ~ /:$/ { sub(":", "", $1); print $1, $2 }'; }
# expect KIND COUNTER: send KIND; COUNTER (or nothing if "none") is the only
# receive or drop counter that moved, by exactly one
expect() {
	local kind=$1 counter=$2 before after diff
	before=$(stats)
	in_ns c1 python3 "$T/forge.py" "$me" "$map" "$kind" $PORT
	sleep 0.3
	after=$(stats)
	# (tx counters move on their own: RS, refresh; so does rx_ra, the
	# refresh's answer, when a slow kernel stretches the test past it)
	diff=$(paste -d ' ' <(echo "$before") <(echo "$after") |
		awk '$1 ~ /^(rx_|drop_)/ && $1 != "rx_ra" && $2 != $4 { printf "%s+%d ", $1, $4 - $2 }')
	diff=${diff% }
	if [ "$counter" = none ]; then
		check "$kind: nothing counted, nothing delivered${diff:+ ($diff)}" test -z "$diff"
	else
		check "$kind: dropped, only $counter+1${diff:+ ($diff)}" \
			test "$diff" = "$counter+1"
	fi
}

topo_build 1
# not qualified yet: the server is not up
check "client configured" topo_teredo 1 t0 port $PORT refresh 300 dormant-timeout 0 || tap_end
me=2001:0:c000:201::1
map=198.51.100.1:1
expect not_ipv6 drop_malformed
expect mapping_port_spoofed drop_not_qualified

topo_server_start
check "client qualifies" topo_wait_state 1 t0 qualified 30 || tap_end
me=$(topo_show 1 t0 address)
map=$(topo_mapping 1)
diag "client $me behind $map"

expect zero_payload drop_malformed
expect truncated_ipv6 drop_malformed
expect ipv6_len_overlong drop_bad_length
expect ipv6_len_short drop_bad_trailer
expect ipv6_len_max drop_bad_length
expect auth_truncated drop_bad_auth
expect auth_overlong drop_bad_auth
expect auth_max_lengths_not_server drop_not_server
expect origin_truncated drop_bad_origin
expect two_origins drop_bad_origin
expect auth_after_origin drop_bad_origin
expect unknown_header drop_malformed
expect not_ipv6 drop_malformed
expect max_datagram_spoofed drop_mapping_mismatch
expect auth_from_non_server drop_not_server
expect auth_max_from_server_not_ra drop_bad_ra
expect origin_from_non_server drop_bad_origin
expect mapping_port_spoofed drop_mapping_mismatch
expect nonglobal_outer_private drop_nonglobal_ipv4
expect nonglobal_outer_loopback drop_nonglobal_ipv4
expect server_field_nonglobal drop_nonglobal_ipv4
expect indirect_bubble_nonglobal_origin drop_nonglobal_ipv4
expect indirect_bubble_spoofed_origin drop_mapping_mismatch
expect src_link_local drop_link_local
expect dst_link_local drop_link_local
expect src_multicast drop_multicast
expect dst_multicast drop_multicast
expect from_our_own_mapping drop_loop
expect to_our_mapping_other_address drop_not_for_us
expect inner_fragment_native_from_server drop_unknown_peer
expect outer_fragments_spoofed drop_mapping_mismatch
expect outer_first_fragment_only none

check "no peer created" test "$(in_ns c1 teredo-nl -j peers t0)" = "[]"
check "still qualified" test "$(topo_show 1 t0 state)" = qualified
tap_end
