#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 23 item 5: unsolicited peers cannot make an event storm.  Every
# peer a forged source makes (peer-trusted) and every one evicted to
# make room (peer-expired) was a netlink event, a page-sized GFP_ATOMIC
# skb in softirq, whenever anyone listens.  teredo-gen sends valid
# bubbles from 4000 spoofed sources to client 1 (max-peers 256) while
# "teredo-nl -j monitor" listens and client 1 pings client 2 for the
# first time.  Events of peers that are not ours-and-answered go out at
# most 32 at once and 16 per second; the rest are counted
# (events_suppressed) and reported by one "events-suppressed" event at
# the next GC run (10 s); client 2's peer-trusted event is always sent.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=180
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping teredo-nl teredo-gen
require_module teredo

ktap_plan 10
T=$TOPO_TMP
PORT=3545
FLOOD=4000
MON=$T/monitor.jsonl

stat() { local v; v=$(topo_stat c1 t0 "$1"); echo "${v:-0}"; }
# count EXPR: events in the monitor's output for which EXPR (Python, on e) holds
count() {
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    p = e.get("peer") or {}
    n += eval(sys.argv[2]) and e["event"].startswith("peer-")
print(n)' "$MON" "$1"
}
suppressed_reported() {
	python3 -c '
import json, sys
print(sum(json.loads(l).get("suppressed", 0) for l in open(sys.argv[1])
          if l.startswith("{")))' "$MON"
}

topo_build 2
topo_server_start
check "client 1 configured (max-peers 256)" \
	topo_teredo 1 t0 port $PORT refresh 300 max-peers 256 || tap_end
check "client 2 configured" topo_teredo 2 t0 || tap_end
topo_wait_state 1 t0 qualified 30 && topo_wait_state 2 t0 qualified 30
check "both qualify" test $? = 0 || tap_end
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)

ip netns exec "$(ns c1)" teredo-nl -j monitor t0 > "$MON" 2>&1 &
mpid=$!
TOPO_PIDS+=($mpid)
sleep 1
s0=$(stat events_suppressed)
start=$SECONDS
in_ns c1 teredo-gen -d 10.0.1.2:$PORT -m "$a1" -n $FLOOD 2> "$T/gen.log"
out=$(in_ns c1 ping -c 2 -i 0.5 -W 5 "$a2" 2>&1)
check "client 1 -> client 2 during the flood" grep -q " [12] received" <<< "$out" ||
	diag "$out"
in_ns c1 teredo-gen -d 10.0.1.2:$PORT -m "$a1" -o $FLOOD -n $FLOOD 2>> "$T/gen.log"
secs=$((SECONDS - start))
# the GC reports within 10 s of the last suppression (it may have
# reported a first part already, between the two floods)
wait_for "[ \$(suppressed_reported) -gt 0 ] &&
	  [ \$(suppressed_reported) = \$((\$(stat events_suppressed) - s0)) ]" 25
sleep 1
kill $mpid 2>/dev/null
wait $mpid 2>/dev/null
supp=$(($(stat events_suppressed) - s0))
unsol=$(count "p.get('address') != '$a2'")
legit=$(count "p.get('address') == '$a2' and e['event'] == 'peer-trusted'")
rep=$(suppressed_reported)
bound=$((32 + 16 * (secs + 1)))
diag "flood: $(tr '\n' ' ' < "$T/gen.log"); $(stat rx_bubbles) bubbles received," \
	"peers_evicted $(stat peers_evicted)"
diag "events of unsolicited peers sent: $unsol in about $secs s (bound $bound);" \
	"events_suppressed +$supp; reported as suppressed: $rep; client 2's peer-trusted: $legit"
diag "monitor: $(grep -m1 suppressed "$MON")"
check "the flood made peers (peers_evicted $(stat peers_evicted) > 0)" \
	test "$(stat peers_evicted)" -gt 0
check "at most $bound events of unsolicited peers sent ($unsol)" test "$unsol" -le $bound
check "the rest counted in events_suppressed ($supp)" test "$supp" -gt 0
check "monitor reports the suppressed events ($rep = $supp)" test "$rep" = "$supp"
check "client 2's peer-trusted event was sent ($legit)" test "$legit" -ge 1
check "monitor prints it as text" \
	bash -c "ip netns exec $(ns c1) teredo-nl monitor t0 > '$T/text' 2>&1 & m=\$!;
		 ip netns exec $(ns c1) teredo-gen -d 10.0.1.2:$PORT -m '$a1' -o $((3 * FLOOD)) -n $FLOOD 2>/dev/null;
		 for i in \$(seq 300); do grep -q 'events-suppressed' '$T/text' && break; sleep 0.1; done;
		 kill \$m; grep -q 'events-suppressed .*peer events of unsolicited peers not sent' '$T/text'" ||
	diag "$(grep -v peer- "$T/text" | head -3)"
tap_end
