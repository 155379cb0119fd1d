#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Our Teredo client with Miredo: ours <-> a Miredo client behind
# another NAT (both directions), and ours -> a native IPv6 host through
# a Miredo relay (ICMPv6 echo test through the server teaches us the
# relay) and back.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server conntrack ethtool nft python3 ping
require_module teredo
ktap_plan 10

topo_build 3
topo_server_start
topo_relay_start
topo_miredo_client_start 3
check "our client configured" topo_teredo 1 t0
check "our client qualifies" topo_wait_state 1 t0 qualified 20
wait_miredo() {
	local end=$((SECONDS + 30))
	while [ $SECONDS -lt $end ]; do
		[ -n "$(topo_global_addr c3 mteredo 2>/dev/null)" ] && return 0
		sleep 0.5
	done
	return 1
}
check "miredo client qualifies" wait_miredo
a1=$(topo_show 1 t0 address)
a3=$(topo_global_addr c3 mteredo)
diag "ours $a1, miredo $a3"

out=$(in_ns c1 ping -c 1 -W 10 "$a3" 2>&1)
check "ours -> miredo client: first ping answered" grep -q " 1 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a3"; }
out=$(in_ns c3 ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "miredo client -> ours: 3 of 3" grep -q " 3 received" <<< "$out"

out=$(in_ns c1 ping -c 1 -W 10 2001:db8:2::2 2>&1)
check "ours -> native host via the relay: first ping answered" \
	grep -q " 1 received" <<< "$out" || { diag "$out"; topo_diag 1 t0 2001:db8:2::2; }
out=$(in_ns c1 ping -c 3 -i 0.5 -W 5 2001:db8:2::2 2>&1)
check "ours -> native host: 3 of 3" grep -q " 3 received" <<< "$out"
out=$(in_ns h6 ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "native host -> ours: 3 of 3" grep -q " 3 received" <<< "$out"

s=$(in_ns c1 ethtool -S t0)
diag "$(grep -v ': 0$' <<< "$s" | tr -s ' \n' ' ')"
st() { awk -v k="$1:" '$1 == k { print $2 }' <<< "$s"; }
check "an echo test was sent" test "$(st tx_echo_tests)" -ge 1
relay=$(in_ns c1 teredo-nl -j peers t0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("address") == "2001:db8:2::2":
        print(p.get("relay"), p.get("mapped_addr"), p.get("mapped_port"))')
diag "native peer: $relay"
check "native peer reached through the relay 192.0.2.130" \
	grep -qiE "^(true|1) 192\.0\.2\.130 [0-9]+$" <<< "$relay"

tap_end
