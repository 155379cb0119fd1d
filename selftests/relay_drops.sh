#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Hostile input to our relay (RFC 4380 section 5.4.2): one crafted
# packet per drop rule, sent from 192.0.2.1:40000, each dropped and
# counted in exactly its own counter; a valid one is forwarded.  The
# relay never sends for a non-global IPv6 source, and what waits for an
# unknown client is bounded (8 packets) with one direct and one
# indirect bubble per 2 s (section 5.2.6).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=180
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd ethtool nft python3 ping
require_module teredo
ktap_plan "$((6 + 9))"

topo_build 0
check "our relay up on 192.0.2.130:3545" topo_our_relay_start port 3545

cat > "$TOPO_TMP/forge.py" <<'PY'
import sys
from teredopkt import *

SRC, SPORT = "192.0.2.1", 40000
kind = sys.argv[1]

me = teredo("192.0.2.1", SRC, SPORT)
h6 = a6("2001:db8:2::2")

pkts = {
    "malformed": b"\x45" + b"\0" * 59,
    "bad_length": ip6(me, h6, 59, b"", plen=8),
    "bad_auth": auth() + echo(me, h6),
    "bad_origin": origin("0.0.0.0", 0) + echo(me, h6),
    "nonglobal_ipv4": echo(teredo("10.0.0.1", SRC, SPORT), h6),
    "bad_source": echo(a6("2001:db8:2::99"), h6),
    "mapping_mismatch": echo(teredo("192.0.2.1", SRC, SPORT + 1), h6),
    "not_for_us": echo(me, teredo("192.0.2.1", "203.0.113.7", 7)),
    "nonglobal_ipv6": echo(me, a6("fd00::1")),
    "valid": echo(me, h6),
}
teredo_socket(SRC, SPORT).sendto(pkts[kind], ("192.0.2.130", 3545))
PY

st() { topo_stat rly tr0 "$1"; }
others() { in_ns rly ethtool -S tr0 | grep -v -e "^ *$1:" -e NIC; }

for kind in malformed bad_length bad_auth bad_origin nonglobal_ipv4 \
	    bad_source mapping_mismatch not_for_us nonglobal_ipv6; do
	counter=drop_$kind
	before=$(st "$counter")
	rest=$(others "$counter")
	in_ns srv python3 "$TOPO_TMP/forge.py" "$kind"
	sleep 0.3
	after=$(st "$counter")
	check "$kind: dropped, counted in $counter ($before -> $after), nothing else" \
		test "$after" = $((before + 1)) -a "$(others "$counter")" = "$rest" ||
		diag "$(diff <(echo "$rest") <(others "$counter"))"
done
rx0=$(st rx_packets)
in_ns srv python3 "$TOPO_TMP/forge.py" valid
sleep 0.3
check "a valid client packet is forwarded (rx_packets $rx0 -> $(st rx_packets))" \
	test "$(st rx_packets)" = $((rx0 + 1))
peers=$(in_ns rly teredo-nl -j peers tr0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    print(p["address"], p["mapped_addr"], p["mapped_port"], p["trusted"])')
check "its client is now a trusted peer at 192.0.2.1:40000" \
	grep -qiE "^2001:0:c000:201:0:63bf:3fff:fdfe 192.0.2.1 40000 (true|1)$" <<< "$peers" ||
	diag "$peers"

# never for a non-global source: a ULA-sourced packet to a Teredo address
in_ns rly ip -6 addr add fd00::1/128 dev lo
before=$(st drop_nonglobal_ipv6)
in_ns rly ping -c 1 -W 1 -I fd00::1 2001:0:c000:201:0:f227:3fff:fdd2 > /dev/null 2>&1
check "a packet from a non-global source is not sent (drop_nonglobal_ipv6)" \
	test "$(st drop_nonglobal_ipv6)" = $((before + 1))

# an unknown client: 12 packets in one burst (a timed ping spreads over
# more than the 2 s bubble interval on a loaded host), 8 wait, 4 dropped,
# 2 bubbles
b0=$(st tx_bubbles)
q0=$(st drop_queue_full)
in_ns h6 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for _ in range(12):
    s.sendto(b"x", (sys.argv[1], 9))' 2001:0:c000:201:0:f227:3fff:fdd2
sleep 0.3
check "unknown client: 8 packets queued, 4 counted in drop_queue_full" \
	test "$(st drop_queue_full)" = $((q0 + 4))
check "unknown client: one direct and one indirect bubble within 2 s" \
	test "$(st tx_bubbles)" = $((b0 + 2))
diag "$(in_ns rly teredo-nl peers tr0 | tr '\n' ';')"
diag "$(in_ns rly ethtool -S tr0 | grep -v ': 0$' | tr -s ' \n' ' ')"
tap_end
