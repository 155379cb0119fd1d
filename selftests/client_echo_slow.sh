#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
# A native peer behind a slow path (RFC 4380 5.2.9): our client learns
# the relay of a native host by an echo test through the server, and
# sends a new test every 2-3 s (section 5.2.6, 4 per window) while the
# packet waits.  Here the native host's replies take 4.5 s (netem), so
# every reply arrives after the next test has gone out.  The reply to an
# earlier test still counts: the first ping is answered and nothing is
# refused.  Before, each test replaced the last one's nonce, every reply
# answered a replaced nonce, and after the fourth test the client gave
# up (drop_unreachable, ICMPv6 address unreachable to the ping).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server ethtool nft ping tc
require_module teredo

ktap_plan 7
H6=2001:db8:2::2
DELAY_MS=4500

topo_build 1
topo_server_start
topo_relay_start
check "client configured" topo_teredo 1 t0
check "client qualifies" topo_wait_state 1 t0 qualified 20
# the delay is for the replies, not for neighbour discovery between h6
# and its router (which would delay the tests on their way in as well)
static_neigh() { # NS DEV ADDR PEER_NS PEER_DEV
	in_ns "$1" ip -6 neigh replace "$3" dev "$2" nud permanent \
		lladdr "$(in_ns "$4" cat /sys/class/net/"$5"/address)"
}
static_neigh rt h0 $H6 h6 eth0
static_neigh h6 eth0 2001:db8:2::1 rt h0
check "native host's replies delayed ${DELAY_MS} ms" \
	in_ns h6 tc qdisc add dev eth0 root netem delay ${DELAY_MS}ms

stat() { topo_stat c1 t0 "$1"; }
out=$(in_ns c1 ping -c 1 -W 40 $H6 2>&1)
tests=$(stat tx_echo_tests)
unreach=$(stat drop_unreachable)
diag "first ping: $(grep -E 'received|Unreachable' <<< "$out" | head -2 | tr '\n' ' ')"
diag "tx_echo_tests $tests, drop_unreachable $unreach"
check "first ping to the native host answered" grep -q " 1 received" <<< "$out" ||
	topo_diag 1 t0 $H6
check "the reply came after a newer test was sent (tx_echo_tests $tests >= 2)" \
	test "${tests:-0}" -ge 2
check "nothing refused (drop_unreachable $unreach)" test "${unreach:-1}" -eq 0
out=$(in_ns c1 ping -c 3 -i 0.5 -W 15 $H6 2>&1)
check "then 3 pings answered" grep -q " 3 received" <<< "$out" ||
	diag "$out"
tap_end
