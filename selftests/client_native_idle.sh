#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
# A native host talked to, then left idle for longer than a peer's trust
# (30 s, RFC 4380 5.2) but not long enough to be forgotten (60 s): the
# next packet to it waits while an echo test goes out through the
# server, and the reply comes back through the relay the peer is still
# known at.  That reply must release what waits.  Before, a packet from
# the known relay only refreshed the peer's trust: the waiting packet
# stayed parked, more echo tests went out, and ~36 s later the peer was
# given up and the packet refused (ping: no answer within 10 s; on the
# debug kernel client_train's upload failed with EHOSTUNREACH this way).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server ethtool nft ping python3
require_module teredo

ktap_plan 7
H6=2001:db8:2::2

topo_build 1
topo_server_start
topo_relay_start
check "client configured" topo_teredo 1 t0
check "client qualifies" topo_wait_state 1 t0 qualified 20
out=$(in_ns c1 ping -c 3 -i 0.5 -W 10 $H6 2>&1)
check "native host answers through the relay" grep -q " [1-3] received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 $H6; }
before=$(topo_peer_of c1 $H6)
check "native peer trusted at the relay ($before)" grep -q "^True 192.0.2.130:" <<< "$before"

sleep 35
stat() { topo_stat c1 t0 "$1"; }
e0=$(stat tx_echo_tests)
out=$(in_ns c1 ping -c 1 -W 10 $H6 2>&1)
e1=$(stat tx_echo_tests)
unreach=$(stat drop_unreachable)
diag "after 35 s idle: $(grep -E 'received|Unreachable' <<< "$out" | tr '\n' ' ')" \
	"echo tests +$((${e1:-0} - ${e0:-0})), drop_unreachable ${unreach:-?}"
check "after 35 s idle, the first ping is answered" grep -q " 1 received" <<< "$out" ||
	topo_diag 1 t0 $H6
check "one echo test found the relay again (+$((${e1:-0} - ${e0:-0})))" \
	test "$((${e1:-0} - ${e0:-0}))" -ge 1
check "nothing refused (drop_unreachable ${unreach:-?})" test "${unreach:-1}" -eq 0
tap_end
