#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# waits: the GC's 10 s rounds and the peers' 60 s of idle
# timeout=300
# The peer-table GC (issue 8): every TEREDO_GC_INTERVAL (10 s) it drops
# the peers idle for 60 s, walking the table TEREDO_GC_BATCH (256) peers
# per hold of the table lock.  teredo-gen makes N (3000: 12 batches)
# peers at once from spoofed sources; 30 s later the last 500 of them
# send again.  Once the GC has passed over the others (60-70 s after
# they were made), exactly the 500 refreshed ones and client 2 (pinged
# all along) must be left: a walk that stopped after its first batch,
# lost its place between batches or dropped a live peer fails here.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack nft python3 ping teredo-nl teredo-gen
require_module teredo
ktap_plan 10

N=3000
KEEP=500
PORT=3545

peer_count() { topo_show 1 t0 peers; }

topo_build 2
topo_server_start
check "client 1 configured" \
	topo_teredo 1 t0 port $PORT refresh 300 dormant-timeout 0 || tap_end
check "client 2 configured" topo_teredo 2 t0 refresh 300 || tap_end
check "client 1 qualifies" topo_wait_state 1 t0 qualified 30 || tap_end
check "client 2 qualifies" topo_wait_state 2 t0 qualified 30 || tap_end
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
out=$(in_ns c1 ping -c 2 -i 0.5 -W 10 "$a2" 2>&1)
check "ping 1 -> 2" grep -q " 2 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; topo_diag 2 t0 "$a1"; }

# client 1 keeps talking to client 2 (one ping a second) from now on
in_ns c1 ping -i 1 -W 5 "$a2" > "$TOPO_TMP/ping" 2>&1 &
TOPO_PIDS+=($!)

in_ns c1 teredo-gen -d 10.0.1.2:$PORT -m "$a1" -n $N 2> /dev/null
# the times count from the flood's end: on a debug kernel sending it took
# long enough that peers made late in it were still young at t0 + 85 s
t0=$SECONDS
n=$(peer_count)
check "$N spoofed sources make peers ($n)" test "${n:-0}" -ge $N

# 30 s later, the last KEEP sources send again
while [ $((SECONDS - t0)) -lt 30 ]; do sleep 1; done
in_ns c1 teredo-gen -d 10.0.1.2:$PORT -m "$a1" -o $((N - KEEP)) -n $KEEP 2> /dev/null

# the others are idle 60 s after t0, gone within a GC interval more
end=$((t0 + 85))
n=$(peer_count)
while [ "${n:-0}" -gt $((KEEP + 1)) ] && [ $SECONDS -lt $end ]; do
	sleep 2
	n=$(peer_count)
done
diag "$n peers left $((SECONDS - t0)) s after the flood"
check "the GC dropped the $((N - KEEP)) idle peers within 85 s" test "${n:-0}" -le $((KEEP + 1))
check "it kept the $KEEP refreshed ones and client 2" test "${n:-0}" -ge $((KEEP + 1))
trusted=$(in_ns c1 teredo-nl -j peers t0 | python3 -c '
import json, sys
a2 = sys.argv[1]
print(any(p["address"] == a2 and p["trusted"] for p in json.load(sys.stdin)))' "$a2")
check "client 2 is still a trusted peer" test "$trusted" = True
out=$(in_ns c1 ping -c 3 -i 0.5 -W 10 "$a2" 2>&1)
check "ping 1 -> 2 after the GC: 3 of 3" grep -q " 3 received" <<< "$out" || diag "$out"
tap_end
