#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# waits: five pauses of 32 s (a peer's 30 s of trust)
# A conversation between two of our clients that pauses for longer
# than the 30 s a peer stays trusted without being heard from (RFC 4380
# 5.2.4): every resumption parks the packet and asks for the peer's
# answer with bubbles again.  Section 5.2.6 limits bubbles to a peer
# that does not answer (4 per 300 s); the peer's answer resets that
# count, as in Miredo.  Five resumptions within 300 s (one more than
# the limit): each needs a new bubble and each ping is answered.
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
ktap_plan "$((6 + 2 * 5))"

ROUNDS=5

topo_build 2
topo_server_start
check "client 1 configured" topo_teredo 1 t0
check "client 2 configured" topo_teredo 2 t0
check "client 1 qualifies" topo_wait_state 1 t0 qualified 20
check "client 2 qualifies" topo_wait_state 2 t0 qualified 20
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
diag "client 1 $a1, client 2 $a2"

# peer_field KEY: KEY of client 2 in client 1's peer list (0 if absent)
peer_field() {
	in_ns c1 teredo-nl -j peers t0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("address") == sys.argv[1]:
        print(int(p.get(sys.argv[2], 0)))
        break
else:
    print(0)' "$a2" "$1"
}

start=$SECONDS
for r in $(seq 1 $ROUNDS); do
	if [ "$r" -gt 1 ]; then
		sleep 32		# client 2 unheard for > 30 s
		diag "round $r at $((SECONDS - start)) s: client 2 last heard $(peer_field last_rx_ms) ms ago"
	fi
	b0=$(peer_field bubbles)
	out=$(in_ns c1 ping -c 1 -W "$(scaled 10)" "$a2" 2>&1)
	b1=$(peer_field bubbles)
	check "round $r: ping 1 -> 2 answered" grep -q " 1 received" <<< "$out" ||
		{ diag "$out"; topo_diag 1 t0 "$a2"; }
	check "round $r: it needed a new bubble ($b0 -> $b1)" test "$b1" -gt "$b0"
done
elapsed=$((SECONDS - start))
diag "$ROUNDS rounds in $elapsed s"
check "all rounds within one 300 s bubble window" test "$elapsed" -lt 300
# a direct bubble and an indirect one through client 2's server a round
check "client 1 sent $((2 * ROUNDS)) bubbles" \
	test "$(topo_stat c1 t0 tx_bubbles)" -ge $((2 * ROUNDS))

tap_end
