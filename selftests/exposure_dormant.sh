#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# waits: the dormant timeout and 3 refresh intervals
# timeout=260
# Least exposure, dormant state: with no authorized traffic for
# dormant-timeout seconds and no hold, client 1 goes dormant: nothing
# leaves its NAT towards the server for 3 refresh intervals (even when
# poked from outside: inbound is dropped, drop_dormant), and no
# preferred global address is left.  (The address stays on the device
# deprecated, with its routes, so that a new connection still selects
# it and reaches the device: that first packet is what wakes it.)  An
# authorized ping wakes it and is answered, first packet included; the
# address is the same (same NAT mapping).  A hold keeps it awake, its
# release lets it sleep, a new hold wakes it.
#
# kselftest exit codes: 0 pass, 1 fail, 4 skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/topo.sh"
defer topo_cleanup
require_root
require_cmd miredo-server conntrack ethtool nft python3 ping tcpdump teredo-nl
require_module teredo
ktap_plan 31

REFRESH=2
TIMEOUT=4
stat() { in_ns c1 ethtool -S t0 | awk -v k="$1:" '$1 == k { print $2 }'; }
preferred() { in_ns c1 ip -6 -o addr show dev t0 scope global -deprecated; }
deprecated() { in_ns c1 ip -6 -o addr show dev t0 scope global deprecated; }
# shellcheck disable=SC2317 # called through check
stays() { # stays N STATE SECONDS: state is STATE all along
	local end=$((SECONDS + $3))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(topo_show "$1" t0 state)" = "$2" ] || return 1
		sleep 0.5
	done
}

topo_build 2
topo_server_start
check "client 1 configured: refresh $REFRESH s" topo_teredo 1 t0 refresh $REFRESH
check "client 2 configured" topo_teredo 2 t0
check "client 2 qualifies" topo_wait_state 2 t0 qualified 20
check "client 1 qualifies" topo_wait_state 1 t0 qualified 20
a1=$(topo_show 1 t0 address)
a2=$(topo_show 2 t0 address)
diag "client 1 $a1, client 2 $a2"
out=$(in_ns c1 ping -c 1 -W 10 "$a2" 2>&1)
check "awake: client 1 pings client 2" grep -q " 1 received" <<< "$out"
check "set dormant-timeout $TIMEOUT" in_ns c1 teredo-nl set t0 dormant-timeout $TIMEOUT

check "idle for $TIMEOUT s: dormant" topo_wait_state 1 t0 dormant $((TIMEOUT + 10))
check "show: dormant reason idle" test "$(topo_show 1 t0 dormant_reason)" = idle
check "show: no address in use" test "$(topo_show 1 t0 address)" = None
check "no preferred global address left" test -z "$(preferred)"
diag "kept, deprecated: $(deprecated)"
check "the address stays deprecated (for the first packet to wake us)" \
	grep -q "$a1" <<< "$(deprecated)"

# 3 refresh intervals (and some) of silence on the NAT's outside
ip netns exec "$(ns nat1)" tcpdump -q -n -U -i wan -w "$TOPO_TMP/dormant.pcap" \
	"udp and (host 192.0.2.1 or host 192.0.2.2)" 2>/dev/null &
cap=$!
TOPO_PIDS+=("$cap")
sleep 1
rs=$(stat tx_rs)
before=$(stat drop_dormant)
# poked from outside meanwhile: client 2 pings, nothing answers
in_ns c2 ping -c 2 -i 1 -W 2 "$a1" > /dev/null 2>&1
sleep $((3 * REFRESH + 1))
kill "$cap"; wait "$cap" 2>/dev/null
n=$(tcpdump -n -r "$TOPO_TMP/dormant.pcap" src host 198.51.100.1 2>/dev/null | wc -l)
diag "packets from client 1's NAT to the server while dormant: $n"
check "dormant: no packet to the server for $((3 * REFRESH + 1)) s (3 refresh intervals)" test "$n" = 0
check "dormant: no RS sent" test "$(stat tx_rs)" = "$rs"
check "dormant: inbound dropped and counted (drop_dormant)" \
	test "$(stat drop_dormant)" -gt "$before"
check "still dormant" test "$(topo_show 1 t0 state)" = dormant

out=$(in_ns c1 ping -c 1 -W 15 "$a2" 2>&1)
# The checks after waking take longer than $TIMEOUT s on a slow (debug)
# kernel, and the device would sleep again meanwhile: a longer idle
# timeout for them.  (Set while dormant it would wake the device: the
# last authorized packet is then less than 60 s old.)
in_ns c1 teredo-nl set t0 dormant-timeout 60
diag "$(grep -E 'transmitted|time=' <<< "$out" | tr '\n' ' ')"
check "an authorized ping wakes it, its first packet answered" \
	grep -q " 1 received" <<< "$out" || { diag "$out"; topo_diag 1 t0 "$a2"; }
check "the same address is preferred again" wait_for "preferred | grep -q $a1" 2
check "awake: qualified, same address" test "$(topo_show 1 t0 address)" = "$a1"
check "no stale-source drop" test "$(stat drop_stale_source)" = 0
in_ns c1 teredo-nl set t0 dormant-timeout $TIMEOUT

ip netns exec "$(ns c1)" teredo-nl hold t0 &
hold=$!
TOPO_PIDS+=("$hold")
check "hold taken: show counts 1 hold" wait_for "[ \"\$(topo_show 1 t0 holds)\" = 1 ]" 5
check "held: qualified" topo_wait_state 1 t0 qualified 15
check "held: stays awake past the timeout ($((TIMEOUT + 4)) s)" stays 1 qualified $((TIMEOUT + 4))
kill "$hold"; wait "$hold" 2>/dev/null
check "the hold ends with its process: 0 holds" wait_for "[ \"\$(topo_show 1 t0 holds)\" = 0 ]" 5
check "released: dormant after the timeout" topo_wait_state 1 t0 dormant $((TIMEOUT + 10))
ip netns exec "$(ns c1)" teredo-nl hold t0 &
hold=$!
TOPO_PIDS+=("$hold")
check "a new hold wakes it" topo_wait_state 1 t0 qualified 15
kill "$hold"; wait "$hold" 2>/dev/null
check "dormant again without it" topo_wait_state 1 t0 dormant $((TIMEOUT + 10))

# the NAT maps client 1 anew while it sleeps: waking gives a new address,
# what was queued with the old source is dropped (drop_stale_source)
in_ns nat1 nft insert rule inet nat post oifname "wan" meta l4proto udp \
	masquerade to :1024-1100
in_ns nat1 conntrack -F > /dev/null 2>&1
before=$(stat drop_stale_source)
check "new NAT mapping: a ping queued with the old source is lost" \
	bash -c "! ip netns exec $(ns c1) ping -c 1 -W 5 $a2 > /dev/null 2>&1"
check "... counted in drop_stale_source" test "$(stat drop_stale_source)" -gt "$before"
# (it may be asleep again by now: its address, deprecated or not, stays)
a1b=$(topo_global_addr c1 t0)
map=$(topo_mapping 1)
diag "new address $a1b (was $a1), mapping $map"
check "... one global address on the device, a new one" \
	test "$(wc -w <<< "$a1b")" = 1 -a "$a1b" != "$a1"
check "... which encodes the new mapping" \
	test "$(teredo_addr_decode "$a1b" | awk '{ print $3 }')" = "$map"
out=$(in_ns c1 ping -c 1 -W 10 "$a2" 2>&1)
check "... and the next ping is answered" grep -q " 1 received" <<< "$out" ||
	diag "$out"

tap_end
