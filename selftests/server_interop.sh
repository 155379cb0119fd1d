#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Our server (mode server on 192.0.2.1 + .2) in place of miredo-server:
# a Miredo client and our client, each behind its NAT, qualify against
# it (their addresses name 192.0.2.1 and their NAT's mapping), reach
# each other through the hole the bubbles punch (indirect bubbles
# forwarded by our server with an origin indication), and our client
# reaches a native IPv6 host through the Miredo relay (its echo test
# goes through our server over native IPv6).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=240
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo conntrack ethtool nft python3 ping
require_module teredo
ktap_plan 12

topo_build 3
check "our server up on 192.0.2.1 and 192.0.2.2" topo_our_server_start
topo_relay_start
topo_miredo_client_start 3
check "our client configured" topo_teredo 1 t0
check "our client qualifies against our server" topo_wait_state 1 t0 qualified 20 ||
	topo_diag 1 t0
check "miredo client qualifies against our server" topo_wait_miredo 3
a1=$(topo_show 1 t0 address)
a3=$(topo_global_addr c3 mteredo)
diag "ours $a1, miredo $a3"
read -r srv1 _ map1 <<< "$(teredo_addr_decode "$a1")"
read -r srv3 _ map3 <<< "$(teredo_addr_decode "$a3")"
check "our client's address names our server and its NAT mapping ($map1)" \
	test "$srv1 $map1" = "192.0.2.1 $(topo_mapping 1)"
check "miredo's address names our server and its NAT mapping ($map3)" \
	test "$srv3 $map3" = "192.0.2.1 $(topo_mapping 3)"
check "the server counted its RAs" test "$(topo_stat srv ts0 tx_ra)" -ge 2

out=$(in_ns c1 ping -c 1 -W 10 "$a3" 2>&1)
check "ours -> miredo client through bubbles via our server" \
	grep -q " 1 received" <<< "$out" || { diag "$out"; topo_diag 1 t0 "$a3"; }
out=$(in_ns c3 ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "miredo client -> ours: 3 of 3" grep -q " 3 received" <<< "$out"
check "our server forwarded bubbles" test "$(topo_stat srv ts0 tx_bubbles)" -ge 1

out=$(in_ns c1 ping -c 1 -W 10 2001:db8:2::2 2>&1)
check "ours -> native host (echo test through our server, Miredo relay)" \
	grep -q " 1 received" <<< "$out" || { diag "$out"; topo_diag 1 t0 2001:db8:2::2; }
check "our server forwarded the echo test over IPv6" \
	test "$(topo_stat srv ts0 rx_packets)" -ge 1
diag "server: $(in_ns srv ethtool -S ts0 | grep -v ': 0$' | tr -s ' \n' ' ')"
tap_end
