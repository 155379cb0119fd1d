#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# waits: NAT entries that must time out (30 s and more)
# Refresh interval determination (RFC 4380 section 5.2.7,
# "teredo-nl set DEV refresh auto").  Both NATs forget a silent UDP
# mapping after 10 s (conntrack's UDP timeouts) and give each new flow
# a random port, so a lost mapping shows as a new Teredo address.  (A
# random port per flow is a symmetric NAT too, which the client refuses
# once its NAT-type probe to the server's second address is answered:
# that address is out of reach here, the probe unanswered.)
# Client 1 (refresh auto) finds that its NAT keeps a silent mapping
# 8 s but not 12 s, reports it, and refreshes within it: its address
# stays.  Client 2 (refresh 30, fixed) refreshes too late: its mapping
# and so its address change, which shows the NATs really do forget.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
# timeout=300
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack nft python3 teredo-nl
require_module teredo
ktap_plan 13

json() { # N KEY: one key of "teredo-nl -j show t0" as JSON
	in_ns c"$1" teredo-nl -j show t0 | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(json.dumps(d.get(sys.argv[1])))' "$2"
}

topo_build 2
for n in 1 2; do
	topo_nat_udp_timeout $n 10 || fail_all "no conntrack UDP timeout sysctls in nat$n"
	# random ports per flow make these NATs symmetric as well: the
	# server's second address stays out of reach, so that the NAT-type
	# probe goes unanswered ("unknown") and the clients qualify
	in_ns nat$n nft -f - <<-NFT
		flush chain inet nat post
		add rule inet nat post oifname "wan" masquerade random
		add rule inet fw forwarding ip daddr 192.0.2.2 udp dport 3544 drop
	NFT
done
topo_server_start
check "client 1: refresh auto" topo_teredo 1 t0 refresh auto
check "client 2: refresh 30 (fixed)" topo_teredo 2 t0 refresh 30
check "client 1 qualifies" topo_wait_state 1 t0 qualified 20
check "client 2 qualifies" topo_wait_state 2 t0 qualified 20
check "show: refresh_auto true" test "$(json 1 refresh_auto)" = true
check "show: refresh_auto false on client 2" test "$(json 2 refresh_auto)" = false
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
diag "client 1 $a1, client 2 $a2"

wait_determined() {
	local end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ]; do
		[ "$(json 1 refresh_determined)" != null ] && return 0
		sleep 1
	done
	return 1
}
check "client 1 determines its NAT's mapping lifetime" wait_determined
d=$(json 1 refresh_determined)
diag "determined: $d s; $(in_ns c1 teredo-nl show t0 | grep 'refresh')"
# Exact: the determination (refresh.c) tries TEREDO_RDET_FIRST = 8 s of
# silence, which the NAT's 10 s survive, then 8 + 8/2 = 12 s, which they
# do not: the result is the longest silence that worked, 8.
check "determined interval: 8 s (8 kept, 12 lost by a 10 s NAT)" test "$d" = 8
check "show (text) reports it" \
	bash -c "ip netns exec $(ns c1) teredo-nl show t0 | grep -q 'refresh auto: NAT keeps mappings $d'"

# 30 s more: client 1 refreshes in time, client 2 does not
sleep 30
b1=$(topo_show 1 t0 address)
b2=$(topo_show 2 t0 address)
q1=$(json 1 stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["qualifications"])')
diag "client 1 $b1 ($q1 qualifications), client 2 $b2"
check "client 1 (auto): same address all along" test -n "$b1" -a "$b1" = "$a1"
check "client 1 (auto): qualified once" test "$q1" = 1
check "client 1 (auto): the address still names the NAT's mapping" \
	test "$(teredo_addr_decode "$b1" | cut -d' ' -f3)" = "$(topo_mapping 1)"
check "client 2 (fixed 30 s): mapping lost, new address" \
	test -n "$b2" -a "$b2" != "$a2"

tap_end
