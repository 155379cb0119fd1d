#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Our client with "hairpinning on" and a Miredo client behind the same
# hairpinning NAT, miredo-server between them (RFC 6081 interop: Miredo
# has none of the extensions).  Our bubbles to the Miredo client carry
# an Alternate Address trailer (it is behind our NAT); Miredo reads the
# IPv6 length and must take them as bubbles: pings go both ways, each
# side trusting the other at its public mapping.
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
ktap_plan 9

topo_build 1
topo_lan_client 1
topo_nat_udp_timeout 1 300
topo_server_start
# our bubbles with the trailer reaching b: 40 + 10 bytes of UDP payload
in_ns c1b nft -f - <<-NFT
	table ip b {
		counter trailer_in { }
		chain in {
			type filter hook input priority filter;
			ip saddr 198.51.100.1 udp length 58 counter name trailer_in
		}
	}
NFT
check "our client configured, hairpinning on" topo_teredo 1 t0 hairpinning on
topo_miredo_client_start 1b
check "our client qualifies" topo_wait_state 1 t0 qualified 20
check "the miredo client qualifies" topo_wait_miredo 1b
a1=$(topo_show 1 t0 address)
a2=$(topo_global_addr c1b mteredo)
m2=$(topo_mapping_of 1 10.0.1.3)
diag "ours $a1, miredo $a2 ($m2)"
check "NAT hairpins" topo_nat_hairpin 1

out=$(in_ns c1 ping -c 3 -i 0.5 -W 5 "$a2" 2>&1)
diag "$(grep -E 'transmitted|time=' <<< "$out" | tr '\n' ' ')"
check "ours -> miredo client behind the same NAT: answered" \
	grep -qE " [1-3] received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; }
n=$(in_ns c1b nft list counter ip b trailer_in | sed -n 's/.*packets \([0-9]*\).*/\1/p')
diag "bubbles with our trailer at the miredo client: $n"
check "our bubbles reached it with the trailer" test "${n:-0}" -ge 1
out=$(in_ns c1b ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "miredo client -> ours: 3 of 3" grep -q " 3 received" <<< "$out" ||
	diag "$out"
p=$(topo_peer_of c1 "$a2")
diag "ours sees the miredo client as: $p"
check "ours trusts it at its public mapping" test "$p" = "True $m2"
s=$(in_ns c1 ethtool -S t0)
check "no hairpin claims on ours" test "$(grep -c 'drop_hairpin: [1-9]' <<< "$s")" = 0

tap_end
