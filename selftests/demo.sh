#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# "make demo": a Teredo server (miredo-server) and two of our clients
# behind two home-router NATs.  Each client qualifies (its address is
# printed and decoded: server, flags, the NAT's external IPv4:port),
# then client 1 pings client 2 through the hole the bubbles punch, and
# the counters are shown.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping
require_module teredo

say() { printf '\n=== %s\n' "$*"; }

say "topology: server 192.0.2.1+.2, NAT 1 198.51.100.1, NAT 2 203.0.113.1"
topo_build 2
topo_server_start
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

say "client 1 pings client 2 ($a2)"
in_ns c1 ping -c 4 -i 0.5 -W 5 "$a2"
rc=$?

for n in 1 2; do
	say "client $n: counters and peers"
	in_ns c$n ethtool -S t0 | grep -v ': 0$'
	in_ns c$n teredo-nl peers t0
done
[ "$rc" = 0 ] && ok "demo: client 1 reached client 2" || not_ok "demo: ping failed"
ktap_finished
