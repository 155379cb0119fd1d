#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# soak: a spoofed flood's peers and evictions (the receive path: hostile_input, client_drops on every kernel)
# timeout=900
# Issue 8 item 3: a flood of spoofed sources.  teredo-gen sends valid
# bubbles from FLOOD (default 1M) distinct Teredo sources to client 1,
# then 100k more whose addresses all embed one single real IPv4:port.
# Meanwhile client 1 pings client 2 (the peer it talks to).  The peer
# table must stay within max-peers (and the slab with it), the
# unsolicited flood peers make room for each other (peers_evicted), the
# peer we talk to stays trusted and the pings keep being answered, a new
# correspondent still gets in, and a flush gives the memory back.
#
# SCALE_FLOOD=N changes the number of sources (1M; 16384 on the debug
# kernel).  kselftest exit codes.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping teredo-nl teredo-gen
require_module teredo
ktap_plan 17

# MAX: the table's bound, ONE: sources behind one single IPv4:port.  The
# debug kernel (VM_TIMEOUT_SCALE > 1) makes only about 200 new peers a
# second (KASAN, kmemleak) and a peer idles out after 60 s: it could never
# fill the default table of 65536, so a table of 2048 is flooded there
# (its slab bound is 2 KiB a peer: redzones and kmemleak's own objects).
if [ "$TSCALE" -gt 1 ]; then
	MAX=2048 FLOOD=${SCALE_FLOOD:-16384} ONE=2048 PEER_KB=2
	MAXARG=(max-peers "$MAX")
else
	MAX=65536 FLOOD=${SCALE_FLOOD:-1000000} ONE=100000 PEER_KB=1
	MAXARG=()		# the default
fi
PORT=3545
T=$TOPO_TMP

stat() { in_ns c1 ethtool -S t0 | awk -v k="$1:" '$1 == k { print $2 }'; }
peer_count() { topo_show 1 t0 peers; }
# peer_of ADDR: "trusted mapped_addr:mapped_port" of client 1's peer ADDR
peer_of() {
	in_ns c1 teredo-nl -j peers t0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p["address"] == sys.argv[1]:
        print(p["trusted"], "%s:%s" % (p["mapped_addr"], p["mapped_port"]))' "$1"
}
gen() { in_ns c1 teredo-gen -d 10.0.1.2:$PORT -m "$a1" "$@"; }

topo_build 2
topo_server_start
check "client 1 configured" topo_teredo 1 t0 port $PORT refresh 300 "${MAXARG[@]}" || tap_end
# client 2 keeps the default 30 s refresh: its NAT must keep the server's
# way in open (client 1's bubbles after a silence of more than 30 s, on
# the slow debug kernel, go through the server)
check "client 2 configured" topo_teredo 2 t0 || tap_end
check "client 1 qualifies" topo_wait_state 1 t0 qualified 30 || tap_end
check "client 2 qualifies" topo_wait_state 2 t0 qualified 30 || tap_end
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
m2=$(topo_mapping 2)
diag "client 1 $a1, client 2 $a2 ($m2)"
check "max-peers is $MAX" test "$(topo_show 1 t0 max_peers)" = $MAX
out=$(in_ns c1 ping -c 2 -i 0.5 -W 10 "$a2" 2>&1)
check "ping 1 -> 2 before the flood" grep -q " 2 received" <<< "$out" || diag "$out"

kb0=$(unreclaimable_kb)

# --- the flood, with a ping flow alongside ------------------------------------
# (not through in_ns: $! must be ping itself, for the SIGINT below)
ip netns exec "$(ns c1)" ping -i 0.5 -W 5 "$a2" > "$T/ping.log" 2>&1 &
ppid=$!
bubbles0=$(stat rx_bubbles)
start=$SECONDS
gen -n "$FLOOD" 2> "$T/gen.log"
diag "flood of $FLOOD sources: $(cat "$T/gen.log")"
gen -1 -o "$FLOOD" -n "$ONE" 2> "$T/gen1.log"
diag "$ONE sources all behind one IPv4:port: $(cat "$T/gen1.log")"
sleep 1
kill -INT $ppid
wait $ppid
diag "ping during the flood ($((SECONDS - start)) s): $(grep -E 'transmitted' "$T/ping.log")"
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T/ping.log")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T/ping.log")
check "pings 1 -> 2 answered during the flood ($got of $sent)" \
	test "${got:-0}" -ge $((${sent:-1} * 9 / 10))

n=$(peer_count)
kb1=$(unreclaimable_kb)
evicted=$(stat peers_evicted)
arrived=$(($(stat rx_bubbles) - bubbles0))
diag "peers $n, peers_evicted $evicted, drop_peers_full $(stat drop_peers_full);" \
	"$arrived of $((FLOOD + ONE)) flood bubbles reached the device (the rest" \
	"overflowed the stack's backlog under TCG)"
diag "unreclaimable slab: $kb0 kB -> $kb1 kB ($(((kb1 - kb0) * 1024 / (n > 0 ? n : 1))) bytes per peer)"
check "peer table bounded: $n = max-peers" test "$n" = $MAX
# each bubble that arrived made a new peer: all but the table's worth
# evicted one (no flood peer lives long enough to meet the 60 s GC; a few
# bubbles may be client 2's)
check "flood peers made room for each other: peers_evicted $evicted >= $((arrived - MAX - 64))" \
	test "${evicted:-0}" -ge $((arrived - MAX - 64))
check "most of the flood arrived ($arrived)" test "$arrived" -ge $(((FLOOD + ONE) * 9 / 10))
check "slab grew by less than $PEER_KB KiB per allowed peer" \
	test $((kb1 - kb0)) -lt $((MAX * PEER_KB))
check "no OOM" bash -c '! dmesg | grep -qi "out of memory"'
p=$(peer_of "$a2")
check "client 2 is still client 1's trusted peer ($p)" \
	bash -c "[[ '$p' =~ ^(True|true|1)\ $m2\$ ]]"
out=$(in_ns c1 ping -c 3 -i 0.5 -W 5 "$a2" 2>&1)
check "ping 1 -> 2 after the flood: 3 of 3" grep -q " 3 received" <<< "$out" ||
	diag "$out"

# a new correspondent is not locked out
new=$(teredo-gen -l -o $((FLOOD + ONE + 7)) -n 1)
gen -o $((FLOOD + ONE + 7)) -n 1 2> /dev/null
check "a new source still gets a peer" test -n "$(peer_of "$new")"

# --- memory comes back ------------------------------------------------------
check "flush" in_ns c1 teredo-nl flush t0
sleep 2
kb2=$(unreclaimable_kb)
diag "unreclaimable slab after flush: $kb2 kB"
check "flush gave the memory back (within 4 MiB of before)" \
	test $((kb2 - kb0)) -lt 4096
tap_end
