#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# waits: the server stopped until the client notices
# Our Teredo client behind a NAT qualifies with miredo-server: its
# address names exactly the server and the NAT's external IPv4:port
# (read from the NAT's conntrack), flag bits per RFC 5991, link-local
# address, routes for 2001::/32 and a last-resort default; counters
# show the RS/RA exchange.  Then: server stopped -> address and routes
# withdrawn, state qualifying; server back -> qualified again.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup

require_root
require_cmd miredo-server conntrack ethtool nft python3
require_module teredo
ktap_plan 21

topo_build 1
topo_server_start
# a short refresh keeps the loss test short: 3 unanswered RS after it
check "device created and configured" topo_teredo 1 t0 refresh 5
check "qualifies within 15 s" topo_wait_state 1 t0 qualified 15

addr=$(topo_global_addr c1 t0)
map=$(topo_mapping 1)
diag "address $addr, NAT mapping $map"
dec=$(teredo_addr_decode "$addr")
diag "decoded: $dec"
read -r srv flags mapped <<< "$dec"
check "exactly one global address on t0" test "$(echo "$addr" | wc -w)" = 1
check "address names the server 192.0.2.1" test "$srv" = 192.0.2.1
check "address encodes the NAT's mapping from conntrack" \
	test -n "$map" -a "$mapped" = "$map"
check "cone bit and U/G bits are 0 (RFC 5991)" test $((flags & 0xc300)) = 0
check "teredo-nl shows the same address" test "$(topo_show 1 t0 address)" = "$addr"
check "teredo-nl shows the mapping" \
	test "$(topo_show 1 t0 mapped_addr):$(topo_show 1 t0 mapped_port)" = "$map"
check "link-local address" bash -c "ip netns exec $(ns c1) ip -6 addr show dev t0 scope link | grep -q fe80::"
routes=$(in_ns c1 ip -6 route show dev t0)
diag "routes: $(echo "$routes" | tr '\n' ';')"
check "route 2001::/32" grep -q "^2001::/32 " <<< "$routes"
check "default route, metric 4096" grep -q "^default .*metric 4096" <<< "$routes"
stats=$(in_ns c1 ethtool -S t0)
diag "$(grep -v ': 0$' <<< "$stats" | tr -s ' \n' ' ')"
st() { awk -v k="$1:" '$1 == k { print $2 }' <<< "$stats"; }
check "tx_rs counted" test "$(st tx_rs)" -ge 1
check "rx_ra counted" test "$(st rx_ra)" -ge 1
check "qualifications = 1" test "$(st qualifications)" = 1

# refresh keeps the same address
sleep 8
check "address stable across refreshes" test "$(topo_global_addr c1 t0)" = "$addr"

topo_server_stop
check "server stopped: state leaves qualified" topo_wait_state 1 t0 qualifying 30
check "server stopped: address removed" test -z "$(topo_global_addr c1 t0)"
routes=$(in_ns c1 ip -6 route show dev t0)
check "server stopped: default route removed" bash -c "! grep -q '^default' <<< '$routes'"
check "server stopped: 2001::/32 removed" bash -c "! grep -q '^2001::/32' <<< '$routes'"

topo_server_start
check "server back: qualified again" topo_wait_state 1 t0 qualified 90
check "server back: one global address" test "$(topo_global_addr c1 t0 | wc -w)" = 1

tap_end
