#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# waits: bubble gaps and 75 s past a peer's idle time
# timeout=300
# Bubbles to a Teredo peer that never answers are capped (RFC 4380
# section 5.2.6; TEREDO_BUBBLE_GAP, _WINDOW, _MAX in
# drivers/net/teredo/peer.h): at least 2 s apart, at most 4 per 300 s.
# Our client sends to a peer behind nat2, whose firewall drops every
# unsolicited packet: neither the direct bubble (to the peer's mapping)
# nor the indirect one (relayed by the server) is ever answered.  Rounds
# of two datagrams 2.5 s apart: the first round gets one bubble pair
# (the second datagram is inside the 2 s gap; the capture shows every
# pair at least 2 s after the one before), 4 pairs in all (the seek work
# retries on its own while the datagrams wait, the rounds add nothing),
# then nothing more within the 300 s window.  Every figure is exact:
# tx_bubbles, the peer's "bubbles" field and the bubbles seen leaving
# nat1 (direct to 203.0.113.1:4444, indirect to 192.0.2.1:3544).
# The count outlives the peer's idle time (TEREDO_PEER_IDLE, 60 s): 75 s
# of silence later the peer is still in the table with its count, and
# two more rounds send nothing (a forgotten peer would start a fresh
# count: 4 more pairs).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 tcpdump teredo-nl
require_module teredo
ktap_plan 17

topo_build 2
topo_server_start
# refresh 300: no RS to the server during the test; no discovery bubble
check "client configured" topo_teredo 1 t0 refresh 300 local-discovery off
check "client qualifies" topo_wait_state 1 t0 qualified 20
# the silent peer: a Teredo address naming nat2's outside address
peer=$(python3 -c '
import ipaddress
from teredopkt import teredo
print(ipaddress.IPv6Address(teredo("192.0.2.1", "203.0.113.1", 4444)))')
diag "client $(topo_show 1 t0 address), silent peer $peer"

# rounds.py DST N: N rounds of 2 UDP datagrams to DST, 2.5 s apart
cat > "$TOPO_TMP/rounds.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    if i:
        time.sleep(2.5)
    for _ in range(2):
        s.sendto(b"anyone?", (sys.argv[1], 9))
PY
rounds() { in_ns c1 python3 "$TOPO_TMP/rounds.py" "$peer" "$1"; }
st() { topo_stat c1 t0 "$1"; }
peer_bubbles() {
	in_ns c1 teredo-nl -j peers t0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("address") == sys.argv[1]:
        print(p.get("bubbles"))
        break
else:
    print("none")' "$peer"
}
# wire DST: bubbles seen leaving nat1 to DST (IPv4.port)
wire() {
	tcpdump -n -r "$TOPO_TMP/wan.pcap" 2>/dev/null | grep -c "> $1: "
}

# bubbles are 40-byte IPv6 packets: UDP length 48 (an RS is longer)
in_ns nat1 tcpdump -q -U -i wan -w "$TOPO_TMP/wan.pcap" \
	"udp and ((dst host 203.0.113.1 and dst port 4444) or" \
	"(dst host 192.0.2.1 and dst port 3544 and udp[4:2] = 48))" 2>/dev/null &
TOPO_PIDS+=("$!")
sleep 1
tx0=$(st tx_bubbles)

# gaps DST: seconds between consecutive bubbles seen leaving nat1 to DST
gaps() {
	tcpdump -tt -n -r "$TOPO_TMP/wan.pcap" 2>/dev/null |
		awk -v d="> $1: " 'index($0, d) { if (n++) printf "%.2f ", $1 - t; t = $1 }'
}
# at least 2 s apart (TEREDO_BUBBLE_GAP), with 1/10 s for the capture
gaps_ok() {
	local g
	for g in $1; do
		awk -v g="$g" 'BEGIN { exit !(g >= 1.9) }' || return 1
	done
}

# Round 1 is 2 datagrams at once: one pair, not two.  Whether a second
# pair came too soon is read off the capture's timestamps after the
# sixth round, not off tx_bubbles now: the client's seek work sends the
# next pair 2 s after the first on its own, and a slow reading here
# could not tell that pair from one sent too early.
rounds 1
sleep 2
rounds 5
sleep 0.5
tx=$(st tx_bubbles)
direct=$(wire 203.0.113.1.4444)
indirect=$(wire 192.0.2.1.3544)
diag "after 6 rounds: tx_bubbles +$((tx - tx0)), on the wire $direct direct," \
	"$indirect indirect, peer's bubbles $(peer_bubbles)"
dgaps=$(gaps 203.0.113.1.4444) igaps=$(gaps 192.0.2.1.3544)
dgaps=${dgaps% } igaps=${igaps% }
check "bubbles at least 2 s apart (direct: ${dgaps:-none}, indirect: ${igaps:-none})" \
	eval 'test -n "$dgaps" && gaps_ok "$dgaps" && test -n "$igaps" && gaps_ok "$igaps"'
check "6 rounds: 4 pairs (TEREDO_BUBBLE_MAX), tx_bubbles +8" test "$tx" = $((tx0 + 8))
check "6 rounds: the peer's bubbles field is 4" test "$(peer_bubbles)" = 4
check "6 rounds: 4 direct bubbles to 203.0.113.1:4444 left nat1" test "$direct" = 4
check "6 rounds: 4 indirect bubbles to 192.0.2.1:3544 left nat1" test "$indirect" = 4

# nothing more within the window (300 s from the first bubble)
sleep 2
rounds 6
sleep 1
tx=$(st tx_bubbles)
direct=$(wire 203.0.113.1.4444)
indirect=$(wire 192.0.2.1.3544)
diag "after 12 rounds: tx_bubbles +$((tx - tx0)), on the wire $direct direct," \
	"$indirect indirect, peer's bubbles $(peer_bubbles)"
check "12 rounds: still tx_bubbles +8" test "$tx" = $((tx0 + 8))
check "12 rounds: the peer's bubbles field still 4" test "$(peer_bubbles)" = 4
check "12 rounds: still 4 direct bubbles on the wire" test "$direct" = 4
check "12 rounds: still 4 indirect bubbles on the wire" test "$indirect" = 4
check "the peer is still not trusted" \
	test "$(in_ns c1 teredo-nl -j peers t0 | python3 -c '
import json, sys
print([p.get("trusted") for p in json.load(sys.stdin) if p.get("address") == sys.argv[1]])' "$peer")" = "[False]"
# silent for longer than TEREDO_PEER_IDLE plus a GC interval (10 s)
sleep 75
check "75 s idle: the peer is still in the table, bubbles 4 ($(peer_bubbles))" \
	test "$(peer_bubbles)" = 4
rounds 2
sleep 1
tx=$(st tx_bubbles)
direct=$(wire 203.0.113.1.4444)
indirect=$(wire 192.0.2.1.3544)
diag "75 s later, 2 more rounds: tx_bubbles +$((tx - tx0)), on the wire" \
	"$direct direct, $indirect indirect, peer's bubbles $(peer_bubbles)"
check "after the idle time: still tx_bubbles +8" test "$tx" = $((tx0 + 8))
check "after the idle time: still 4 direct bubbles on the wire" test "$direct" = 4
check "after the idle time: still 4 indirect bubbles on the wire" test "$indirect" = 4
check "nothing received from it (rx_packets 0)" test "$(st rx_packets)" = 0
diag "$(in_ns c1 ethtool -S t0 | grep -v ': 0$' | tr -s ' \n' ' ')"

tap_end
