#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
# A host with native IPv6 and Teredo (policy enterprise) answers on both
# addresses.  c1 sits behind a dual-stack home router (nat1: NAT44 and
# routed IPv6 2001:db8:11::/64) that drops IPv6 from its LAN with a
# source not of that LAN (BCP 38), as ISPs and CPEs do.  A native host
# (h6) reaches c1's Teredo address through a Miredo relay; c1's reply
# comes from the Teredo address, and without a source route it follows
# the native default route (metric 1024 beats the Teredo default route's
# 4096) into nat1's filter.  "teredo-nl srcroute t0" (the rule "from
# 2001::/32 iif lo lookup 3544", the route "default dev t0 table 3544")
# sends it through t0.  RFC 6724's default policy keeps c1's own choice
# of source native towards native hosts.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo miredo-server conntrack ethtool nft python3 ping teredo-nl
require_module teredo
ktap_plan 12

topo_build 1
# nat1 becomes dual-stack: a transit net to rt, the LAN's /64 routed
in_ns rt ip -batch - <<-IP
	addr add 2001:db8:10::1/64 dev n1 nodad
	route add 2001:db8:11::/64 via 2001:db8:10::2
IP
in_ns nat1 sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns nat1 ip -batch - <<-IP
	addr add 2001:db8:10::2/64 dev wan nodad
	addr add 2001:db8:11::1/64 dev lan nodad
	route add default via 2001:db8:10::1
IP
in_ns c1 ip -batch - <<-IP
	addr add 2001:db8:11::2/64 dev eth0 nodad
	route add default via 2001:db8:11::1
IP
# inbound pings to the LAN are let in; forged sources are not let out
in_ns nat1 nft -f - <<-NFT
	table inet fw {
		chain forwarding {
			iifname "lan" meta nfproto ipv6 ip6 saddr != 2001:db8:11::/64 counter drop
		}
	}
NFT
in_ns nat1 nft insert rule inet fw forwarding \
	iifname '"wan"' meta l4proto ipv6-icmp accept
bcp38() {
	in_ns nat1 nft list chain inet fw forwarding |
		sed -n 's/.*saddr != .* packets \([0-9]*\) .*/\1/p'
}
topo_server_start
topo_relay_start

check "client configured (policy enterprise)" topo_teredo 1 t0 policy enterprise
check "client qualifies beside the native route" topo_wait_state 1 t0 qualified 20
me=$(topo_show 1 t0 address)
native=2001:db8:11::2
diag "Teredo $me, native $native"
check "h6 -> native address: 3 of 3" test "$(topo_ping3 h6 $native)" = 3
src=$(in_ns c1 ip -6 route get 2001:db8:2::2 | sed -n 's/.* src \([^ ]*\).*/\1/p')
check "c1's own source towards h6 is native ($src, RFC 6724)" test "$src" = "$native"

# without the source route: the reply from the Teredo address goes
# the native way and nat1 drops it
b0=$(bcp38)
got=$(in_ns h6 ping -c 3 -i 1 -W 5 "$me" 2>&1 | sed -n 's/.* \([0-9]*\) received.*/\1/p')
diag "no source route: h6 -> Teredo address $got of 3, nat1 dropped $(( $(bcp38) - b0 )) forged"
check "no source route: the replies die at nat1 (BCP 38)" \
	test "$got" = 0 -a "$(( $(bcp38) - b0 ))" -ge 1

check "teredo-nl srcroute t0" in_ns c1 teredo-nl srcroute t0
check "again: it is idempotent" in_ns c1 teredo-nl srcroute t0
diag "rules: $(in_ns c1 ip -6 rule show | tr '\n' ';')"
dev=$(in_ns c1 ip -6 route get 2001:db8:2::2 from "$me" |
	sed -n 's/.* dev \([^ ]*\).*/\1/p')
check "from the Teredo address to h6: dev t0 ($dev)" test "$dev" = t0
b0=$(bcp38)
got=$(in_ns h6 ping -c 3 -i 1 -W 5 "$me" 2>&1 | sed -n 's/.* \([0-9]*\) received.*/\1/p')
check "with the source route: h6 -> Teredo address: 3 of 3 ($got)" test "$got" = 3
check "with the source route: nothing forged at nat1" test "$(bcp38)" = "$b0"
check "h6 -> native address still: 3 of 3" test "$(topo_ping3 h6 $native)" = 3

in_ns c1 teredo-nl srcroute t0 off
check "srcroute off: rule and route gone" \
	eval '! in_ns c1 ip -6 rule show | grep -q "lookup 3544" &&
	      test -z "$(in_ns c1 ip -6 route show table 3544)"'
tap_end
