#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=200
# Least exposure, dormant until used (issue 24): a client brought up
# with an empty allow list (nothing can use it) and a short refresh
# interval qualifies once (one RS and its retries at most) and goes
# dormant at once: nothing more reaches its server for 3 refresh
# intervals, and "show" reports it dormant (idle).  A hold wakes it, as
# before.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft tcpdump teredo-nl
require_module teredo
ktap_plan 9

REFRESH=2
stat() { in_ns c1 ethtool -S t0 | awk -v k="$1:" '$1 == k { print $2 }'; }

topo_build 1
topo_server_start
# everything client 1's NAT sends to the server, from the device's start
ip netns exec "$(ns nat1)" tcpdump -q -n -U -i wan -w "$TOPO_TMP/all.pcap" \
	udp and dst port 3544 > /dev/null 2>&1 &
TOPO_PIDS+=($!)
sleep 1
# shellcheck disable=SC2317 # called through check
setup1() { TOPO_AUTH=0 topo_teredo 1 t0 refresh $REFRESH; }
check "client 1 configured: empty allow list, refresh $REFRESH s, up" setup1
check "client 1 dormant" topo_wait_state 1 t0 dormant 30
check "show: dormant reason idle" test "$(topo_show 1 t0 dormant_reason)" = idle
q=$(stat qualifications)
rs=$(stat tx_rs)
diag "qualifications $q, tx_rs $rs, rx_ra $(stat rx_ra)"
check "it qualified once (the address a later packet would wake it by)" test "$q" = 1
check "at most one RS and its retries (tx_rs $rs <= 3)" test "$rs" -le 3

# 3 refresh intervals (and some) of silence on the NAT's outside
ip netns exec "$(ns nat1)" tcpdump -q -n -U -i wan -w "$TOPO_TMP/dormant.pcap" \
	udp and dst port 3544 > /dev/null 2>&1 &
td=$!
TOPO_PIDS+=("$td")
sleep $((3 * REFRESH + 1))
kill "$td"; wait "$td" 2>/dev/null
n=$(tcpdump -n -r "$TOPO_TMP/dormant.pcap" 2>/dev/null | wc -l)
diag "packets from client 1's NAT to the server in $((3 * REFRESH + 1)) s: $n"
check "nothing to the server for 3 refresh intervals" test "$n" = 0
check "no RS sent meanwhile" test "$(stat tx_rs)" = "$rs"
check "still dormant (idle)" test "$(topo_show 1 t0 state)/$(topo_show 1 t0 dormant_reason)" = dormant/idle

ip netns exec "$(ns c1)" teredo-nl hold t0 &
hold=$!
TOPO_PIDS+=("$hold")
check "a hold wakes it" topo_wait_state 1 t0 qualified 20
kill "$hold"; wait "$hold" 2>/dev/null
n=$(tcpdump -n -r "$TOPO_TMP/all.pcap" 2>/dev/null | wc -l)
diag "packets from client 1's NAT to the server since it came up: $n"

tap_end
