#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 23 item 3, the relay's send queue: a native host that sprays
# more new Teredo destinations than the device may queue packets for
# (TEREDO_DEV_QUEUE_MAX, 1024) must not keep a new client's first
# packets out.  h6 sends one UDP datagram to each of SPRAY (1500)
# Teredo destinations, all embedding one victim IPv4, faster than any
# of them can answer; the relay's table (max-peers 4096) keeps every
# one, so nothing is evicted and, before the fix, the 1024 parked
# datagrams held the whole budget until the peers idled out (60 s):
# h6's echo requests to a client of ours, and h6's replies to a Miredo
# client's echo test, were dropped as drop_queue_full.  Now a peer
# with nothing queued takes the room of the oldest datagram parked for
# a never-answered peer.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=240
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server ethtool python3 ping teredo-nl
require_module teredo

ktap_plan 9
T=$TOPO_TMP
SPRAY=1500
MAX=4096
QMAX=1024
VICTIM=198.51.100.77

st() { local v; v=$(topo_stat rly tr0 "$1"); echo "${v:-0}"; }
peers() { topo_peer_count rly tr0; }

topo_build 2
# The relay's bubbles reach the clients through the mappings of their
# last RS (conntrack keeps an unconfirmed UDP mapping 30 s, the clients'
# refresh interval): under load one run saw h6 -> our client 0/3, its
# bubbles unanswered; keep the mappings as a home router would.
topo_nat_udp_timeout 1 300
topo_nat_udp_timeout 2 300
topo_server_start
check "our relay up (max-peers $MAX)" topo_our_relay_start max-peers $MAX || tap_end
check "our client configured" topo_teredo 1 t0 || tap_end
topo_miredo_client_start 2
check "our client qualifies" topo_wait_state 1 t0 qualified 30 || tap_end
check "the Miredo client qualifies" topo_wait_miredo 2 30 || tap_end
a1=$(topo_show 1 t0 address)
a2=$(topo_global_addr c2 mteredo)
diag "our client $a1, Miredo client $a2"

cat > "$T/spray.py" <<'PY'
import ipaddress, socket, struct, sys
n, victim = int(sys.argv[1]), sys.argv[2]
vip = bytes(b ^ 0xff for b in socket.inet_aton(victim))
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
sent = 0
for i in range(n):
    d = ipaddress.IPv6Address(b"\x20\x01\x00\x00" + socket.inet_aton("192.0.2.1") +
                              b"\0\0" + struct.pack("!H", (10000 + i) ^ 0xffff) + vip)
    try:
        s.sendto(b"spray", (str(d), 9))
        sent += 1
    except OSError:
        pass
print(sent)
PY
q0=$(st drop_queue_full)
sent=$(in_ns h6 python3 "$T/spray.py" $SPRAY $VICTIM)
wait_for "[ \$(peers) -ge $SPRAY ]" 30
n=$(peers)
over=$(($(st drop_queue_full) - q0))
diag "spray: $sent datagrams to $SPRAY destinations; relay: $n peers," \
	"drop_queue_full +$over, peers_evicted $(st peers_evicted)"
check "the spray's peers all kept ($n >= $SPRAY of max-peers $MAX: none evicted)" \
	test "$n" -ge $SPRAY
check "the spray spent the send budget (drop_queue_full +$over >= $((SPRAY - QMAX)))" \
	test "$over" -ge $((SPRAY - QMAX))

# the clients are new to the relay: their first packets must find room
r3=$(topo_ping3 c2 2001:db8:2::2)
r2=$(topo_ping3 h6 "$a1")
diag "legit replies with the budget spent: Miredo -> h6 ${r3:-0}/3," \
	"h6 -> ours ${r2:-0}/3; drop_queue_full +$(($(st drop_queue_full) - q0))"
if [ "${r3:-0}" -lt 2 ]; then
	diag "relay's peer for the Miredo client:"
	in_ns rly teredo-nl peers tr0 2>&1 | grep -F "$a2" | sed 's/^/#   /'
	diag "relay counters:"
	in_ns rly ethtool -S tr0 | awk '$2 != 0' | sed 's/^/#  /'
	diag "miredo client: $(tail -5 "$T"/miredo2.log 2>/dev/null | tr '\n' ' ')"
	in_ns c2 ping -c 2 -W 5 2001:db8:2::2 2>&1 | sed 's/^/#   /'
fi
check "Miredo client -> h6 (its echo test's reply parked; ${r3:-0} of 3)" \
	test "${r3:-0}" -ge 2
if [ "${r2:-0}" -lt 2 ]; then
	diag "relay's peer for our client:"
	in_ns rly teredo-nl peers tr0 2>&1 | grep -F "$a1" | sed 's/^/#   /'
	diag "our client's counters:"
	in_ns c1 ethtool -S t0 | awk '$2 != 0' | sed 's/^/#  /'
fi
check "h6 -> our client, a new peer of the relay (${r2:-0} of 3)" test "${r2:-0}" -ge 2
check "the spray's peers still held ($(peers) >= $((SPRAY - 2)))" \
	test "$(peers)" -ge $((SPRAY - 2))
tap_end
