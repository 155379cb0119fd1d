#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=180
# The IPv6 settings of a teredo device (net.ipv6.conf.DEV.*) are ours
# once, the administrator's afterwards.  The module sets what its RA
# needs (accept_ra 2, accept_ra_defrtr 1, ra_defrtr_metric 4096,
# accept_dad 0, use_tempaddr 0, router_solicitations 0) when the device
# registers, and again when a move to another netns gives it a fresh
# inet6_dev; never later.  An administrator who wants Teredo only for
# Teredo destinations sets accept_ra_defrtr 0: the client qualifies with
# the 2001::/32 route and no default route, and keeps it that way across
# down/up (the module used to re-apply its settings on every open and
# every second of the address wait, which brought the default route
# back).  Setting it back to 1 brings the default route: the check for
# its absence can see it.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 teredo-nl
require_module teredo
ktap_plan 15

topo_build 1
topo_server_start

# conf NS DEV KEY: net.ipv6.conf.DEV.KEY in netns NS
conf() { in_ns "$1" sysctl -n "net.ipv6.conf.$2.$3"; }
# defaults NS DEV: what the module sets, as "key=value ..."
defaults() {
	local k out=""
	for k in accept_ra accept_ra_defrtr ra_defrtr_metric accept_dad \
		 use_tempaddr router_solicitations; do
		out+="$k=$(conf "$1" "$2" $k) "
	done
	echo "${out% }"
}
want="accept_ra=2 accept_ra_defrtr=1 ra_defrtr_metric=4096 accept_dad=0"
want+=" use_tempaddr=0 router_solicitations=0"
routes() { in_ns c1 ip -6 route show dev t0; }
has_default() { routes | grep -q '^default '; }
has_teredo_route() { routes | grep -q '^2001::/32 '; }

in_ns c1 ip link add t0 type teredo
got=$(defaults c1 t0)
check "at creation: $got" test "$got" = "$want"

# the administrator: Teredo for Teredo destinations only
in_ns c1 sysctl -qw net.ipv6.conf.t0.accept_ra_defrtr=0
check "client configured" topo_teredo_set 1 t0 refresh 300
check "qualifies" topo_wait_state 1 t0 qualified 20
addr=$(topo_show 1 t0 address)
diag "address $addr; routes: $(routes | tr '\n' ';')"
check "route 2001::/32 via t0" has_teredo_route
check "no default route via t0 (accept_ra_defrtr 0)" eval '! has_default'

in_ns c1 ip link set t0 down
in_ns c1 ip link set t0 up
check "down/up: qualifies again" topo_wait_state 1 t0 qualified 20
# the module used to re-apply its settings on open and during the
# address wait (every second): give it a few seconds to do so
sleep 3
diag "after down/up: routes: $(routes | tr '\n' ';')"
check "down/up: accept_ra_defrtr still 0" test "$(conf c1 t0 accept_ra_defrtr)" = 0
check "down/up: a Teredo address again ($(topo_show 1 t0 address))" \
	eval 'test -n "$(topo_show 1 t0 address)"'
check "down/up: route 2001::/32 via t0" has_teredo_route
check "down/up: still no default route via t0" eval '! has_default'

# and the other way: the default route comes with the setting
in_ns c1 sysctl -qw net.ipv6.conf.t0.accept_ra_defrtr=1
in_ns c1 ip link set t0 down
in_ns c1 ip link set t0 up
check "accept_ra_defrtr 1: qualifies" topo_wait_state 1 t0 qualified 20
check "accept_ra_defrtr 1: default route via t0, metric 4096" \
	eval 'routes | grep -q "^default .*metric 4096"'

# a move to another netns: a fresh inet6_dev, with that netns's
# defaults, gets the module's settings again (before any up)
in_ns c1 ip link add t1 type teredo
in_ns c1 sysctl -qw net.ipv6.conf.t1.accept_ra=0
in_ns c1 sysctl -qw net.ipv6.conf.t1.ra_defrtr_metric=1024
check "t1 before the move: accept_ra 0 (the administrator's)" \
	test "$(conf c1 t1 accept_ra)" = 0
mv=$(ns mv)
ip netns add "$mv"	# topo_cleanup deletes it
in_ns c1 ip link set t1 netns "$mv"
got=$(ip netns exec "$mv" sysctl -n net.ipv6.conf.t1.accept_ra \
	net.ipv6.conf.t1.ra_defrtr_metric | tr '\n' ' ')
check "t1 moved: the module's settings again (accept_ra, metric: $got)" \
	test "$got" = "2 4096 "
# the administrator's change in the new netns stands (no up needed)
ip netns exec "$mv" sysctl -qw net.ipv6.conf.t1.accept_ra_defrtr=0
ip netns exec "$mv" ip link set t1 up
check "t1 up: accept_ra_defrtr 0 stands" \
	test "$(ip netns exec "$mv" sysctl -n net.ipv6.conf.t1.accept_ra_defrtr)" = 0
tap_end
