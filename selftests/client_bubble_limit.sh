#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Answers to indirect bubbles are rate limited.  An indirect bubble
# (from the server, with an origin indication) makes our client send a
# direct bubble to the origin: whoever gets the server to relay bubbles
# chooses where those go.  Forged indirect bubbles (sent from the
# server's own address and port, with the server stopped) show the
# bounds: one answer per source per second, at most 32 answers a
# second in all; every refused answer counts in drop_ratelimit, and
# the direct bubbles seen leaving the NAT are exactly those counted.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 tcpdump
require_module teredo
ktap_plan 11

topo_build 1
topo_nat_udp_timeout 1 300 || fail_all "no conntrack UDP timeout sysctls in nat1"
topo_server_start
check "client configured" topo_teredo 1 t0 refresh 300
check "client qualifies" topo_wait_state 1 t0 qualified 20
me=$(topo_show 1 t0 address)
map=$(topo_mapping 1)
diag "client $me behind $map"
topo_server_stop

# bubbles.py ME IP:PORT FIRST COUNT [REPEAT]: REPEAT (1) indirect
# bubbles from each of COUNT Teredo sources whose mappings (and origin
# indications) are 203.0.113.77:FIRST .. FIRST+COUNT-1
cat > "$TOPO_TMP/bubbles.py" <<'PY'
import sys
from teredopkt import *

me = a6(sys.argv[1])
dst_ip, dst_port = sys.argv[2].split(":")
first, count = int(sys.argv[3]), int(sys.argv[4])
repeat = int(sys.argv[5]) if len(sys.argv) > 5 else 1
s = teredo_socket("192.0.2.1", 3544)
for port in range(first, first + count):
    peer = teredo("192.0.2.1", "203.0.113.77", port)
    pkt = origin("203.0.113.77", port) + bubble(peer, me)
    for _ in range(repeat):
        s.sendto(pkt, (dst_ip, int(dst_port)))
PY
bubbles() { in_ns srv python3 "$TOPO_TMP/bubbles.py" "$me" "$map" "$@"; }
stat() { in_ns c1 ethtool -S t0 | awk -v k="$1:" '$1 == k { print $2 }'; }
# delta NAME: how much counter NAME grew since the last snapshot
snap() { declare -gA S0; for k in rx_bubbles tx_bubbles drop_ratelimit; do S0[$k]=$(stat $k); done; }
delta() { echo $(($(stat "$1") - S0[$1])); }

in_ns nat1 tcpdump -q -U -i wan -w "$TOPO_TMP/wan.pcap" \
	udp and dst host 203.0.113.77 2>/dev/null &
cap=$!
TOPO_PIDS+=("$cap")
sleep 1

snap
bubbles 5000 1 20
sleep 0.5
diag "20 from one source: rx_bubbles +$(delta rx_bubbles), tx_bubbles +$(delta tx_bubbles), drop_ratelimit +$(delta drop_ratelimit)"
check "20 bubbles from one source: all received" test "$(delta rx_bubbles)" = 20 ||
	diag "nat1's conntrack: $(in_ns nat1 conntrack -L -p udp 2>&1)"
check "20 bubbles from one source: 1 answered" test "$(delta tx_bubbles)" = 1
check "20 bubbles from one source: 19 in drop_ratelimit" test "$(delta drop_ratelimit)" = 19

snap
bubbles 6000 1
sleep 0.3
check "another source: answered" test "$(delta tx_bubbles)" = 1
sleep 1.2
snap
bubbles 5000 1
sleep 0.3
check "the first source, 1 s later: answered again" test "$(delta tx_bubbles)" = 1

sleep 1.2
snap
bubbles 7000 100
sleep 0.5
n=$(delta tx_bubbles)
r=$(delta drop_ratelimit)
diag "100 sources at once: $n answered, $r refused"
check "100 sources at once: at most 32 answers a second" test "$n" -ge 1 -a "$n" -le 64
check "100 sources at once: the rest in drop_ratelimit" test $((n + r)) = 100

sleep 1
kill "$cap"; wait "$cap" 2>/dev/null
wire=$(tcpdump -r "$TOPO_TMP/wan.pcap" 2>/dev/null | wc -l)
check "direct bubbles on the wire: $wire = 3 + $n" test "$wire" = $((3 + n))
check "nothing delivered" test "$(stat rx_packets)" = 0

tap_end
