#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Our relay (mode relay in "rly", 2001::/32 routed into it) in place of
# Miredo's, with miredo-server: a Miredo client and our client, each
# behind its NAT, reach the native IPv6 host 2001:db8:2::2 and it
# reaches them.  The relay meets each client through an indirect
# bubble via the client's server and trusts it once the client's
# direct bubble embeds the right mapping (RFC 4380 section 5.4).
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=240
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server conntrack ethtool nft python3 ping
require_module teredo
ktap_plan 12

topo_build 3
topo_server_start
check "our relay up in rly" topo_our_relay_start
topo_miredo_client_start 3
check "our client configured" topo_teredo 1 t0
check "our client qualifies" topo_wait_state 1 t0 qualified 20
check "miredo client qualifies" topo_wait_miredo 3
a1=$(topo_show 1 t0 address)
a3=$(topo_global_addr c3 mteredo)
diag "ours $a1, miredo $a3"

out=$(in_ns c3 ping -c 1 -W 10 2001:db8:2::2 2>&1)
check "miredo client -> native host through our relay: first ping answered" \
	grep -q " 1 received" <<< "$out" || diag "$out"
out=$(in_ns c3 ping -c 3 -i 0.5 -W 5 2001:db8:2::2 2>&1)
check "miredo client -> native host: 3 of 3" grep -q " 3 received" <<< "$out"
out=$(in_ns c1 ping -c 1 -W 10 2001:db8:2::2 2>&1)
check "our client -> native host through our relay: first ping answered" \
	grep -q " 1 received" <<< "$out" || { diag "$out"; topo_diag 1 t0 2001:db8:2::2; }
out=$(in_ns c1 ping -c 3 -i 0.5 -W 5 2001:db8:2::2 2>&1)
check "our client -> native host: 3 of 3" grep -q " 3 received" <<< "$out"
out=$(in_ns h6 ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "native host -> our client: 3 of 3" grep -q " 3 received" <<< "$out"
out=$(in_ns h6 ping -c 3 -i 0.5 -W 5 "$a3" 2>&1)
check "native host -> miredo client: 3 of 3" grep -q " 3 received" <<< "$out"

peers=$(in_ns rly teredo-nl -j peers tr0 | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    print(p["address"], p["mapped_addr"], p["mapped_port"], p["trusted"])')
diag "relay peers: $(tr '\n' ';' <<< "$peers")"
read -r _ m1 <<< "$(teredo_addr_decode "$a1")"
m1=${m1##* }
check "the relay trusts our client at its mapping ${m1}" \
	grep -qiE "^$a1 ${m1%:*} ${m1#*:} (true|1)$" <<< "$peers"
check "the relay sent bubbles" test "$(topo_stat rly tr0 tx_bubbles)" -ge 2
diag "relay: $(in_ns rly ethtool -S tr0 | grep -v ': 0$' | tr -s ' \n' ' ')"
tap_end
