#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=240
# Issue 19 item 2: a client requalifies as soon as the network under it
# changes, not at its next refresh.  Client 1, behind NAT 1, qualifies
# with a 300 s refresh interval; then its uplink moves to NAT 2's LAN
# (one "ip -batch": the address on eth0 goes, eth0 goes down, eth1 gets
# an address on NAT 2's LAN and the default route), a burst of netdevice
# and inetaddr events.  Within 5 s the client has a new Teredo address
# encoding NAT 2's public address (the time it took is reported), the
# old one is gone from the device, a native IPv6 host (through a Miredo
# relay) and the client ping each other over the new address, and
# requalify_netchange counts exactly one requalification for the burst.
# Then eth1 goes down and up and gets its default route back (the same
# NAT): the client qualifies once more within 5 s, counted once.  Then
# eth0 comes back on NAT 1's LAN with the route to the server still
# through NAT 2 (events that change nothing: no requalification), and
# then only the default route moves to NAT 1 (a FIB event alone): a new
# address on NAT 1 within 5 s.  The old module fails every check but
# 1-3 and 19 (its first address, on NAT 1, never left): it would only
# notice at its refresh, 150-270 s later, and has no such counter.
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
ktap_plan 21

# seconds (1 decimal) from bash's EPOCHREALTIME A to B
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
cnt() { topo_stat c1 t0 "$1"; }
# the one global address of t0 encodes NAT N's public address now
on_nat() {
	local a
	a=$(topo_global_addr c1 t0)
	[ "$(wc -w <<< "$a")" = 1 ] &&
		[[ $(teredo_addr_decode "$a" | cut -d' ' -f3) == "$1":* ]]
}
# wait_new OLD OUT SECONDS: t0's global address is no longer OLD and
# "teredo-nl show" says qualified; OUT receives the seconds it took
wait_new() {
	local start=$EPOCHREALTIME a
	while [ "$(secs "$start" "$EPOCHREALTIME" | cut -d. -f1)" -lt "$3" ]; do
		a=$(topo_global_addr c1 t0)
		if [ -n "$a" ] && [ "$a" != "$1" ] &&
			[ "$(topo_show 1 t0 state)" = qualified ]; then
			printf -v "$2" %s "$(secs "$start" "$EPOCHREALTIME")"
			return 0
		fi
		sleep 0.1
	done
	printf -v "$2" %s ">$3"
	return 1
}

topo_build 2
topo_uplink 1 2
# the NATs keep a silent mapping longer than this test lasts
topo_nat_udp_timeout 1 600
topo_nat_udp_timeout 2 600
topo_server_start
topo_relay_start
check "client 1 configured (refresh 300)" topo_teredo 1 t0 refresh 300
check "qualifies behind NAT 1" topo_wait_state 1 t0 qualified 20
a1=$(topo_global_addr c1 t0)
check "address encodes NAT 1's 198.51.100.1" on_nat 198.51.100.1 ||
	diag "address: $a1"
check "requalify_netchange 0 so far" test "$(cnt requalify_netchange)" = 0
q1=$(cnt qualifications)

# 1. the uplink moves to NAT 2 (another network, another public address)
in_ns c1 ip -batch - <<-IP
	addr del 10.0.1.2/24 dev eth0
	link set eth0 down
	addr add 10.0.2.11/24 dev eth1
	route add default via 10.0.2.1
IP
took=
check "moved to NAT 2: a new address within 5 s" wait_new "$a1" took 5 ||
	topo_diag 1 t0
diag "new address after $took s (refresh interval 300 s)"
a2=$(topo_global_addr c1 t0)
check "the new address encodes NAT 2's 203.0.113.1" on_nat 203.0.113.1 ||
	diag "address now: $a2"
old_gone() {
	[ -n "$a1" ] && ! in_ns c1 ip -6 addr show dev t0 | grep -qF "$a1/"
}
check "old address gone from the device" old_gone ||
	diag "t0's addresses: $(in_ns c1 ip -6 -o addr show dev t0 | awk '{ print $4 }' | tr '\n' ' ')"
check "teredo-nl show: mapped_addr 203.0.113.1" \
	test "$(topo_show 1 t0 mapped_addr)" = 203.0.113.1
r=$(topo_ping3 c1 2001:db8:2::2)
check "client -> native host over the new address: 3/3" test "${r:-0}" = 3
r=$(topo_ping3 h6 "${a2:-::1}")
check "native host -> new address: 3/3" test "${r:-0}" = 3 || topo_diag 1 t0
check "requalify_netchange 1 (one burst, one requalification)" \
	test "$(cnt requalify_netchange)" = 1
check "qualifications +1" test "$(cnt qualifications)" = "$((q1 + 1))"

# 2. the lower device goes down and up (same NAT), and gets its
#    default route back as DHCP would give it
q2=$(cnt qualifications)
in_ns c1 ip -batch - <<-IP
	link set eth1 down
	link set eth1 up
	route add default via 10.0.2.1
IP
check "link bounced: qualified again (qualifications +1) within 5 s" \
	wait_for "[ \"\$(cnt qualifications)\" = $((q2 + 1)) ] &&
		[ \"\$(topo_show 1 t0 state)\" = qualified ]" 5 ||
	topo_diag 1 t0
check "requalify_netchange 2" test "$(cnt requalify_netchange)" = 2
check "still behind NAT 2's 203.0.113.1" on_nat 203.0.113.1
a3=$(topo_global_addr c1 t0)
r=$(topo_ping3 h6 "${a3:-::1}")
check "native host -> address: 3/3" test "${r:-0}" = 3 || topo_diag 1 t0

# 3. eth0 back on NAT 1's LAN, the default route still through NAT 2:
#    events, but not on the way to the server, so nothing happens; then
#    only the default route moves to NAT 1 (no device or address event)
in_ns c1 ip -batch - <<-IP
	link set eth0 up
	addr add 10.0.1.2/24 dev eth0
IP
sleep 2
check "a second uplink, the route unchanged: no requalification" \
	test "$(cnt requalify_netchange)" = 2 -a "$(topo_global_addr c1 t0)" = "$a3"
in_ns c1 ip route replace default via 10.0.1.1 dev eth0
took=
check "default route to NAT 1: a new address within 5 s" wait_new "$a3" took 5 ||
	topo_diag 1 t0
diag "new address after $took s"
check "the address encodes NAT 1's 198.51.100.1 again" on_nat 198.51.100.1
check "requalify_netchange 3" test "$(cnt requalify_netchange)" = 3
a4=$(topo_global_addr c1 t0)
r=$(topo_ping3 h6 "${a4:-::1}")
check "native host -> address behind NAT 1: 3/3" test "${r:-0}" = 3 ||
	topo_diag 1 t0

tap_end
