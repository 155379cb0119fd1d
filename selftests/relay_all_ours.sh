#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# No Miredo anywhere: our server (192.0.2.1 + .2), our relay
# (192.0.2.130, 2001::/32) and two of our clients behind two NATs.
# Both qualify against our server, reach each other (bubbles through
# our server), reach the native host 2001:db8:2::2 through our relay
# (echo test through our server) and are reached by it.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=240
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd conntrack ethtool nft python3 ping
require_module teredo
ktap_plan 14

topo_build 2
check "our server up" topo_our_server_start
check "our relay up" topo_our_relay_start
for n in 1 2; do
	check "client $n configured" topo_teredo $n t0
done
for n in 1 2; do
	check "client $n qualifies against our server" topo_wait_state $n t0 qualified 20 ||
		topo_diag $n t0
done
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
diag "client 1 $a1, client 2 $a2"

out=$(in_ns c1 ping -c 1 -W 10 "$a2" 2>&1)
check "client 1 -> client 2: first ping answered" grep -q " 1 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; }
out=$(in_ns c2 ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "client 2 -> client 1: 3 of 3" grep -q " 3 received" <<< "$out"
for n in 1 2; do
	out=$(in_ns c$n ping -c 1 -W 10 2001:db8:2::2 2>&1)
	check "client $n -> native host through our relay: first ping answered" \
		grep -q " 1 received" <<< "$out" || { diag "$out"; topo_diag $n t0 2001:db8:2::2; }
done
out=$(in_ns h6 ping -c 3 -i 0.5 -W 5 "$a2" 2>&1)
check "native host -> client 2: 3 of 3" grep -q " 3 received" <<< "$out"
check "no Miredo process ran" test -z "$(pgrep -x 'miredo|miredo-server')"
check "the server answered RS and forwarded bubbles" \
	test "$(topo_stat srv ts0 tx_ra)" -ge 2 -a "$(topo_stat srv ts0 tx_bubbles)" -ge 1
check "the relay carried packets both ways" \
	test "$(topo_stat rly tr0 rx_packets)" -ge 2 -a "$(topo_stat rly tr0 tx_packets)" -ge 2
diag "server: $(in_ns srv ethtool -S ts0 | grep -v ': 0$' | tr -s ' \n' ' ')"
diag "relay: $(in_ns rly ethtool -S tr0 | grep -v ': 0$' | tr -s ' \n' ' ')"
tap_end
