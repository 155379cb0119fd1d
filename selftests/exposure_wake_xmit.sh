#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=200
# The packet that wakes a dormant client waits in the device until the
# client is qualified again, then leaves through dev_queue_xmit() like
# any packet given to the device: the device's egress path (nft netdev
# egress hook, taps, qdisc) sees it when it is sent, after having seen
# it when it was parked.  Before, the wake called the driver's
# ndo_start_xmit directly: the hooks saw it once, at park time, and the
# core's recursion accounting and locking were skipped.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping teredo-nl
require_module teredo

ktap_plan 8

stat() { topo_stat c1 t0 "$1"; }
egress() { in_ns c1 nft list counter netdev eg req | awk '$1 == "packets" { print $2 }'; }

topo_build 2
topo_server_start
check "client 1 configured: refresh 2 s" topo_teredo 1 t0 refresh 2
check "client 2 configured" topo_teredo 2 t0
topo_wait_state 2 t0 qualified 20 && topo_wait_state 1 t0 qualified 20
check "both clients qualify" test $? = 0
a2=$(topo_show 2 t0 address)
out=$(in_ns c1 ping -c 1 -W 10 "$a2" 2>&1)
check "awake: client 1 pings client 2" grep -q " 1 received" <<< "$out"
in_ns c1 teredo-nl set t0 dormant-timeout 4
check "idle for 4 s: dormant" topo_wait_state 1 t0 dormant 15

in_ns c1 nft -f - <<-NFT
	table netdev eg {
		counter req { }
		chain out {
			type filter hook egress device "t0" priority 0;
			icmpv6 type echo-request counter name "req"
		}
	}
NFT
tx0=$(stat tx_packets)
out=$(in_ns c1 ping -c 1 -W 15 "$a2" 2>&1)
in_ns c1 teredo-nl set t0 dormant-timeout 60
diag "$(grep -E 'transmitted' <<< "$out")"
check "a ping wakes client 1, answered" grep -q " 1 received" <<< "$out" ||
	topo_diag 1 t0 "$a2"
n=$(egress)
diag "echo requests seen by t0's egress hook: $n; tx_packets +$(($(stat tx_packets) - tx0))"
check "t0's egress hook saw the woken packet parked and sent (2)" test "$n" = 2
check "sent once (tx_packets +1)" test $(($(stat tx_packets) - tx0)) = 1
tap_end
