#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two of our Teredo clients behind the SAME NAT (RFC 6081 hairpinning):
# each has its own mapping on the NAT's one outside address.  Without
# hairpinning, what one sends to the other's mapping ends at the NAT
# and the ping fails; once the NAT hairpins (translates traffic from
# the LAN to its own mappings back into the LAN, sources translated to
# the sender's mapping, as RFC 4787 REQ-9 routers do), bubbles open
# the way and the clients ping each other both ways, each trusting the
# other at its mapping on the shared outside address.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=240
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping
require_module teredo
ktap_plan 14

topo_build 1
topo_lan_client 1
topo_server_start
check "client a configured" topo_teredo 1 t0
check "client b configured" topo_teredo 1b t0
check "client a qualifies" topo_wait_state 1 t0 qualified 20
check "client b qualifies" topo_wait_state 1b t0 qualified 20
a1=$(topo_show 1 t0 address)
a2=$(topo_show 1b t0 address)
m1=$(topo_mapping_of 1 10.0.1.2)
m2=$(topo_mapping_of 1 10.0.1.3)
diag "client a $a1 ($m1), client b $a2 ($m2)"
check "both mappings on the NAT's one outside address" \
	test "${m1%:*}" = 198.51.100.1 -a "${m2%:*}" = 198.51.100.1 -a "$m1" != "$m2"
check "addresses encode them" \
	test "$(teredo_addr_decode "$a1" | cut -d' ' -f3)" = "$m1" -a \
	"$(teredo_addr_decode "$a2" | cut -d' ' -f3)" = "$m2"

# no hairpinning: the NAT keeps what is sent to its own address
out=$(in_ns c1 ping -c 1 -W 4 "$a2" 2>&1)
check "without hairpinning: no answer" grep -q " 0 received" <<< "$out"
# forget that attempt: the NAT's flows to itself, both peer tables
in_ns nat1 conntrack -D -p udp --orig-dst 198.51.100.1 >/dev/null 2>&1
in_ns c1 teredo-nl flush t0
in_ns c1b teredo-nl flush t0
# and b's answers to a's bubbles of that attempt: b answers one source's
# indirect bubbles at least 1 s apart (the answer limiter, not flushed
# with the peers), so a bubble of a's within 1 s of the last one was
# refused as drop_ratelimit (seen once in 2026-12-06's CI dry run on
# 6.1: the first ping then took 2.1 s, a's retry)
sleep 2

check "NAT hairpins" topo_nat_hairpin 1
out=$(in_ns c1 ping -c 1 -W 10 "$a2" 2>&1)
diag "$(grep -E 'transmitted|time=' <<< "$out" | tr '\n' ' ')"
check "first ping a -> b answered" grep -q " 1 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1 t0 "$a2"; topo_diag 1b t0 "$a1";
	  diag "nat1: $(in_ns nat1 conntrack -L -p udp 2>/dev/null | tr '\n' ';')"; }
out=$(in_ns c1b ping -c 3 -i 0.5 -W 5 "$a1" 2>&1)
check "ping b -> a: 3 of 3" grep -q " 3 received" <<< "$out" ||
	{ diag "$out"; topo_diag 1b t0 "$a1"; }
out=$(in_ns c1 ping -c 3 -i 0.5 -W 5 -s 1200 "$a2" 2>&1)
check "1200-byte pings a -> b: 3 of 3" grep -q " 3 received" <<< "$out"

p=$(topo_peer_of c1 "$a2")
diag "a sees b as: $p"
check "a trusts b at b's mapping" test "$p" = "True $m2"
p=$(topo_peer_of c1b "$a1")
diag "b sees a as: $p"
check "b trusts a at a's mapping" test "$p" = "True $m1"
s=$(in_ns c1b ethtool -S t0)
check "no drops on b" test -z "$(grep '^ *drop_' <<< "$s" | grep -v ': 0$')" ||
	diag "$(grep -v ': 0$' <<< "$s" | tr -s ' \n' ' ')"

tap_end
