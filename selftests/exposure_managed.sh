#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout=300
# Least exposure, managed networks: with policy client (the default) a
# native IPv6 default route keeps the device dormant (reason native,
# no address, nothing to the server), with policy enterprise it does
# not; an IPv4 address of the host inside a managed prefix does the
# same (reason managed), a prefix elsewhere does not; a hold does not
# override the policy.  Dormant, nothing leaves the NAT for two of the
# (short) refresh intervals.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 teredo-nl tcpdump
require_module teredo
ktap_plan 31

# shellcheck disable=SC2317 # called through wait_for
global() { in_ns c1 ip -6 -o addr show dev t0 scope global; }
reason() { topo_show 1 t0 dormant_reason; }
# shellcheck disable=SC2317 # called through check
stays() { # stays STATE SECONDS: state is STATE all along
	local end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(topo_show 1 t0 state)" = "$1" ] || return 1
		sleep 0.5
	done
}

# wire: the UDP datagrams that left nat1 (to the server or anywhere)
# since the capture started
wire() {
	tcpdump -n -r "$TOPO_TMP/wan.pcap" 2>/dev/null | wc -l
}

topo_build 1
topo_server_start
# refresh 4: an awake client sends an RS every 2-3.6 s (50-90 %), so
# 12 s of silence on nat1's WAN side covers several whole intervals at
# their longest: a dormant client that kept refreshing would show
check "client 1 configured (refresh 4)" topo_teredo 1 t0 refresh 4
check "client 1 qualifies" topo_wait_state 1 t0 qualified 20
in_ns nat1 tcpdump -q -U -i wan -w "$TOPO_TMP/wan.pcap" \
	udp and src host 198.51.100.1 2>/dev/null &
TOPO_PIDS+=("$!")
check "awake: a refresh is seen leaving nat1 within 10 s" wait_for '[ "$(wire)" -ge 1 ]' 10
check "policy client is the default" test "$(topo_show 1 t0 policy)" = client

in_ns c1 ip -6 route add default dev eth0 metric 1024
check "native IPv6 default route: dormant" topo_wait_state 1 t0 dormant 10
check "reason: native" test "$(reason)" = native
check "no global address left" wait_for "[ -z \"\$(global)\" ]" 5
rs=$(in_ns c1 ethtool -S t0 | awk '$1 == "tx_rs:" { print $2 }')
ip netns exec "$(ns c1)" teredo-nl hold t0 &
hold=$!
TOPO_PIDS+=("$hold")
w1=$(wire)
check "a hold does not override the policy (12 s, 2 refresh intervals)" stays dormant 12
check "no RS while kept dormant (tx_rs $rs)" \
	test "$(in_ns c1 ethtool -S t0 | awk '$1 == "tx_rs:" { print $2 }')" = "$rs"
w2=$(wire)
check "nothing left nat1 while dormant ($w1 -> $w2 datagrams)" test "$w2" = "$w1"
kill "$hold"; wait "$hold" 2>/dev/null
check "policy enterprise: awake despite the native route" \
	in_ns c1 teredo-nl set t0 policy enterprise
check "... qualifies again" topo_wait_state 1 t0 qualified 20
check "... reason none" test "$(reason)" = none
check "back to policy client: dormant again" in_ns c1 teredo-nl set t0 policy client
check "... dormant" topo_wait_state 1 t0 dormant 10
in_ns c1 ip -6 route del default dev eth0
check "native route gone: qualifies again" topo_wait_state 1 t0 qualified 20

check "set managed 192.168.0.0/16 (not ours)" in_ns c1 teredo-nl set t0 managed 192.168.0.0/16
check "show lists it" test "$(topo_show 1 t0 managed)" = "['192.168.0.0/16']"
check "a managed prefix elsewhere changes nothing" stays qualified 4
check "set managed 192.168.0.0/16 10.0.0.0/8 (client 1 is 10.0.1.2)" \
	in_ns c1 teredo-nl set t0 managed 192.168.0.0/16 10.0.0.0/8
check "inside a managed prefix: dormant" topo_wait_state 1 t0 dormant 10
check "reason: managed" test "$(reason)" = managed
check "no global address left" wait_for "[ -z \"\$(global)\" ]" 5
check "policy enterprise skips the check" in_ns c1 teredo-nl set t0 policy enterprise
check "... qualifies" topo_wait_state 1 t0 qualified 20
in_ns c1 teredo-nl set t0 policy client
check "policy client again: dormant" topo_wait_state 1 t0 dormant 10
check "managed none" in_ns c1 teredo-nl set t0 managed none
check "... qualifies again" topo_wait_state 1 t0 qualified 20
check "show: no managed prefix" test "$(topo_show 1 t0 managed)" = "[]"
out=$(in_ns c1 teredo-nl set t0 managed 10.0.0.1/8 2>&1)
check "a prefix with host bits is refused with a message" \
	grep -q "beyond its length" <<< "$out"
check "bad prefix syntax is a usage error (exit 2)" \
	bash -c "ip netns exec $(ns c1) teredo-nl set t0 managed 10.0.0/99 2>/dev/null; [ \$? = 2 ]"

tap_end
