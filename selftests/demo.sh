#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make demo": Teredo with no Miredo anywhere.  Our server (mode server
# on 192.0.2.1 + .2), our relay (mode relay, 2001::/32 routed into it),
# a native IPv6 host, and two of our clients behind two home-router
# NATs.  Each client qualifies (its address is printed and decoded:
# server, flags, the NAT's external IPv4:port), client 1 pings client 2
# through the hole the bubbles punch, both ping the native host through
# the relay, and the counters of every device are shown.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd conntrack ethtool nft python3 ping
require_module teredo

say() { printf '\n=== %s\n' "$*"; }

say "topology: our server 192.0.2.1+.2, our relay 192.0.2.130, native host 2001:db8:2::2,"
echo "          NAT 1 198.51.100.1, NAT 2 203.0.113.1 (no Miredo)"
topo_build 2
topo_our_server_start || fail_all "cannot start our server"
# shellcheck disable=SC2119 # no extra relay settings
topo_our_relay_start || fail_all "cannot start our relay"
in_ns srv teredo-nl show ts0 | sed -n '1,3p'
in_ns rly teredo-nl show tr0 | sed -n '1,3p'
for n in 1 2; do
	topo_teredo $n t0 || fail_all "cannot create t0 in client $n"
done
for n in 1 2; do
	topo_wait_state $n t0 qualified 30 || fail_all "client $n did not qualify"
	say "client $n qualified"
	in_ns c$n teredo-nl show t0 | sed -n '1,4p'
	addr=$(topo_show $n t0 address)
	read -r srv flags mapped <<< "$(teredo_addr_decode "$addr")"
	echo "  $addr = server $srv, flags $flags, NAT mapping $mapped"
	echo "  the NAT's conntrack says: $(topo_mapping $n)"
	in_ns c$n ip -6 route show dev t0 | sed 's/^/  route: /'
done
a2=$(topo_show 2 t0 address)

rc=0
say "client 1 pings client 2 ($a2)"
in_ns c1 ping -c 4 -i 0.5 -W 5 "$a2" || rc=1
for n in 1 2; do
	say "client $n pings the native host 2001:db8:2::2 through our relay"
	in_ns c$n ping -c 3 -i 0.5 -W 10 2001:db8:2::2 || rc=1
done
say "the native host pings client 2 ($a2)"
in_ns h6 ping -c 3 -i 0.5 -W 5 "$a2" || rc=1

for n in 1 2; do
	say "client $n: counters and peers"
	in_ns c$n ethtool -S t0 | grep -v ': 0$'
	in_ns c$n teredo-nl peers t0
done
say "server: counters"
in_ns srv ethtool -S ts0 | grep -v ': 0$'
say "relay: counters and peers"
in_ns rly ethtool -S tr0 | grep -v ': 0$'
in_ns rly teredo-nl peers tr0
if [ "$rc" = 0 ]; then
	ok "demo: clients reached each other and the native host, no Miredo"
else
	not_ok "demo: a ping failed"
fi
ktap_finished
