#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# soak: a native-side spray at the relay (relay_queue_spray, relay_drops on every kernel)
# Issue 23 item 3: a native host spraying Teredo destinations neither
# locks new clients out of our relay nor aims its bubbles at a victim.
# The native host h6 sends UDP to SPRAY (20000) distinct Teredo
# addresses, in a loop, all embedding one victim IPv4 (198.51.100.77,
# each a different port): every new destination makes the relay create
# a peer (max-peers 2048) and send a bubble pair.  Meanwhile a new
# client of ours and a new Miredo client reach h6 through the relay,
# and h6 reaches them (both ways).  Peers that never answered make room
# for each other (peers_evicted); bubbles towards the victim are
# limited per target IPv4 (bubbles_limited): at most 16 pairs at once
# and 4 per second, so the victim receives at most 2 x (16 + 4 x T)
# bubbles in T seconds (direct ones from the relay and indirect ones
# through the server), counted on the router.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=300
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server conntrack ethtool nft python3 ping teredo-nl
require_module teredo

ktap_plan 15
T=$TOPO_TMP
SPRAY=20000
# The spray's pace.  A peer that has not answered yet lives about
# max-peers / RATE seconds before newer ones evict it (2 s here): enough
# for a new client to answer the relay's bubble.  A faster spray of new
# destinations shortens that, and a new client's first packets can be
# lost (10000 per second: 0.2 s, and the Miredo client's echo test
# failed): a known limit, Documentation/teredo.rst "Threats and limits".
RATE=1000
MAX=2048
# A slow (debug) kernel's h6 sprays at about 45 a second, not 1000: the
# table and the spray shrink by the timeout scale, ten destinations per
# entry as at full size.
SPRAY=$((SPRAY / TSCALE))
MAX=$((MAX / TSCALE))
VICTIM=198.51.100.77

st() { local v; v=$(topo_stat rly tr0 "$1"); echo "${v:-0}"; }
peers() { topo_peer_count rly tr0; }
victim() { # victim relay|server: bubbles to the victim seen on the router
	in_ns rt nft list counter ip spray "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

topo_build 2
topo_server_start
check "our relay up (max-peers $MAX)" topo_our_relay_start max-peers $MAX || tap_end
cat > "$T/spray.nft" <<-NFT
	table ip spray {
		counter relay { }
		counter server { }
		chain forwarding {
			type filter hook forward priority filter;
			policy accept;
			ip daddr $VICTIM ip saddr 192.0.2.130 counter name relay
			ip daddr $VICTIM ip saddr 192.0.2.1 counter name server
		}
	}
NFT
check "the router counts bubbles to the victim" in_ns rt nft -f "$T/spray.nft" || tap_end
check "our client configured" topo_teredo 1 t0 || tap_end
topo_miredo_client_start 2
check "our client qualifies" topo_wait_state 1 t0 qualified 30 || tap_end
check "the Miredo client qualifies" topo_wait_miredo 2 30 || tap_end
a1=$(topo_show 1 t0 address)
a2=$(topo_global_addr c2 mteredo)
diag "our client $a1, Miredo client $a2"

# --- the spray ------------------------------------------------------------------
cat > "$T/spray.py" <<'PY'
import ipaddress, os, socket, struct, sys, time
n, victim, stop, rate = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
vip = bytes(b ^ 0xff for b in socket.inet_aton(victim))
dsts = [str(ipaddress.IPv6Address(b"\x20\x01\x00\x00" +
                                  socket.inet_aton("192.0.2.1") + b"\0\0" +
                                  struct.pack("!H", (10000 + i) ^ 0xffff) + vip))
        for i in range(n)]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setblocking(False)
sent = passes = 0
t0 = time.time()
# paced: at most rate packets a second, in 10 ms slices
i = tried = 0
while not os.path.exists(stop):
    for _ in range(rate // 100):
        try:
            s.sendto(b"spray", (dsts[i], 9))
            sent += 1
        except OSError:
            pass
        i += 1
        tried += 1
        if i == n:
            i = 0
            passes += 1
            if passes == 1:
                open(stop + ".pass", "w").close()
    lag = t0 + tried / rate - time.time()
    if lag > 0:
        time.sleep(lag)
dt = time.time() - t0
print("%d packets to %d destinations (%d whole passes), %.0f s (%.0f pps)" %
      (sent, min(sent, n), passes, dt, sent / dt if dt else 0))
PY
rm -f "$T/stop"
start=$SECONDS
in_ns h6 python3 "$T/spray.py" $SPRAY $VICTIM "$T/stop" $RATE > "$T/spray.log" 2>&1 &
spid=$!
# (read once, by wait_for: an eviction in progress shows one less)
# (an eviction makes room only in a full table)
full=no
wait_for "[ \$(peers) -ge $MAX ] || [ \$(st peers_evicted) -gt 0 ]" "$(scaled 60)" && full=yes
check "the spray filled the relay's table ($MAX peers reached)" test $full = yes

r1=$(topo_ping3 c1 2001:db8:2::2)
r2=$(topo_ping3 h6 "$a1")
# (the Miredo client's first contact is its own echo test to h6: h6's
# reply once lost its room in the relay's full send queue, 1 run in 6;
# relay_queue_spray.sh tests that alone)
r3=$(topo_ping3 c2 2001:db8:2::2)
r4=$(topo_ping3 h6 "$a2")
n=$(peers)
# every destination sprayed at least once before it stops
wait_for "test -e $T/stop.pass" "$(scaled $((SPRAY / RATE + 30)))"
kill -0 $spid 2>/dev/null
during=$?
touch "$T/stop"
wait $spid
secs=$((SECONDS - start))
sleep 1
dv=$(victim relay)
iv=$(victim server)
bound=$((2 * (16 + 4 * (secs + 1))))
diag "spray: $(cat "$T/spray.log")"
diag "relay: $n peers, peers_evicted $(st peers_evicted), drop_peers_full" \
	"$(st drop_peers_full), bubbles_limited $(st bubbles_limited), tx_bubbles $(st tx_bubbles)"
diag "victim $VICTIM: $dv direct + $iv through the server = $((dv + iv)) bubbles" \
	"in $secs s ($(((dv + iv) / (secs > 0 ? secs : 1))) per second; bound $bound)"
diag "legit replies during the spray: ours -> h6 ${r1:-0}/3, h6 -> ours ${r2:-0}/3," \
	"Miredo -> h6 ${r3:-0}/3, h6 -> Miredo ${r4:-0}/3"
check "the spray ran all along, over all $SPRAY destinations" test $during = 0 -a -e "$T/stop.pass"
check "our client -> h6 through the relay during the spray (${r1:-0} of 3)" test "${r1:-0}" -ge 2
check "h6 -> our client during the spray (${r2:-0} of 3)" test "${r2:-0}" -ge 2
check "Miredo client -> h6 during the spray (${r3:-0} of 3)" test "${r3:-0}" -ge 2
check "h6 -> Miredo client during the spray (${r4:-0} of 3)" test "${r4:-0}" -ge 2
check "table bounded: $n <= $MAX" test "$n" -le $MAX
check "never-answered peers made room (peers_evicted $(st peers_evicted) > 0)" \
	test "$(st peers_evicted)" -gt 0
check "victim received at most $bound bubbles ($((dv + iv)))" \
	test $((dv + iv)) -le $bound
check "the rest counted in bubbles_limited ($(st bubbles_limited))" \
	test "$(st bubbles_limited)" -gt 0
tap_end
